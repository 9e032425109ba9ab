#include "secret.h"
#include "err.h"
#include "args.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define SECRET_MAX 4096

/* Terminal state to restore if a signal arrives while echo is off, and the state
 * (echo off) to put back when we are continued. */
static int tty_fd = -1;
static struct termios tty_saved, tty_noecho;

/* Ctrl-Z: give the shell its terminal back with echo on, then stop. */
static void on_tstp(int sig)
{
	int e = errno;
	sigset_t set;
	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSANOW, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL); /* stops here until continued */
	struct sigaction sa = {.sa_handler = on_tstp};
	sigaction(sig, &sa, NULL);
	errno = e;
}

/* fg (or any SIGCONT, also after SIGSTOP): echo off again before anything is typed. */
static void on_cont(int sig)
{
	int e = errno;
	(void)sig;
	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSANOW, &tty_noecho);
	errno = e;
}

static void restore_tty(int sig)
{
	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSANOW, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Reads one line (up to newline or EOF) into buf; strips "\n" or "\r\n". */
static int read_line(int fd, char *buf, size_t cap, size_t *len, const char *what)
{
	size_t n = 0;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return btr_fail_errno(BTR_EXIT_SYS, "read %s", what);
		}
		if (r == 0 || c == '\n')
			break;
		if (n + 1 >= cap)
			return btr_fail(BTR_EXIT_USAGE, "%s is longer than %d bytes", what, SECRET_MAX - 1);
		buf[n++] = c;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return 0;
}

static int prompt_tty(const char *prompt, char *buf, size_t cap, size_t *len, const char *what, const char *hint)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return btr_fail(BTR_EXIT_USAGE, "no %s given and no terminal to ask on (use %s)", what, hint);
	struct termios t;
	int have_tty = tcgetattr(fd, &t) == 0;
	struct sigaction sa = {0}, old_int, old_term, old_hup, old_tstp, old_cont;
	if (have_tty) {
		tty_saved = t;
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		t.c_lflag |= ICANON;
		tty_noecho = t;
		tty_fd = fd;
		sa.sa_handler = restore_tty;
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
		sigaction(SIGHUP, &sa, &old_hup);
		sa.sa_handler = on_tstp;
		sigaction(SIGTSTP, &sa, &old_tstp);
		if (old_tstp.sa_handler == SIG_IGN) /* no job control here: stay unstoppable */
			sigaction(SIGTSTP, &old_tstp, NULL);
		sa.sa_handler = on_cont;
		sigaction(SIGCONT, &sa, &old_cont);
		tcsetattr(fd, TCSANOW, &t);
	}
	int rc = 0;
	if (write(fd, prompt, strlen(prompt)) < 0)
		rc = btr_fail_errno(BTR_EXIT_SYS, "write /dev/tty");
	if (rc == 0)
		rc = read_line(fd, buf, cap, len, what);
	if (write(fd, "\n", 1) < 0) {
		/* the newline is cosmetic */
	}
	if (have_tty) {
		tcsetattr(fd, TCSANOW, &tty_saved);
		tty_fd = -1;
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
		sigaction(SIGTSTP, &old_tstp, NULL);
		sigaction(SIGCONT, &old_cont, NULL);
	}
	close(fd);
	return rc;
}

char *btr_secret_get(const struct btr_secret_src *src, const char *prompt, int confirm, size_t *len)
{
	char *s = sodium_malloc(SECRET_MAX);
	if (!s) {
		btr_fail(BTR_EXIT_SYS, "out of memory for the %s", src->what);
		return NULL;
	}
	int rc;
	if (src->file) {
		char what[64];
		snprintf(what, sizeof what, "%s file", src->what);
		int fd = open(src->file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			rc = btr_fail_errno(BTR_EXIT_USAGE, "open %s %s", what, src->file);
		else {
			rc = btr_secret_file_private(fd, what, src->file, src->insecure_ok);
			if (rc == 0)
				rc = read_line(fd, s, SECRET_MAX, len, src->what);
			close(fd);
		}
	} else if (src->fd >= 0) {
		rc = read_line(src->fd, s, SECRET_MAX, len, src->what);
		close(src->fd);
	} else if (src->env && getenv(src->env)) {
		char *e = getenv(src->env);
		size_t n = strlen(e);
		if (n >= SECRET_MAX) {
			rc = btr_fail(BTR_EXIT_USAGE, "%s in %s is too long", src->what, src->env);
		} else {
			memcpy(s, e, n + 1);
			/* One line ending stripped, as from a file (BTR_PASSPHRASE=$(cat file)
			 * has none, but one set from a file read whole has). */
			if (n && s[n - 1] == '\n')
				s[--n] = '\0';
			if (n && s[n - 1] == '\r')
				s[--n] = '\0';
			*len = n;
			rc = 0;
		}
		/* Children must not inherit it, and the copy in environ is wiped. */
		sodium_memzero(e, n);
		unsetenv(src->env);
	} else {
		rc = prompt_tty(prompt, s, SECRET_MAX, len, src->what, src->hint);
		if (rc == 0 && confirm) {
			char *again = sodium_malloc(SECRET_MAX);
			size_t n2 = 0;
			char p2[256];
			snprintf(p2, sizeof p2, "%s (again): ", src->what);
			if (!again)
				rc = btr_fail(BTR_EXIT_SYS, "out of memory");
			else if ((rc = prompt_tty(p2, again, SECRET_MAX, &n2, src->what, src->hint)) == 0 &&
				 (n2 != *len || sodium_memcmp(again, s, n2) != 0))
				rc = btr_fail(BTR_EXIT_USAGE, "the %ss do not match", src->what);
			sodium_free(again);
		}
	}
	if (rc == 0 && *len == 0)
		rc = btr_fail(BTR_EXIT_USAGE, "empty %s", src->what);
	if (rc < 0) {
		sodium_free(s);
		return NULL;
	}
	return s;
}

int btr_secret_file_private(int fd, const char *what, const char *path, int insecure_ok)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return btr_fail_errno(BTR_EXIT_SYS, "stat %s %s", what, path);
	if (S_ISREG(st.st_mode) && (st.st_mode & 077) && !insecure_ok)
		return btr_fail(BTR_EXIT_USAGE, "%s %s is readable by group or others (mode %04o): chmod 600 it, or use --insecure-key-file",
				what, path, (unsigned)(st.st_mode & 07777));
	return 0;
}

int btr_secret_fd_arg(const char *arg, const char *opt, int *fd)
{
	static const char *const std[] = {"stdin (the data)", "stdout (the data)", "stderr (the messages)"};
	unsigned long v;
	if (btr_parse_ulong(arg, 0, INT_MAX, &v) < 0)
		return btr_fail(BTR_EXIT_USAGE, "bad file descriptor '%s' for %s", arg, opt);
	if (v <= 2)
		return btr_fail(BTR_EXIT_USAGE, "%s %lu is %s: use another descriptor, e.g. %s 3 3<FILE", opt, v, std[v], opt);
	*fd = (int)v;
	return 0;
}

void btr_secret_free(char *s)
{
	if (s)
		sodium_free(s); /* sodium_free wipes before releasing */
}
