/* ceph-dump: every object of the chosen Ceph pools as a record stream on stdout. */
#include "args.h"
#include "ceph/ceph.h"
#include "err.h"
#include "tool.h"
#include "io.h"
#include "progress.h"
#include "rate.h"
#include "size.h"

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
		   "      --chunk SIZE     bytes per read op (default 2M)\n"
		   "      --index FILE     also write an index of every object (a record stream; may be a fifo)\n"
		   "      --since FILE     incremental: skip objects unchanged since that index, record deletions\n"
		   "      --force          accept a --since index of another cluster, pool set or slice\n"
		   "      --snapshot       read from pool snapshots taken at the start, removed at the end\n"
		   "      --cleanup-snapshots  remove snapshots left by a ceph-dump that crashed, then exit\n"
		   "      --slice I/N      dump only slice I (0..N-1) of N of each pool\n"
		   "      --limit-rate RATE  write at most RATE bytes per second (e.g. 50M)\n"
		   "      --limit-ops N    read at most N objects per second\n"
		   "      --progress       progress on stderr even when it is not a terminal\n"
		   "  -q, --quiet          no progress and no summary\n"
		   "  -h, --help           this help;  -V, --version  the version\n",
		BTR_DUMP_DEFAULT_JOBS);
}

enum { O_SKIP = 0x100, O_BUFFER, O_CHUNK, O_INDEX, O_SINCE, O_FORCE, O_SNAP, O_CLEANUP, O_SLICE, O_PROGRESS, O_LIMIT_RATE, O_LIMIT_OPS };

static void on_signal(int sig)
{
	btr_dump_stop_signal = sig;
}

