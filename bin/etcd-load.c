/* etcd-load: puts the etcd keys of a record stream back into an etcd v3 cluster;
 * clears; verifies a stream against the live cluster. */
#include "args.h"
#include "err.h"
#include "tool.h"
#include "etcd/etcd.h"
#include "io.h"
#include "progress.h"
#include "rate.h"
#include "size.h"
#include "summary.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_PREFIXES 64

static void usage(FILE *f)
{
	fprintf(f, "usage: etcd-load [--endpoints H:P,...] [--prefix P]... [--with-leased] [--clear]\n"
		   "                 [--verify | --dry-run] [connection options] < STREAM\n"
		   "       etcd-load --clear-only [--prefix P]... [connection options]\n"
		   "Puts the etcd keys of a record stream into etcd, in transactions.\n"
		   "      --prefix P        only keys starting with P (repeatable); also limits --clear\n"
		   "      --with-leased     restore lease-bound keys too, as plain keys (default: skip them)\n"
		   "      --clear           delete every key (or those under the prefixes) first\n"
		   "      --clear-only      only delete; no stream is read\n"
		   "      --verify          compare the stream with the cluster; write nothing\n"
		   "      --dry-run         read the stream and count; write nothing\n"
		   "      --txn-ops N       operations per transaction (default 128, etcd's limit)\n"
		   "      --txn-bytes SIZE  bytes of keys and values per transaction (default 1M)\n"
		   "      --in-flight N     transactions sent before the first is answered (default 4)\n"
		   "      --limit-keys N    put (or verify) at most N keys per second; smaller Txns to match\n"
		   "      --summary-fd N    at the end, one key=value line on descriptor N (e.g. 3)\n"
		   "  -q, --quiet           no progress and no summary\n"
		   "Connection options (as etcdctl's):\n%s",
		btr_etcd_opts_help);
}

enum { OPT_WITH_LEASED = 1, OPT_CLEAR, OPT_CLEAR_ONLY, OPT_VERIFY, OPT_TXN_OPS, OPT_TXN_BYTES, OPT_IN_FLIGHT, OPT_LIMIT_KEYS,
       OPT_SUMMARY_FD };

