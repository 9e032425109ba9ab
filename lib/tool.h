/* What every tool does first. */
#ifndef BTR_TOOL_H
#define BTR_TOOL_H

/* Sets the program name from argv[0], initialises libsodium, and ignores SIGPIPE, so a vanished
 * downstream surfaces as EPIPE and a documented exit status, not a silent kill. */
void btr_init(const char *argv0);

#include <signal.h>
/* The signal that asked a long run to stop (0: none).  Set by the handler btr_catch_stop()
 * installs; library loops poll it between steps, settle what is in flight and fail. */
extern volatile sig_atomic_t btr_stop_signal;
/* Catches SIGINT and SIGTERM, and SIGHUP with BTR_STOP_HUP; with BTR_STOP_ONCE a second
 * signal kills at once.  One we were started ignoring stays ignored (btr_catch). */
enum { BTR_STOP_HUP = 1, BTR_STOP_ONCE = 2 };
void btr_catch_stop(int flags);
/* sigaction(sig, sa, NULL) unless sig is ignored: a signal we were started ignoring
 * stays ignored, as POSIX expects of any utility (SIGINT and SIGQUIT in a background
 * job of a script, SIGHUP under nohup), so neither stops us nor reaches our handler. */
void btr_catch(int sig, const struct sigaction *sa);

/* One command line for every tool.  -h/--help, -V/--version, -q/--quiet and --progress
 * mean the same everywhere and are handled here; a bad option is one line naming it,
 * a hint, and exit 2.  A tool names its own options and reads what it asked for:
 *
 *	struct btr_cli cli = {.name = "btr-inspect", .usage = usage, .shortopts = "l",
 *			      .longopts = opts};
 *	while ((c = btr_cli_next(&cli, argc, argv)) != -1)
 *		switch (c) { case 'l': ...; default: btr_cli_unexpected(&cli, c); }
 *	... cli.quiet, cli.progress ...  */
#include <getopt.h>
#include <stdio.h>
enum { BTR_CLI_MAX_OPTS = 64, BTR_OPT_PROGRESS = 0x1f00 };
struct btr_cli {
	const char *name;              /* for --version: "NAME VERSION" */
	void (*usage)(FILE *f);        /* --help; the common options are listed after it */
	const char *shortopts;         /* the tool's own, as getopt(3) spells them */
	const struct option *longopts; /* the tool's own, ending with a zero entry (NULL: none) */
	const char *no_operands;       /* no tool takes operands: why, for the message (NULL: no why) */
	int quiet;                     /* -q was given */
	int progress;                  /* BTR_PROGRESS_*: --progress forces, -q turns off; the last wins */
	/* Private: the tool's options merged with the common ones, built on the first call. */
	struct option all[BTR_CLI_MAX_OPTS];
	char shorts[2 * BTR_CLI_MAX_OPTS];
};
/* The next of the tool's own options (getopt_long's value; optarg as usual), or -1
 * when they are done.  Handles the common options itself: --help and --version print
 * to stdout and exit 0; a bad option, or an operand after the options, exits 2. */
int btr_cli_next(struct btr_cli *cli, int argc, char **argv);
/* zstd's "-3", "-19" for a tool whose option --NAME takes a number: before the first
 * btr_cli_next, each word "-DIGITS..." that stands where an option stands becomes
 * "--NAME=DIGITS...", so getopt never reads the digits as options and the number is
 * checked as --NAME's.  The argument of an option that takes one ("-s -3", "--sign -3",
 * an abbreviation as getopt_long takes it) and every word after "--" are left alone.
 * Returns 0, or -1 (out of memory). */
int btr_cli_digit_words(struct btr_cli *cli, int argc, char **argv, const char *name);
/* For a switch's default: a value the tool put in its table but does not handle. */
_Noreturn void btr_cli_unexpected(const struct btr_cli *cli, int c);

#endif
