#include "spawn.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
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

int btr_spawn_sh(const char *cmd, const char *file, int dir, pid_t *pid)
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
		dup2(fds[dir ? 1 : 0], dir ? STDOUT_FILENO : STDIN_FILENO);
		signal(SIGPIPE, SIG_DFL);
		scrub_env();
		setenv("FILE", file, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[dir ? 1 : 0]);
	return fds[dir ? 0 : 1];
}

int btr_spawn_wait(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}