/* The --summary-fd line's counters (summary.h). */
static void summary_counts(const struct btr_etcd_load_stats *st, int verify)
{
	btr_summary_count("keys", verify ? &st->compared : &st->restored);
	btr_summary_count("leased", &st->leased);
	btr_summary_count("deleted", &st->deleted);
	btr_summary_count("outside_prefix", &st->outside_prefix);
	btr_summary_count("other", &st->other_records);
	if (verify)
		btr_summary_count("differences", &st->differences);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"prefix", required_argument, NULL, 'p'}, {"with-leased", no_argument, NULL, OPT_WITH_LEASED},
		{"clear", no_argument, NULL, OPT_CLEAR}, {"clear-only", no_argument, NULL, OPT_CLEAR_ONLY},
		{"verify", no_argument, NULL, OPT_VERIFY}, {"dry-run", no_argument, NULL, 'n'},
		{"txn-ops", required_argument, NULL, OPT_TXN_OPS}, {"txn-bytes", required_argument, NULL, OPT_TXN_BYTES},
		{"in-flight", required_argument, NULL, OPT_IN_FLIGHT}, {"limit-keys", required_argument, NULL, OPT_LIMIT_KEYS},
		{"summary-fd", required_argument, NULL, OPT_SUMMARY_FD}, BTR_ETCD_LONGOPTS, {NULL, 0, NULL, 0}};
	struct btr_cli cli = {.name = "etcd-load", .usage = usage, .shortopts = "", .longopts = opts,
			      .no_operands = "the stream is read from stdin"};
	static const char *prefixes[MAX_PREFIXES];
	struct btr_etcd_opts eo;
	struct btr_etcd_load_opts lo = {.prefixes = prefixes, .txn_ops = 128, .txn_bytes = 1u << 20, .in_flight = 4,
				    .page_size = 100000,
				    .say = btr_say_msg};
	struct btr_etcd_load_stats st = {0};
	int c;
	unsigned long num;
	btr_init(argv[0]);
	btr_etcd_opts_init(&eo);
	while ((c = btr_cli_next(&cli, argc, argv)) != -1) {
		if (btr_usage_check(btr_etcd_opts_parse(&eo, c, optarg)))
			continue;
		switch (c) {
		case 'p':
			if (!*optarg)
				btr_usage_error("--prefix: empty prefix");
			if (lo.nprefixes == MAX_PREFIXES)
				btr_usage_error("--prefix: at most %d prefixes", MAX_PREFIXES);
			prefixes[lo.nprefixes++] = optarg;
			break;
		case OPT_WITH_LEASED: lo.with_leased = 1; break;
		case OPT_CLEAR: lo.clear = 1; break;
		case OPT_CLEAR_ONLY: lo.clear_only = 1; break;
		case OPT_VERIFY: lo.verify = 1; break;
		case 'n': lo.dry_run = 1; break;
		case OPT_TXN_OPS:
			if (btr_parse_ulong(optarg, 1, 10000, &num) < 0)
				btr_usage_error("--txn-ops: '%s' is not a number between 1 and 10000", optarg);
			lo.txn_ops = (long)num;
			break;
		case OPT_IN_FLIGHT:
			if (btr_parse_ulong(optarg, 1, BTR_ETCD_MAX_IN_FLIGHT, &num) < 0)
				btr_usage_error("--in-flight: '%s' is not a number between 1 and %d", optarg, BTR_ETCD_MAX_IN_FLIGHT);
			lo.in_flight = (long)num;
			break;
		case OPT_TXN_BYTES:
			if (btr_parse_size(optarg, &lo.txn_bytes) < 0 || lo.txn_bytes < 1 || lo.txn_bytes > (64u << 20))
				btr_usage_error("--txn-bytes: '%s' is not a size up to 64M", optarg);
			break;
		case OPT_LIMIT_KEYS:
			if (!(lo.limit_keys = btr_rate_opt("--limit-keys", optarg, "keys")))
				btr_usage_last();
			break;
		case OPT_SUMMARY_FD: btr_usage_check(btr_summary_open("etcd-load", optarg)); break;
		default: btr_cli_unexpected(&cli, c);
		}
	}
	lo.progress = cli.progress;
	lo.txn_ops = btr_rate_batch(lo.limit_keys, lo.txn_ops);
	if (lo.verify + lo.clear_only + lo.dry_run > 1 || (lo.clear && (lo.verify || lo.clear_only)))
		btr_usage_error("--verify, --clear-only and --dry-run exclude each other, and --clear goes with none of the first two");
	if (!lo.clear_only && isatty(STDIN_FILENO))
		btr_usage_error("stdin is a terminal: pipe a record stream in");
	btr_usage_check(btr_etcd_opts_finish(&eo));

	summary_counts(&st, lo.verify);
	/* A dry run needs the cluster only to count what --clear would delete. */
	struct btr_etcd *e = NULL;
	if ((!lo.dry_run || lo.clear) && !(e = btr_etcd_open(&eo)))
		btr_die_last();
	int rc = btr_etcd_load(e, &lo, STDIN_FILENO, &st);
	int code = rc < 0 ? btr_errcode() : 0;
	btr_etcd_close(e);
	if (rc < 0 && code == BTR_EXIT_SYS && (st.restored || st.deleted))
		btr_msg("%s (%llu keys deleted, %llu restored)", btr_errmsg(), (unsigned long long)st.deleted,
			(unsigned long long)st.restored);
	else if (rc < 0)
		btr_msg("%s", btr_errmsg());
	if (btr_summary_end(code) < 0 && !code) {
		btr_msg("%s", btr_errmsg());
		return BTR_EXIT_SYS;
	}
	if (rc < 0)
		return code;
	if (cli.quiet)
		return 0;
	const char *would = lo.dry_run ? "would have " : "";
	if (lo.clear || lo.clear_only)
		fprintf(stderr, "%sdeleted %llu etcd keys\n", would, (unsigned long long)st.deleted);
	if (lo.clear_only)
		return 0;
	if (lo.verify)
		fprintf(stderr, "verified %llu etcd records: no difference", (unsigned long long)st.compared);
	else
		fprintf(stderr, "%srestored %llu etcd records", would, (unsigned long long)st.restored);
	fprintf(stderr, ", skipped %llu lease-bound keys", (unsigned long long)st.leased);
	if (st.outside_prefix)
		fprintf(stderr, ", %llu keys outside the prefixes", (unsigned long long)st.outside_prefix);
	if (st.other_records)
		fprintf(stderr, ", ignored %llu records of other kinds", (unsigned long long)st.other_records);
	fputc('\n', stderr);
	return 0;
}
