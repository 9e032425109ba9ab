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

/* btr_cli_digit_words over ARGV (NULL-terminated): the words after it, joined by spaces. */
static const char *digits(char **argv)
{
	static const struct option lopts[] = {
		{"level", required_argument, NULL, 'L'}, {"sign-key", required_argument, NULL, 's'},
		{"flag", no_argument, NULL, 0x200},      {"opt", optional_argument, NULL, 'o'},
		{NULL, 0, NULL, 0}};
	static char got[512];
	struct btr_cli cli = {.name = "t", .usage = usage, .shortopts = "s:o::x", .longopts = lopts};
	int argc = 0;
	while (argv[argc])
		argc++;
	if (btr_cli_digit_words(&cli, argc, argv, "level") < 0)
		return "(failed)";
	got[0] = 0;
	for (int i = 1; i < argc; i++)
		strcat(strcat(got, i > 1 ? " " : ""), argv[i]);
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

	char *d1[] = {"t", "-3", "-s", "-4", "-x", "-5", "--sign-key", "-6", "--sign-key=-7", "-19", "--", "-9", NULL};
	T_CHECK("-DIGITS where an option stands is --level, an option's argument is not, nor after --",
		!strcmp(digits(d1), "--level=3 -s -4 -x --level=5 --sign-key -6 --sign-key=-7 --level=19 -- -9"));
	char *d2[] = {"t", "-xs", "-3", "-s-4", "-5", "-q", "-6", "--level", "-7", NULL};
	T_CHECK("a cluster ending in -s takes the next word; -s-4 holds its own; -q and --level too",
		!strcmp(digits(d2), "-xs -3 -s-4 --level=5 -q --level=6 --level -7"));
	char *d3[] = {"t", "-o", "-3", "--opt", "-4", "-o-5", "-", "-6", "op", "-7", NULL};
	T_CHECK("an optional argument is attached only; operands and - are passed over",
		!strcmp(digits(d3), "-o --level=3 --opt --level=4 -o-5 - --level=6 op --level=7"));
	char *d4[] = {"t", "--sign", "-3", "--si", "-4", "--fl", "-5", "--flag=1", "-6", NULL};
	T_CHECK("abbreviated long options as getopt_long reads them",
		!strcmp(digits(d4), "--sign -3 --si -4 --fl --level=5 --flag=1 --level=6"));
	char *d5[] = {"t", "-x", "-q", NULL};
	T_CHECK("no digits: argv as it was", !strcmp(digits(d5), "-x -q"));
	return t_done();
}
