#include "tool.h"
#include "err.h"
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t btr_stop_signal;

static void on_stop(int sig)
{
	btr_stop_signal = sig;
}

void btr_catch_stop(int flags)
{
	struct sigaction sa = {.sa_handler = on_stop, .sa_flags = flags & BTR_STOP_ONCE ? SA_RESETHAND : 0};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (flags & BTR_STOP_HUP)
		sigaction(SIGHUP, &sa, NULL);
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
