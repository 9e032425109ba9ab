/* btr-inspect: verify a record stream and report what it holds. */
#include "args.h"
#include "err.h"
#include "tool.h"
#include "stream/stream.h"
#include "io.h"
#include "progress.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: btr-inspect [-l] [--json] [--progress | -q] < STREAM\n"
		   "Verifies every digest and trailer of a record stream and reports what it holds.\n"
		   "  -l, --list      one line per entry instead of the summary:\n"
		   "                  KIND POOL NAMESPACE NAME SIZE [key=value...]\n"
		   "      --json      JSON (with -l: one object per entry, one per line)\n"
		   "  -q, --quiet     no progress\n"
		   "      --sample-digests PERCENT  check the object digests of a random PERCENT\n"
		   "                  of the objects only (1-100); see btr-inspect(1)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"list", no_argument, NULL, 'l'}, {"json", no_argument, NULL, 'j'},
		{"sample-digests", required_argument, NULL, 'S'}, {NULL, 0, NULL, 0}};
	struct btr_cli cli = {.name = "btr-inspect", .usage = usage, .shortopts = "l", .longopts = opts,
			      .no_operands = "the stream is read from stdin"};
	unsigned long sample = 0;
	int list = 0, json = 0, c;
	btr_init(argv[0]);
	while ((c = btr_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'l': list = 1; break;
		case 'j': json = 1; break;
		case 'S':
			if (btr_parse_ulong(optarg, 1, 100, &sample) < 0)
				btr_usage_error("--sample-digests wants a whole percentage from 1 to 100, not '%s'", optarg);
			break;
		default: btr_cli_unexpected(&cli, c);
		}
	}
	if (isatty(STDIN_FILENO))
		btr_usage_error("stdin is a terminal: pipe a record stream in");

	struct btr_reader *r = btr_reader_new(STDIN_FILENO, "stdin");
	struct btr_inspect s;
	struct btr_progress p;
	struct btr_record rec;
	int rc;
	if (!r)
		btr_die_last();
	btr_inspect_init(&s);
	btr_progress_init(&p, "inspect", cli.progress);
	if (sample)
		btr_inspect_sample_start(&s, r, (unsigned)sample);
	while ((rc = btr_reader_next(r, &rec)) == 1) {
		btr_inspect_add(&s, &rec);
		btr_inspect_sample_step(&s, r, &rec);
		if (list)
			btr_inspect_list(stdout, &rec, json);
		if (rec.type == BTR_OBJECT_DATA)
			btr_progress_add(&p, 0, rec.data_len);
		else if (rec.type == BTR_OBJECT_END || rec.type == BTR_KV)
			btr_progress_add(&p, 1, 0);
	}
	btr_progress_done(&p);
	if (rc < 0) {
		fflush(stdout);
		btr_die_last();
	}
	/* A listing is for pipes: entries only; the exit status says it verified. */
	if (!list && json)
		btr_inspect_report_json(stdout, &s);
	else if (!list)
		btr_inspect_report(stdout, &s);
	btr_inspect_free(&s);
	btr_reader_free(r);
	if (btr_close_stdout() < 0)
		btr_die_last();
	return 0;
}
