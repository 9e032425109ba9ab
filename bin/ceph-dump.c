/* ceph-dump: every object of the chosen Ceph pools as a record stream on stdout. */
#include "args.h"
#include "ceph/ceph.h"
#include "err.h"
#include "tool.h"
#include "io.h"
#include "progress.h"
#include "rate.h"
#include "size.h"
#include "summary.h"

#include <getopt.h>
#include <sodium.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: ceph-dump [CONNECTION] [-p POOL]... [--skip-pool POOL]... [-j JOBS] [--snapshot]\n"
		   "                 [--index FILE] [--since FILE] [--slice I/N] [--progress | -q] > STREAM\n"
		   "       ceph-dump [CONNECTION] [-p POOL]... --cleanup-snapshots\n"
		   "Writes every object of the pools (all pools by default; all namespaces: data, xattrs,\n"
		   "omap, size, mtime, version) as a record stream on stdout.\n"
		   BTR_CEPH_USAGE
		   "  -p, --pool POOL      dump POOL (repeatable; default: every pool)\n"
		   "      --skip-pool POOL leave POOL out (repeatable)\n"
		   "  -j, --jobs N         objects read in parallel (default %d)\n"
		   "      --buffer SIZE    per job: objects up to SIZE are read whole before being written\n"
		   "                       (default 8M); larger ones stream while holding the output\n"
		   "      --chunk SIZE     bytes per read op (default 1M)\n"
		   "      --index FILE     also write an index of every object (a record stream; may be a fifo)\n"
		   "      --since FILE     incremental: skip objects unchanged since that index, record deletions\n"
		   "      --force          accept a --since index of another cluster, pool set or slice\n"
		   "      --snapshot       read from pool snapshots taken at the start, removed at the end\n"
		   "      --cleanup-snapshots  remove snapshots left by a ceph-dump that crashed, then exit\n"
		   "      --slice I/N      dump only slice I (0..N-1) of N of each pool\n"
		   "      --limit-rate RATE  write at most RATE bytes per second (e.g. 50M)\n"
		   "      --limit-ops N    read at most N objects per second\n"
		   "  -q, --quiet          no progress and no summary\n"
		   "      --summary-fd N   at the end, one key=value line on descriptor N (e.g. 3)\n",
		BTR_DUMP_DEFAULT_JOBS);
}

enum { O_SKIP = 0x100, O_BUFFER, O_CHUNK, O_INDEX, O_SINCE, O_FORCE, O_SNAP, O_CLEANUP, O_SLICE, O_LIMIT_RATE, O_LIMIT_OPS,
       O_SUMMARY_FD };

static void summary(const struct btr_dump_opts *o)
{
	fprintf(stderr, "this backup will include %zu pool%s:\n", o->npools, o->npools == 1 ? "" : "s");
	for (size_t i = 0; i < o->npools; i++) {
		char line[600]; /* a pool name is the cluster's, not ours: btr_say_line escapes it */
		snprintf(line, sizeof line, " - %s", o->pools[i]);
		btr_say_line(line);
	}
}

static size_t size_arg(const char *opt, const char *s, uint64_t lo, uint64_t hi)
{
	uint64_t v;
	if (btr_parse_size(s, &v) < 0 || v < lo || v > hi)
		btr_usage_error("%s wants a size from %llu to %llu bytes (e.g. 8M), not '%s'", opt,
				(unsigned long long)lo, (unsigned long long)hi, s);
	return (size_t)v;
}

