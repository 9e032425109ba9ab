/* The command line every tool shares (tool.c): what btr_cli_next hands the tool, and
 * what it keeps for itself.  The exits (--help, --version, bad options) are in
 * tests/skeleton.sh, against every built tool. */
#include "progress.h"
#include "t.h"
#include "tool.h"

#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: t\n", f);
}

static const struct option opts[] = {
	{"dir", required_argument, NULL, 'd'}, {"flag", no_argument, NULL, 0x200}, {NULL, 0, NULL, 0}};

/* Runs the parse of ARGV (NULL-terminated) and returns the options it gave the tool,
 * one character each ('d' with its argument appended, 'F' for --flag). */
static const char *parse(struct btr_cli *cli, char **argv)
{
	static char got[256];
	int argc = 0, c;
	while (argv[argc])
		argc++;
	*cli = (struct btr_cli){.name = "t", .usage = usage, .shortopts = "d:", .longopts = opts};
	optind = 0; /* glibc: start afresh, as for a new process */
	got[0] = 0;
	while ((c = btr_cli_next(cli, argc, argv)) != -1) {
		if (c == 'd') {
			strcat(got, "d");
			strcat(got, optarg);
		} else if (c == 0x200)
			strcat(got, "F");
		else
			strcat(got, "?");
	}
	return got;
}

int main(void)
{
	struct btr_cli cli;
	char *a1[] = {"t", "-d", "x", "--flag", "--dir=y", NULL};
	T_CHECK("the tool's options, in order, with arguments", !strcmp(parse(&cli, a1), "dxFdy"));
	T_CHECK("no common option: not quiet, progress automatic", cli.quiet == 0 && cli.progress == BTR_PROGRESS_AUTO);

	char *a2[] = {"t", "-q", "-dz", NULL};
	T_CHECK("-q is kept, not handed on", !strcmp(parse(&cli, a2), "dz"));
	T_CHECK("-q: quiet, no progress", cli.quiet == 1 && cli.progress == BTR_PROGRESS_OFF);

	char *a3[] = {"t", "--quiet", "--progress", NULL};
	T_CHECK("--progress after -q: nothing handed on", !strcmp(parse(&cli, a3), ""));
	T_CHECK("--progress after -q forces progress, still quiet", cli.quiet == 1 && cli.progress == BTR_PROGRESS_FORCE);

	char *a4[] = {"t", "--progress", "-q", NULL};
	parse(&cli, a4);
	T_CHECK("-q after --progress: the last wins", cli.progress == BTR_PROGRESS_OFF);

	char *a5[] = {"t", "--fl", "--", NULL};
	T_CHECK("an unambiguous abbreviation, then the end of options", !strcmp(parse(&cli, a5), "F"));
	return t_done();
}
