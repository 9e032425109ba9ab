#include "spawn.h"
#include "err.h"
#include "progress.h"
#include "tool.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* In the child only: drops BTR_...PASS... variables (unsetenv shifts environ, so rescan). */
static void scrub_env(void)
{
	for (int again = 1; again;) {
		again = 0;
		for (char **e = environ; e && *e; e++) {
			const char *eq = strchr(*e, '=');
			if (strncmp(*e, "BTR_", 4) != 0 || !eq)
				continue;
			char name[256];
			size_t n = (size_t)(eq - *e);
			if (n >= sizeof name)
				continue;
			memcpy(name, *e, n);
			name[n] = '\0';
			if (strstr(name, "PASS")) {
				unsetenv(name);
				again = 1;
				break;
			}
		}
	}
}

/* The mask a watched child must get back before exec (see btr_spawn_sh_watched). */
static sigset_t unblocked;

static int spawn(const char *cmd, const char *file, int dir, int group, pid_t *pid)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return btr_fail_errno(BTR_EXIT_SYS, "pipe for the command of %s", file);
	if ((*pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return btr_fail_errno(BTR_EXIT_SYS, "fork the command of %s", file);
	}
	if (*pid == 0) {
		if (group) {
			setpgid(0, 0);
			sigprocmask(SIG_SETMASK, &unblocked, NULL);
		}
		dup2(fds[dir ? 1 : 0], dir ? STDOUT_FILENO : STDIN_FILENO);
		signal(SIGPIPE, SIG_DFL);
		scrub_env();
		setenv("FILE", file, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (group) /* as well as the child: whichever runs first, the group exists */
		setpgid(*pid, *pid);
	close(fds[dir ? 1 : 0]);
	return fds[dir ? 0 : 1];
}

int btr_spawn_sh(const char *cmd, const char *file, int dir, pid_t *pid)
{
	return spawn(cmd, file, dir, 0, pid);
}


int btr_spawn_wait(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

/* ---- watches ---- */

static volatile sig_atomic_t watched_pgid, fired;

static void on_alarm(int sig)
{
	(void)sig;
	if (watched_pgid > 0) {
		kill(-(pid_t)watched_pgid, SIGKILL);
		fired = 1;
	}
}

static void on_fatal(int sig)
{
	if (watched_pgid > 0)
		kill(-(pid_t)watched_pgid, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void set_timer(long ms)
{
	struct itimerval t = {{0, 0}, {ms / 1000, ms % 1000 * 1000}};
	setitimer(ITIMER_REAL, &t, NULL);
}

/* SIGQUIT too: the filter has a group of its own, so a terminal's quit key never reaches it. */
static const int fatal[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

static void install(void)
{
	static int installed;
	if (installed)
		return;
	struct sigaction sa = {0};
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_fatal;
	for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++)
		btr_catch(fatal[i], &sa); /* one ignored from the start stays ignored, by the filter too */
	installed = 1;
}

void btr_watch_begin(struct btr_watch *w, pid_t pgid, long budget_ms)
{
	w->pgid = budget_ms > 0 ? pgid : 0;
	w->left_ms = budget_ms;
	fired = 0;
	if (!w->pgid)
		return;
	install();
	watched_pgid = pgid;
}

int btr_spawn_sh_watched(struct btr_watch *w, long budget_ms, const char *cmd, const char *file, int dir,
			 pid_t *pid)
{
	if (budget_ms <= 0) {
		int fd = spawn(cmd, file, dir, 0, pid);
		if (fd >= 0)
			btr_watch_begin(w, *pid, 0);
		return fd;
	}
	/* A SIGINT between the fork and the watch would kill us and leave the group
	 * running: it waits, blocked, until the group is watched. */
	sigset_t block;
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++)
		sigaddset(&block, fatal[i]);
	install();
	sigprocmask(SIG_BLOCK, &block, &unblocked);
	int fd = spawn(cmd, file, dir, 1, pid);
	if (fd >= 0)
		btr_watch_begin(w, *pid, budget_ms);
	sigprocmask(SIG_SETMASK, &unblocked, NULL);
	return fd;
}

void btr_watch_start(struct btr_watch *w)
{
	if (!w->pgid)
		return;
	w->since = btr_now();
	if (w->left_ms <= 0)
		on_alarm(SIGALRM);
	else
		set_timer(w->left_ms);
}

void btr_watch_stop(struct btr_watch *w)
{
	if (!w->pgid)
		return;
	set_timer(0);
	w->left_ms -= (long)((btr_now() - w->since) * 1000);
}

int btr_watch_fired(void)
{
	return fired;
}

int btr_watch_wait(struct btr_watch *w, pid_t pid)
{
	siginfo_t si;
	btr_watch_start(w);
	/* WNOWAIT: the leader stays a zombie, its id taken, until the timer is off */
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	btr_watch_stop(w);
	watched_pgid = 0;
	w->pgid = 0;
	return btr_spawn_wait(pid);
}
