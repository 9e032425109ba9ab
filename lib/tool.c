#include "tool.h"
#include "err.h"
#include "io.h"
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t btr_stop_signal;

static void on_stop(int sig)
{
	btr_stop_signal = sig;
}

void btr_catch(int sig, const struct sigaction *sa)
{
	struct sigaction old;
	if (sigaction(sig, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
		sigaction(sig, sa, NULL);
}

void btr_catch_stop(int flags)
{
	struct sigaction sa = {.sa_handler = on_stop, .sa_flags = flags & BTR_STOP_ONCE ? SA_RESETHAND : 0};
	sigemptyset(&sa.sa_mask);
	btr_catch(SIGINT, &sa);
	btr_catch(SIGTERM, &sa);
	if (flags & BTR_STOP_HUP)
		btr_catch(SIGHUP, &sa);
}

void btr_init(const char *argv0)
{
	const char *s = argv0 ? strrchr(argv0, '/') : NULL;
	btr_prog = s ? s + 1 : (argv0 ? argv0 : "btr");
	/* A closed 0, 1 or 2 would be handed to the next file we open: a piece or key
	 * file would then get our messages or be read as data.  Each is filled with
	 * /dev/null opened the wrong way round, so it stays unusable (reading stdin or
	 * writing stdout fails with EBADF, as when closed) but is never reused. */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY) != fd)
			_exit(BTR_EXIT_SYS); /* nowhere to say why */
	signal(SIGPIPE, SIG_IGN);
	/* Every tool hashes or encrypts; without this libsodium keeps its slow portable
	 * BLAKE2b and its random source is not set up. */
	if (sodium_init() < 0)
		btr_die(BTR_EXIT_SYS, "cannot initialise libsodium");
	/* Our tools meet in pipes that move hundreds of MB: 1 MiB pipes instead of 64 KiB
	 * mean far fewer wake-ups per MB on both sides.  Best effort (a limit just keeps
	 * the pipe as it is). */
	btr_pipe_size(STDIN_FILENO, 1u << 20);
	btr_pipe_size(STDOUT_FILENO, 1u << 20);
}

static const struct option common[] = {
	{"help", no_argument, NULL, 'h'},      {"version", no_argument, NULL, 'V'},
	{"quiet", no_argument, NULL, 'q'},     {"progress", no_argument, NULL, BTR_OPT_PROGRESS},
	{NULL, 0, NULL, 0}};

/* The tool's table, then the common one; a leading ':' so that getopt_long tells a
 * missing argument (':') from an unknown option ('?') and prints nothing itself. */
static void merge(struct btr_cli *cli)
{
	const size_t ncommon = sizeof common / sizeof common[0];
	size_t n = 0;
	for (const struct option *o = cli->longopts; o && o->name; o++) {
		if (n + ncommon >= BTR_CLI_MAX_OPTS)
			btr_die(BTR_EXIT_SYS, "%s: more options than BTR_CLI_MAX_OPTS", cli->name);
		cli->all[n++] = *o;
	}
	memcpy(cli->all + n, common, sizeof common);
	const char *own = cli->shortopts ? cli->shortopts : "";
	if ((size_t)snprintf(cli->shorts, sizeof cli->shorts, ":%shVq", own) >= sizeof cli->shorts)
		btr_die(BTR_EXIT_SYS, "%s: more short options than BTR_CLI_MAX_OPTS", cli->name);
}

/* How many long options start with NAME (its first LEN bytes): more than one and none
 * exactly is what getopt_long calls ambiguous. */
static int prefixed(const struct option *all, const char *name, size_t len)
{
	int n = 0;
	for (const struct option *o = all; o->name; o++) {
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return 1;
		n += !strncmp(o->name, name, len);
	}
	return n;
}

/* One line naming the bad option as it was written ("--name" of a long one, without
 * "=value"; "-c" of a short one), the --help hint, exit 2. */
static _Noreturn void bad_option(const struct btr_cli *cli, const char *word, int c, const char *why)
{
	if (!word)
		btr_usage_error("%s option '-%c'", why, c);
	size_t len = strcspn(word + 2, "=");
	if (!strcmp(why, "unknown") && prefixed(cli->all, word + 2, len) > 1)
		why = "ambiguous";
	btr_usage_error("%s option '--%.*s'", why, (int)len, word + 2);
}

/* Whether the long option WORD (after "--") takes the next word as its argument, as
 * getopt_long reads it: an exact name, else an abbreviation (an ambiguous one is
 * refused by getopt_long anyway); "--name=value" carries its own. */