static int listed(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

/* What the command line asks for.  Static in main: the pool name arrays live as long
 * as the process, whichever way it exits. */
struct args {
	struct btr_ceph_opts co;
	struct btr_dump_opts o;
	char **want, **skip;
	size_t nwant, nskip;
	int cleanup;
};

/* Options into *a; --help and --version exit 0 (lib/tool.c), a usage error exits 2. */
static void parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		BTR_CEPH_LONGOPTS,
		{"pool", required_argument, NULL, 'p'}, {"skip-pool", required_argument, NULL, O_SKIP},
		{"jobs", required_argument, NULL, 'j'}, {"buffer", required_argument, NULL, O_BUFFER},
		{"chunk", required_argument, NULL, O_CHUNK}, {"index", required_argument, NULL, O_INDEX},
		{"since", required_argument, NULL, O_SINCE}, {"force", no_argument, NULL, O_FORCE},
		{"snapshot", no_argument, NULL, O_SNAP}, {"cleanup-snapshots", no_argument, NULL, O_CLEANUP},
		{"slice", required_argument, NULL, O_SLICE},
		{"limit-rate", required_argument, NULL, O_LIMIT_RATE}, {"limit-ops", required_argument, NULL, O_LIMIT_OPS},
		{"summary-fd", required_argument, NULL, O_SUMMARY_FD}, {NULL, 0, NULL, 0}};
	struct btr_cli cli = {.name = "ceph-dump", .usage = usage, .shortopts = BTR_CEPH_SHORTOPTS "p:j:",
			      .longopts = opts};
	struct btr_dump_opts *o = &a->o;
	int c;
	*o = (struct btr_dump_opts){.jobs = BTR_DUMP_DEFAULT_JOBS, .buffer = BTR_DUMP_DEFAULT_BUFFER,
				    .chunk = BTR_DUMP_DEFAULT_CHUNK, .say = btr_say_msg};
	a->want = calloc((size_t)argc, sizeof *a->want);
	a->skip = calloc((size_t)argc, sizeof *a->skip);
	if (!a->want || !a->skip)
		btr_die(BTR_EXIT_SYS, "out of memory");
	while ((c = btr_cli_next(&cli, argc, argv)) != -1) {
		if (btr_usage_check(btr_ceph_opt(&a->co, c, optarg)))
			continue;
		switch (c) {
		case 'p':
			if (!*optarg)
				btr_usage_error("-p wants a pool name");
			if (!listed(a->want, a->nwant, optarg))
				a->want[a->nwant++] = optarg;
			break;
		case O_SKIP: a->skip[a->nskip++] = optarg; break;
		case 'j': {
			unsigned long v;
			if (btr_parse_ulong(optarg, 1, BTR_DUMP_MAX_JOBS, &v) < 0)
				btr_usage_error("-j wants a number from 1 to %d, not '%s'", BTR_DUMP_MAX_JOBS, optarg);
			o->jobs = (unsigned)v;
			break;
		}
		case O_BUFFER: o->buffer = size_arg("--buffer", optarg, 0, 1ull << 32); break;
		case O_CHUNK: o->chunk = size_arg("--chunk", optarg, 4096, 64u << 20); break;
		case O_INDEX: o->index_path = optarg; break;
		case O_SINCE: o->since_path = optarg; break;
		case O_FORCE: o->force = 1; break;
		case O_SNAP: o->snapshot = 1; break;
		case O_CLEANUP: a->cleanup = 1; break;
		case O_SLICE: {
			unsigned i, n;
			if (btr_parse_slice(optarg, &i, &n) < 0)
				btr_usage_error("--slice wants I/N with 0 <= I < N <= 65536, not '%s'", optarg);
			o->slice_i = i;
			o->slice_n = n == 1 ? 0 : n; /* 0/1 is the whole pool */
			break;
		}
		case O_LIMIT_RATE:
			if (!(o->limit_rate = btr_rate_opt("--limit-rate", optarg, "bytes")))
				btr_usage_last();
			break;
		case O_LIMIT_OPS:
			if (!(o->limit_ops = btr_rate_opt("--limit-ops", optarg, "ops")))
				btr_usage_last();
			break;
		case O_SUMMARY_FD: btr_usage_check(btr_summary_open("ceph-dump", optarg)); break;
		default: btr_cli_unexpected(&cli, c);
		}
	}
	o->quiet = cli.quiet;
	o->progress = cli.progress;
	if (o->index_path && o->since_path && !strcmp(o->index_path, o->since_path))
		btr_usage_error("--index and --since name the same file");
	if (!a->cleanup && btr_refuse_tty(STDOUT_FILENO, "stdout") < 0)
		btr_die_last();
}

/* o.pools: the -p pools (else every pool of the cluster, listed into *all) less the
 * --skip-pool ones. */
