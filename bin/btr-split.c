/* btr-split: a byte stream into numbered pieces with a manifest, and back. */
#include "err.h"
#include "tool.h"
#include "io.h"
#include "args.h"
#include "progress.h"
#include "rate.h"
#include "size.h"
#include "split/split.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: btr-split -d DIR [-b SIZE] [--filter CMD [--keep] [--filter-timeout DUR] [--retries N]]\n"
		   "                 [--limit-rate RATE] [--force] [-q] < STREAM\n"
		   "       btr-split --join -d DIR [--fetch CMD] > STREAM\n"
		   "       btr-split --check -d DIR [--fetch CMD]\n"
		   "  -d, --dir DIR      the directory of pieces ARCHIVE00000.bin... and MANIFEST\n"
		   "  -b, --bytes SIZE   bytes per piece (default 2G; K, M, G, T suffixes)\n"
		   "      --filter CMD   pipe each piece to `sh -c CMD` with $FILE set to its name\n"
		   "      --keep         with --filter, keep the pieces in DIR too\n"
		   "      --filter-timeout DUR  kill a filter (its process group) that keeps us waiting\n"
		   "                     longer than DUR on one piece (e.g. 90s, 10m)\n"
		   "      --retries N    write each piece to DIR first, hand it to the filter from there,\n"
		   "                     and re-send it up to N times (1, 2, 4... s apart) if the filter fails\n"
		   "      --limit-rate RATE  at most RATE bytes per second to the filter (or the pieces)\n"
		   "      --force        write into a DIR that already holds files\n"
		   "      --join         write the pieces back to stdout, each checked\n"
		   "      --check        check the pieces, write nothing\n"
		   "      --fetch CMD    with --join/--check, read each piece from `sh -c CMD` ($FILE set)\n"
		   "  -q, --quiet        no 'creating new file' messages, no progress\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},  {"bytes", required_argument, NULL, 'b'},
		{"filter", required_argument, NULL, 'F'}, {"keep", no_argument, NULL, 'K'},
		{"force", no_argument, NULL, 'f'},      {"join", no_argument, NULL, 'j'},
		{"check", no_argument, NULL, 'c'},      {"fetch", required_argument, NULL, 'G'},
		{"filter-timeout", required_argument, NULL, 'T'}, {"retries", required_argument, NULL, 'R'},
		{"limit-rate", required_argument, NULL, 'L'}, {NULL, 0, NULL, 0}};
	struct btr_cli cli = {.name = "btr-split", .usage = usage, .shortopts = "d:b:", .longopts = opts};
	struct btr_split_opts o = {.size = 2ull << 30, .say = btr_say_line};
	int join = 0, check = 0, c;
	const char *fetch = NULL;
	btr_init(argv[0]);
	while ((c = btr_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'd': o.dir = optarg; break;
		case 'b':
			if (btr_parse_size(optarg, &o.size) < 0 || o.size == 0)
				btr_usage_error("bad piece size '%s'", optarg);
			break;
		case 'F': o.filter = optarg; break;
		case 'K': o.keep = 1; break;
		case 'T':
			if (btr_parse_duration_ms(optarg, &o.timeout_ms) < 0)
				btr_usage_error("--filter-timeout wants a duration from 1ms to 24h (e.g. 90s, 10m), not '%s'", optarg);
			break;
		case 'R': {
			unsigned long v;
			if (btr_parse_ulong(optarg, 0, 100, &v) < 0)
				btr_usage_error("--retries wants a number from 0 to 100, not '%s'", optarg);
			o.retries = (unsigned)v;
			o.spool = 1;
			break;
		}
		case 'L':
			if (!(o.limit_rate = btr_rate_opt("--limit-rate", optarg, "bytes")))
				btr_usage_last();
			break;
		case 'f': o.force = 1; break;
		case 'j': join = 1; break;
		case 'c': check = 1; break;
		case 'G': fetch = optarg; break;
		default: btr_cli_unexpected(&cli, c);
		}
	}
	if (cli.quiet)
		o.say = NULL;
	o.progress = cli.progress;
	if (!o.dir)
		btr_usage_error("-d DIR is required");
	if (join && check)
		btr_usage_error("--join and --check exclude each other");
	if (fetch && !join && !check)
		btr_usage_error("--fetch goes with --join or --check");
	if ((join || check) && (o.filter || o.keep || o.limit_rate))
		btr_usage_error("--filter, --keep and --limit-rate are for splitting");
	if (!o.filter && (o.timeout_ms || o.spool))
		btr_usage_error("--filter-timeout and --retries go with --filter");
	/* Without $FILE every piece goes to the same place, each overwriting the last. */
	if (o.filter && !strstr(o.filter, "FILE"))
		btr_msg("warning: the --filter command never mentions FILE: every piece goes to the same place");
	int rc;
	if (join || check) {
		if (join)
			if (btr_refuse_tty(STDOUT_FILENO, "stdout") < 0)
				btr_die_last();
		rc = btr_join(o.dir, fetch, join ? STDOUT_FILENO : -1, o.progress);
	} else {
		rc = btr_split(STDIN_FILENO, &o);
	}
	if (rc < 0 || btr_close_stdout() < 0)
		btr_die_last();
	return 0;
}