static int long_takes_next(const struct option *all, const char *word)
{
	if (strchr(word, '='))
		return 0;
	size_t len = strlen(word);
	int req = 0;
	for (const struct option *o = all; o->name; o++) {
		if (strncmp(o->name, word, len))
			continue;
		if (strlen(o->name) == len)
			return o->has_arg == required_argument;
		req |= o->has_arg == required_argument;
	}
	return req;
}

/* The same for a cluster of short options (after "-"): the first one that takes an
 * argument takes the rest of the word, or the next word when it ends the cluster. */
static int short_takes_next(const char *shorts, const char *word)
{
	for (; *word; word++) {
		const char *p = *word != ':' ? strchr(shorts, *word) : NULL;
		if (p && p[1] == ':')
			return p[2] != ':' && !word[1]; /* "x::": an optional one is attached only */
	}
	return 0;
}

/* The first word from I on that is "-DIGIT..." where an option stands, or argc. */
static int digit_word(const struct btr_cli *cli, int argc, char **argv, int i)
{
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !a[1])
			continue; /* an operand, or "-" */
		if (a[1] >= '0' && a[1] <= '9')
			return i;
		if (a[1] == '-' ? long_takes_next(cli->all, a + 2) : short_takes_next(cli->shorts, a + 1))
			i++; /* its argument, whatever it looks like */
	}
	return argc;
}

int btr_cli_digit_words(struct btr_cli *cli, int argc, char **argv, const char *name)
{
	/* argv points into them until exit: each block starts with the previous one's
	 * address, so all stay reachable (no leak for valgrind or LSan). */
	static char *blocks;
	if (!cli->shorts[0])
		merge(cli);
	size_t need = 0, nl = strlen(name);
	for (int i = digit_word(cli, argc, argv, 1); i < argc; i = digit_word(cli, argc, argv, i + 1))
		need += nl + strlen(argv[i]) + 3; /* "--" NAME "=" DIGITS NUL: the '-' gives way to "=" */
	if (!need)
		return 0;
	char *block = malloc(sizeof blocks + need), *w;
	if (!block)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	memcpy(block, &blocks, sizeof blocks);
	blocks = block;
	w = block + sizeof blocks;
	for (int i = digit_word(cli, argc, argv, 1); i < argc; i = digit_word(cli, argc, argv, i + 1)) {
		char *word = w;
		w += sprintf(w, "--%s=%s", name, argv[i] + 1) + 1;
		argv[i] = word;
	}
	return 0;
}

int btr_cli_next(struct btr_cli *cli, int argc, char **argv)
{
	if (!cli->shorts[0])
		merge(cli);
	opterr = 0;
	for (;;) {
		int before = optind, c = getopt_long(argc, argv, cli->shorts, cli->all, NULL);
		/* A long option is always a word of its own: the one getopt_long just passed. */
		const char *word = optind > before && optind - 1 < argc ? argv[optind - 1] : NULL;
		if (word && !(word[0] == '-' && word[1] == '-'))
			word = NULL;
		switch (c) {
		case 'h':
			cli->usage(stdout);
			printf("      --progress  progress on stderr even when it is not a terminal\n"
			       "  -h, --help      this help;  -V, --version  the version\n");
			exit(0);
		case 'V':
			printf("%s %s\n", cli->name, BTR_VERSION);
			exit(0);
		case 'q':
			cli->quiet = 1;
			cli->progress = BTR_PROGRESS_OFF;
			continue;
		case BTR_OPT_PROGRESS:
			cli->progress = BTR_PROGRESS_FORCE;
			continue;
		case ':': bad_option(cli, word, optopt, "missing argument for");
		case '?':
			/* A long option given a value it does not take ("--quiet=1") sets optopt. */
			if (word && strchr(word, '=') && optopt)
				bad_option(cli, word, optopt, "no value allowed for");
			bad_option(cli, word, optopt, "unknown");
		case -1:
			if (optind < argc && cli->no_operands)
				btr_usage_error("unexpected argument '%s' (%s)", argv[optind], cli->no_operands);
			if (optind < argc)
				btr_usage_error("unexpected argument '%s'", argv[optind]);
			return -1;
		default: return c;
		}
	}
}

void btr_cli_unexpected(const struct btr_cli *cli, int c)
{
	btr_die(BTR_EXIT_SYS, "%s: option %d is in the table but not handled", cli->name, c);
}