static void choose_pools(rados_t cl, struct args *a, char ***all, size_t *nall)
{
	if (!a->nwant) {
		if (btr_ceph_list_pools(cl, all, nall) < 0)
			btr_die_last();
		/* want has room for argc names only: the cluster may have more pools. */
		free(a->want);
		if (!(a->want = calloc(*nall ? *nall : 1, sizeof *a->want)))
			btr_die(BTR_EXIT_SYS, "out of memory");
		for (size_t i = 0; i < *nall; i++)
			a->want[a->nwant++] = (*all)[i];
	}
	if (!(a->o.pools = calloc(a->nwant ? a->nwant : 1, sizeof *a->o.pools)))
		btr_die(BTR_EXIT_SYS, "out of memory");
	for (size_t i = 0; i < a->nwant; i++)
		if (!listed(a->skip, a->nskip, a->want[i]))
			a->o.pools[a->o.npools++] = a->want[i];
	if (!a->o.npools)
		btr_die(BTR_EXIT_USAGE, "no pools to dump (all of them skipped, or the cluster has none)");
}

/* --cleanup-snapshots */
static int cleanup_snapshots(rados_t cl, const struct btr_dump_opts *o)
{
	unsigned n = 0;
	for (size_t i = 0; i < o->npools; i++) {
		rados_ioctx_t io;
		if (btr_ceph_open_pool(cl, o->pools[i], BTR_EXIT_USAGE, NULL, &io) < 0)
			return -1;
		int r = btr_snap_cleanup(io, o->pools[i], o->quiet ? NULL : btr_say_line, &n);
		rados_ioctx_destroy(io);
		if (r < 0)
			return -1;
	}
	if (!o->quiet)
		fprintf(stderr, "removed %u leftover snapshot%s\n", n, n == 1 ? "" : "s");
	return 0;
}

static int dump(rados_t cl, struct btr_dump_opts *o, struct btr_dump_stats *st)
{
	btr_catch_stop(BTR_STOP_HUP);
	if (!o->quiet)
		o->ready = summary;
	return btr_ceph_dump(cl, o, st);
}

/* The failure, then die of the signal that stopped the dump (as the shell expects), or
 * exit with the failure's status. */
static _Noreturn void fail_dump(void)
{
	int sig = btr_stop_signal;
	btr_msg("%s", btr_errmsg());
	(void)btr_summary_end(sig ? 128 + sig : btr_errcode());
	if (sig) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	exit(btr_errcode());
}

static void report(const struct btr_dump_opts *o, const struct btr_dump_stats *st)
{
	fprintf(stderr, "CEPH DONE; included %llu ceph objects (skipped %llu unchanged)\n",
		(unsigned long long)st->objects, (unsigned long long)st->skipped);
	if (o->since_path)
		fprintf(stderr, "recorded %llu deletion%s\n", (unsigned long long)st->deleted, st->deleted == 1 ? "" : "s");
	if (st->vanished)
		fprintf(stderr, "%llu object%s deleted while the dump ran (not included)\n",
			(unsigned long long)st->vanished, st->vanished == 1 ? "" : "s");
}

int main(int argc, char **argv)
{
	static struct args a;
	struct btr_dump_stats st = {0};
	char **all = NULL;
	size_t nall = 0;
	rados_t cl;

	btr_init(argv[0]);
	parse(argc, argv, &a);
	btr_summary_count("objects", &st.objects);
	btr_summary_count("bytes", &st.bytes);
	btr_summary_count("skipped", &st.skipped);
	btr_summary_count("deleted", &st.deleted);
	btr_summary_count("vanished", &st.vanished);
	if (btr_ceph_connect(&a.co, &cl) < 0)
		btr_die_last();
	choose_pools(cl, &a, &all, &nall);
	int rc = a.cleanup ? cleanup_snapshots(cl, &a.o) : dump(cl, &a.o, &st);
	btr_ceph_shutdown(cl);
	btr_ceph_free_pools(all, nall);
	free(a.o.pools);
	free(a.want);
	free(a.skip);
	if (rc < 0)
		fail_dump();
	if (a.cleanup)
		return btr_summary_end(0) < 0 ? (btr_msg("%s", btr_errmsg()), BTR_EXIT_SYS) : 0;
	if (btr_close_stdout() < 0 || btr_summary_end(0) < 0)
		btr_die_last();
	if (!a.o.quiet)
		report(&a.o, &st);
	return 0;
}
