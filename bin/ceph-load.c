/* ceph-load: restore, clear or verify RADOS objects from a record stream. */
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
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: ceph-load [CEPH OPTIONS] (-p SRC[:DST]... | --all-pools) [OPTIONS] < STREAM\n"
		   "       ceph-load [CEPH OPTIONS] -p POOL... --clear-only [-v]\n"
		   "Restores the objects of the named pools from a record stream (into DST when given).\n"
		   "Objects of other pools, and records of other kinds, are skipped and counted.\n"
		   "  -p, --pool SRC[:DST]  restore pool SRC (into DST); repeatable\n"
		   "      --all-pools       restore every pool of the stream under its own name\n"
		   "      --clear           first remove every object of the target pools\n"
		   "      --clear-only      only remove every object of the pools (reads no stream)\n"
		   "      --verify          compare the stream with the cluster; write nothing\n"
		   "      --dry-run         read and check everything, write nothing\n"
		   "      --no-delete       keep objects that deletion records would remove\n"
		   "      --atomic-max SIZE largest object restored by one atomic op (default 16M)\n"
		   "      --window SIZE     bytes of writes in flight (default 48M)\n"
		   "  -j, --jobs N          write ops in flight (default 32)\n"
		   "  -v, --verbose         with --clear/--clear-only: list each removed object on stdout\n"
		   "      --limit-rate RATE write at most RATE bytes per second to the cluster (e.g. 50M)\n"
		   "      --limit-ops N     submit at most N write ops per second\n"
		   "  -q, --quiet           no progress, no summary\n"
		   "      --summary-fd N    at the end, one key=value line on descriptor N (e.g. 3)\n"
		   "Ceph options:\n" BTR_CEPH_USAGE);
}

enum { O_ALL = 0x100, O_CLEAR, O_CLEAR_ONLY, O_VERIFY, O_DRY, O_NODEL, O_ATOMIC, O_WINDOW, O_LIMIT_RATE, O_LIMIT_OPS,
       O_SUMMARY_FD };

static uint64_t size_arg(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	uint64_t v;
	if (btr_parse_size(arg, &v) < 0 || v < min || v > max)
		btr_usage_error("%s wants a size from %llu to %llu bytes, not '%s'", opt, (unsigned long long)min,
				(unsigned long long)max, arg);
	return v;
}

static size_t jobs_arg(const char *arg)
{
	unsigned long v;
	if (btr_parse_ulong(arg, 1, 1024, &v) < 0)
		btr_usage_error("--jobs wants a number of ops from 1 to 1024, not '%s'", arg);
	return (size_t)v;
}

static void summary(const struct btr_load_opts *o, const struct btr_load_stats *st, uint64_t cleared, int clear)
{
	if (clear)
		fprintf(stderr, "%s %llu objects\n", o->mode == BTR_LOAD_DRY_RUN ? "Clear (dry run): would remove" : "Clear complete: removed",
			(unsigned long long)cleared);
	if (!st)
		return;
	if (o->mode == BTR_LOAD_VERIFY)
		fprintf(stderr, "Verify complete: %llu ceph objects identical, skipped %llu ceph objects",
			(unsigned long long)st->restored, (unsigned long long)st->skipped);
	else
		fprintf(stderr, "%s: restored %llu ceph objects, skipped %llu ceph objects",
			o->mode == BTR_LOAD_DRY_RUN ? "Dry run (nothing written)" : "Restore complete",
			(unsigned long long)st->restored, (unsigned long long)st->skipped);
	if (st->deleted || st->deletes_kept || st->deletes_skipped)
		fprintf(stderr, "; deleted %llu ceph objects, kept %llu (--no-delete), skipped %llu deletions",
			(unsigned long long)st->deleted, (unsigned long long)st->deletes_kept,
			(unsigned long long)st->deletes_skipped);
	if (st->other)
		fprintf(stderr, "; skipped %llu records of other kinds", (unsigned long long)st->other);
	fputc('\n', stderr);
}