static void summary(const struct btr_dump_opts *o)
{
	fprintf(stderr, "this backup will include %zu pool%s:\n", o->npools, o->npools == 1 ? "" : "s");
	for (size_t i = 0; i < o->npools; i++)
		fprintf(stderr, " - %s\n", o->pools[i]);
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		BTR_CEPH_LONGOPTS,
		{"pool", required_argument, NULL, 'p'}, {"skip-pool", required_argument, NULL, O_SKIP},
		{"jobs", required_argument, NULL, 'j'}, {"buffer", required_argument, NULL, O_BUFFER},
		{"chunk", required_argument, NULL, O_CHUNK}, {"index", required_argument, NULL, O_INDEX},
		{"since", required_argument, NULL, O_SINCE}, {"force", no_argument, NULL, O_FORCE},
		{"snapshot", no_argument, NULL, O_SNAP}, {"cleanup-snapshots", no_argument, NULL, O_CLEANUP},
		{"slice", required_argument, NULL, O_SLICE}, {"progress", no_argument, NULL, O_PROGRESS},
		{"limit-rate", required_argument, NULL, O_LIMIT_RATE}, {"limit-ops", required_argument, NULL, O_LIMIT_OPS},
		{"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
	struct btr_ceph_opts co = {0};
	struct btr_dump_opts o = {.jobs = BTR_DUMP_DEFAULT_JOBS, .buffer = BTR_DUMP_DEFAULT_BUFFER,
				  .chunk = BTR_DUMP_DEFAULT_CHUNK};
	/* Static: they live as long as the process, whichever way it exits. */
	static char **want, **skip;
	want = calloc((size_t)argc, sizeof *want);
	skip = calloc((size_t)argc, sizeof *skip);
	size_t nwant = 0, nskip = 0;
	int cleanup = 0, c;

	btr_init(argv[0]);
	if (!want || !skip)
		btr_die(BTR_EXIT_SYS, "out of memory");
	while ((c = getopt_long(argc, argv, BTR_CEPH_SHORTOPTS "p:j:qhV", opts, NULL)) != -1) {
		if (btr_ceph_opt(&co, c, optarg))
			continue;
		switch (c) {
		case 'p':
			if (!*optarg)
				btr_usage_error("-p wants a pool name");
			if (!listed(want, nwant, optarg))
				want[nwant++] = optarg;
			break;
		case O_SKIP: skip[nskip++] = optarg; break;
		case 'j': {
			unsigned long v;
			if (btr_parse_ulong(optarg, 1, BTR_DUMP_MAX_JOBS, &v) < 0)
				btr_usage_error("-j wants a number from 1 to %d, not '%s'", BTR_DUMP_MAX_JOBS, optarg);
			o.jobs = (unsigned)v;
			break;
		}
		case O_BUFFER: o.buffer = size_arg("--buffer", optarg, 0, 1ull << 32); break;
		case O_CHUNK: o.chunk = size_arg("--chunk", optarg, 4096, 64u << 20); break;
		case O_INDEX: o.index_path = optarg; break;
		case O_SINCE: o.since_path = optarg; break;
		case O_FORCE: o.force = 1; break;
		case O_SNAP: o.snapshot = 1; break;
		case O_CLEANUP: cleanup = 1; break;
		case O_SLICE: {
			unsigned i, n;
			if (btr_parse_slice(optarg, &i, &n) < 0)
				btr_usage_error("--slice wants I/N with 0 <= I < N <= 65536, not '%s'", optarg);
			o.slice_i = i;
			o.slice_n = n == 1 ? 0 : n; /* 0/1 is the whole pool */
			break;
		}
		case O_LIMIT_RATE: o.limit_rate = btr_rate_opt("--limit-rate", optarg, "bytes"); break;
		case O_LIMIT_OPS: o.limit_ops = btr_rate_opt("--limit-ops", optarg, "ops"); break;
		case O_PROGRESS: o.progress = BTR_PROGRESS_FORCE; break;
		case 'q': o.quiet = 1; o.progress = BTR_PROGRESS_OFF; break;
		case 'h': usage(stdout); free(want); free(skip); return 0;
		case 'V': printf("ceph-dump %s\n", BTR_VERSION); free(want); free(skip); return 0;
		default: btr_usage_error("unknown option");
		}
	}
	if (optind != argc)
		btr_usage_error("unexpected argument '%s'", argv[optind]);
	if (o.index_path && o.since_path && !strcmp(o.index_path, o.since_path))
		btr_usage_error("--index and --since name the same file");
	if (!cleanup)
		btr_refuse_tty(STDOUT_FILENO, "stdout");

	rados_t cl;
	if (btr_ceph_connect(&co, &cl) < 0)
		btr_die_last();
	char **all = NULL;
	size_t nall = 0;
	if (!nwant) {
		if (btr_ceph_list_pools(cl, &all, &nall) < 0)
			btr_die_last();
		/* want has room for argc names only: the cluster may have more pools. */
		free(want);
		if (!(want = calloc(nall ? nall : 1, sizeof *want)))
			btr_die(BTR_EXIT_SYS, "out of memory");
		for (size_t i = 0; i < nall; i++)
			want[nwant++] = all[i];
	}
	o.pools = calloc(nwant ? nwant : 1, sizeof *o.pools);
	if (!o.pools)
		btr_die(BTR_EXIT_SYS, "out of memory");
	for (size_t i = 0; i < nwant; i++)
		if (!listed(skip, nskip, want[i]))
			o.pools[o.npools++] = want[i];
	if (!o.npools)
		btr_die(BTR_EXIT_USAGE, "no pools to dump (all of them skipped, or the cluster has none)");

	if (cleanup) {
		unsigned n = 0;
		for (size_t i = 0; i < o.npools; i++) {
			rados_ioctx_t io;
			if (btr_ceph_open_pool(cl, o.pools[i], BTR_EXIT_USAGE, NULL, &io) < 0)
				btr_die_last();
			int r = btr_snap_cleanup(io, o.pools[i], o.quiet, &n);
			rados_ioctx_destroy(io);
			if (r < 0)
				btr_die_last();
		}
		if (!o.quiet)
			fprintf(stderr, "removed %u leftover snapshot%s\n", n, n == 1 ? "" : "s");
		btr_ceph_shutdown(cl);
		btr_ceph_free_pools(all, nall);
		free(o.pools);
		free(want);
		free(skip);
		return 0;
	}

	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (!o.quiet)
		o.ready = summary;
	struct btr_dump_stats st = {0};
	int rc = btr_ceph_dump(cl, &o, &st);
	btr_ceph_shutdown(cl);
	btr_ceph_free_pools(all, nall);
	free(o.pools);
	free(want);
	free(skip);
	if (rc < 0) {
		int sig = btr_dump_stop_signal;
		btr_msg("%s", btr_errmsg());
		if (sig) { /* die of the signal, as the shell expects */
			signal(sig, SIG_DFL);
			raise(sig);
		}
		return btr_errcode() ? btr_errcode() : BTR_EXIT_SYS;
	}
	if (btr_close_stdout() < 0)
		btr_die_last();
	if (!o.quiet) {
		fprintf(stderr, "CEPH DONE; included %llu ceph objects (skipped %llu unchanged)\n",
			(unsigned long long)st.objects, (unsigned long long)st.skipped);
		if (o.since_path)
			fprintf(stderr, "recorded %llu deletion%s\n", (unsigned long long)st.deleted, st.deleted == 1 ? "" : "s");
		if (st.vanished)
			fprintf(stderr, "%llu object%s deleted while the dump ran (not included)\n",
				(unsigned long long)st.vanished, st.vanished == 1 ? "" : "s");
	}
	return 0;
}
