/* etcd-dump: every key of an etcd v3 cluster (or under a prefix), at one revision,
 * as a record stream on stdout. */
#include "args.h"
#include "err.h"
#include "tool.h"
#include "etcd/etcd.h"
#include "io.h"
#include "progress.h"
#include "rate.h"
#include "summary.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: etcd-dump [--endpoints H:P,...] [--prefix P] [--revision R] [--page-size N]\n"
		   "                 [connection options] [--progress | -q] > STREAM\n"
		   "Writes every key (or those under a prefix) at one revision as a record stream.\n"
		   "      --prefix P        only keys starting with P\n"
		   "      --revision R      read at revision R (default: the newest, pinned at the start)\n"
		   "      --page-size N     at most N keys per request (default 100000); pages after\n"
		   "                        the first aim at half of --max-recv-bytes\n"
		   "      --limit-keys N    write at most N keys per second (pages shrink to match)\n"
		   "      --summary-fd N    at the end, one key=value line on descriptor N (e.g. 3)\n"
		   "  -q, --quiet           no progress and no summary\n"
		   "Connection options (as etcdctl's):\n%s",
		btr_etcd_opts_help);
}

static long positive(const char *s, const char *opt, long max)
{
	unsigned long v;
	if (btr_parse_ulong(s, 1, (unsigned long)max, &v) < 0)
		btr_usage_error("%s: '%s' is not a number between 1 and %ld", opt, s, max);
	return (long)v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"prefix", required_argument, NULL, 'p'}, {"revision", required_argument, NULL, 'r'},
		{"page-size", required_argument, NULL, 'n'}, {"limit-keys", required_argument, NULL, 'L'},
		{"summary-fd", required_argument, NULL, 'S'}, BTR_ETCD_LONGOPTS, {NULL, 0, NULL, 0}};
	struct btr_cli cli = {.name = "etcd-dump", .usage = usage, .shortopts = "", .longopts = opts,
			      .no_operands = "the stream goes to stdout"};
	struct btr_etcd_opts eo;
	struct btr_etcd_dump_opts d = {.page_size = 100000};
	int c;
	btr_init(argv[0]);
	btr_etcd_opts_init(&eo);
	while ((c = btr_cli_next(&cli, argc, argv)) != -1) {
		if (btr_usage_check(btr_etcd_opts_parse(&eo, c, optarg)))
			continue;
		switch (c) {
		case 'p':
			if (!*optarg)
				btr_usage_error("--prefix: empty prefix (leave it out to dump every key)");
			d.prefix = optarg;
			break;
		case 'r': d.revision = positive(optarg, "--revision", LONG_MAX); break;
		case 'n': d.page_size = positive(optarg, "--page-size", 1000000); break;
		case 'L':
			if (!(d.limit_keys = btr_rate_opt("--limit-keys", optarg, "keys")))
				btr_usage_last();
			break;
		case 'S': btr_usage_check(btr_summary_open("etcd-dump", optarg)); break;
		default: btr_cli_unexpected(&cli, c);
		}
	}
	d.progress = cli.progress;
	btr_usage_check(btr_etcd_opts_finish(&eo));
	d.page_size = btr_rate_batch(d.limit_keys, d.page_size);
	if (btr_refuse_tty(STDOUT_FILENO, "stdout") < 0)
		btr_die_last();

	uint64_t n = 0;
	btr_summary_count("keys", &n);
	struct btr_etcd *e = btr_etcd_open(&eo);
	if (!e)
		btr_die_last();
	if (btr_etcd_dump(e, &d, STDOUT_FILENO, &n) < 0) {
		btr_msg("%s (after %llu keys; the output is incomplete)", btr_errmsg(), (unsigned long long)n);
		int code = btr_errcode();
		(void)btr_summary_end(code);
		btr_etcd_close(e);
		exit(code);
	}
	btr_etcd_close(e);
	/* The stream went out with write(2); closing checks what is left. */
	if (!cli.quiet)
		fprintf(stderr, "ETCD DONE; included %llu etcd records\n", (unsigned long long)n);
	if (btr_close_stdout() < 0 || btr_summary_end(0) < 0)
		btr_die_last();
	return 0;
}