/* The --summary-fd line's counters (summary.h). */
static void summary_counts(const struct btr_load_stats *st, const uint64_t *cleared, int verify)
{
	btr_summary_count("objects", &st->restored);
	btr_summary_count("bytes", &st->bytes);
	btr_summary_count("skipped", &st->skipped);
	btr_summary_count("deleted", &st->deleted);
	btr_summary_count("deletes_kept", &st->deletes_kept);
	btr_summary_count("cleared", cleared);
	btr_summary_count("other", &st->other);
	if (verify) {
		btr_summary_count("differ", &st->differ);
		btr_summary_count("extra", &st->extra);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		BTR_CEPH_LONGOPTS,
		{"pool", required_argument, NULL, 'p'}, {"all-pools", no_argument, NULL, O_ALL},
		{"clear", no_argument, NULL, O_CLEAR}, {"clear-only", no_argument, NULL, O_CLEAR_ONLY},
		{"verify", no_argument, NULL, O_VERIFY}, {"dry-run", no_argument, NULL, O_DRY},
		{"no-delete", no_argument, NULL, O_NODEL}, {"atomic-max", required_argument, NULL, O_ATOMIC},
		{"window", required_argument, NULL, O_WINDOW}, {"jobs", required_argument, NULL, 'j'},
		{"verbose", no_argument, NULL, 'v'},
		{"limit-rate", required_argument, NULL, O_LIMIT_RATE}, {"limit-ops", required_argument, NULL, O_LIMIT_OPS},
		{"summary-fd", required_argument, NULL, O_SUMMARY_FD}, {NULL, 0, NULL, 0}};
	struct btr_cli cli = {.name = "ceph-load", .usage = usage, .shortopts = BTR_CEPH_SHORTOPTS "p:j:v",
			      .longopts = opts,
			      .no_operands = "the stream is read from stdin"};
	struct btr_ceph_opts co = {0};
	struct btr_poolmap m = {0};
	struct btr_load_opts o = {.mode = BTR_LOAD_WRITE,
				  .atomic_max = BTR_LOAD_DEFAULT_ATOMIC,
				  .window_bytes = BTR_LOAD_DEFAULT_WINDOW_BYTES,
				  .window_ops = BTR_LOAD_DEFAULT_WINDOW_OPS,
				  .say = btr_say_msg};
	int clear = 0, clear_only = 0, verify = 0, dry = 0, verbose = 0, c;
	btr_init(argv[0]);
	while ((c = btr_cli_next(&cli, argc, argv)) != -1) {
		if (btr_usage_check(btr_ceph_opt(&co, c, optarg)))
			continue;
		switch (c) {
		case 'p': btr_usage_check(btr_poolmap_add(&m, optarg)); break;
		case O_ALL: m.all = 1; break;
		case O_CLEAR: clear = 1; break;
		case O_CLEAR_ONLY: clear_only = 1; break;
		case O_VERIFY: verify = 1; break;
		case O_DRY: dry = 1; break;
		case O_NODEL: o.no_delete = 1; break;
		case O_ATOMIC: o.atomic_max = size_arg("--atomic-max", optarg, 4096, 64u << 20); break;
		case O_WINDOW: o.window_bytes = size_arg("--window", optarg, 1u << 20, 1ull << 32); break;
		case 'j': o.window_ops = jobs_arg(optarg); break;
		case 'v': verbose = 1; break;
		case O_LIMIT_RATE:
			if (!(o.limit_rate = btr_rate_opt("--limit-rate", optarg, "bytes")))
				btr_usage_last();
			break;
		case O_LIMIT_OPS:
			if (!(o.limit_ops = btr_rate_opt("--limit-ops", optarg, "ops")))
				btr_usage_last();
			break;
		case O_SUMMARY_FD: btr_usage_check(btr_summary_open("ceph-load", optarg)); break;
		default: btr_cli_unexpected(&cli, c);
		}
	}
	o.progress = cli.progress;
	if (m.all && m.n)
		btr_usage_error("-p and --all-pools exclude each other");
	if (!m.all && !m.n)
		btr_usage_error("name the pools to restore with -p SRC[:DST] (or --all-pools): no pool is restored unless named");
	if ((clear || clear_only) && m.all)
		btr_usage_error("--clear and --clear-only need -p for each pool to clear, not --all-pools");
	if (clear && clear_only)
		btr_usage_error("--clear and --clear-only exclude each other");
	if (verify && (clear || clear_only || dry))
		btr_usage_error("--verify writes nothing: it does not go with --clear, --clear-only or --dry-run");
	if (verbose && !clear && !clear_only)
		btr_usage_error("-v lists removed objects: it goes with --clear or --clear-only");
	if (o.window_bytes < o.atomic_max)
		btr_usage_error("--window must be at least --atomic-max");
	o.mode = verify ? BTR_LOAD_VERIFY : dry ? BTR_LOAD_DRY_RUN : BTR_LOAD_WRITE;
	if (!clear_only && isatty(STDIN_FILENO))
		btr_usage_error("stdin is a terminal: pipe a record stream in");

	struct btr_load_stats st = {0};
	uint64_t cleared = 0;
	summary_counts(&st, &cleared, verify);
	rados_t cluster;
	btr_ceph_reuse_buffers();
	if (btr_ceph_connect(&co, &cluster) < 0)
		btr_die_last();
	/* Every target pool is checked before anything is written. */
	if (btr_poolmap_open(&m, cluster) < 0)
		btr_die_last();
	if ((clear || clear_only) && btr_ceph_clear(&m, &o, verbose ? stdout : NULL, &cleared) < 0)
		btr_die_last();
	if (clear_only) {
		if (!cli.quiet)
			summary(&o, NULL, cleared, 1);
		btr_poolmap_free(&m);
		btr_ceph_shutdown(cluster);
		if (btr_close_stdout() < 0 || btr_summary_end(0) < 0)
			btr_die_last();
		return 0;
	}
	/* The first SIGINT or SIGTERM stops cleanly (in-flight writes settle, a partly
	 * written object is removed); a second one kills. */
	btr_catch_stop(BTR_STOP_ONCE);
	int rc = btr_ceph_load(&m, &o, STDIN_FILENO, &st);
	if (rc < 0) {
		/* One line: the failure, and how far the restore got before it. */
		if (o.mode == BTR_LOAD_WRITE && btr_errcode() != BTR_EXIT_USAGE)
			btr_fail_append(" (%llu objects restored before this)", (unsigned long long)st.restored);
		btr_die_last();
	}
	if (!cli.quiet)
		summary(&o, &st, cleared, clear);
	btr_poolmap_free(&m);
	btr_ceph_shutdown(cluster);
	if (btr_close_stdout() < 0 || btr_summary_end(0) < 0)
		btr_die_last();
	return 0;
}
