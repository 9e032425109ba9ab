/* Running an operator's command (`sh -c CMD`, $FILE set) with one end of a pipe as its
 * stdin or stdout, as btr-split --filter and --fetch do. */
#ifndef BTR_SPAWN_H
#define BTR_SPAWN_H
#include <sys/types.h>

/* Starts `sh -c cmd` with FILE=file.  dir 0: the child reads what we write to the
 * returned fd; dir 1: we read the child's stdout from it.  The child's environment
 * loses our own secrets (BTR_*PASS*): an upload command has no use for them.
 * Returns the fd (close-on-exec) and *pid, or -1 with btr_fail (3). */
int btr_spawn_sh(const char *cmd, const char *file, int dir, pid_t *pid);
/* Waits for pid; returns its wait status, or -1. */
int btr_spawn_wait(pid_t pid);

/* A time budget for a spawned process group (btr-split --filter-timeout): only the
 * time between btr_watch_start and btr_watch_stop counts (the caller blocked on the
 * group); when the budget runs out, SIGALRM kills the whole group with SIGKILL.
 * While a group is watched, SIGINT, SIGTERM, SIGHUP and SIGQUIT kill it too before
 * the process dies of them, so nothing is left running; one of them that we were
 * started ignoring stays ignored (btr_catch), by the group too.  One watch at a time
 * per process (the timer is process-wide); pgid 0 or budget_ms 0 make a watch that
 * does nothing. */
struct btr_watch {
	pid_t pgid;
	long left_ms;
	double since;
};
void btr_watch_begin(struct btr_watch *w, pid_t pgid, long budget_ms);
void btr_watch_start(struct btr_watch *w);
void btr_watch_stop(struct btr_watch *w);
/* 1 when the budget of the current watch ran out (the group was killed). */
int btr_watch_fired(void);
/* Waits for pid, its leader, counting against the watch, and ends the watch: the
 * timer is off and the group forgotten before the leader is reaped (so its id cannot
 * have been reused when the timer fires).  Returns the wait status, or -1. */
int btr_watch_wait(struct btr_watch *w, pid_t pid);
/* btr_spawn_sh and btr_watch_begin in one step.  With a budget the child leads a
 * process group of its own (pgid == *pid), so that the watch kills everything it
 * started, and one of those signals that comes while it starts waits until it is
 * watched, so it takes the group along. */
int btr_spawn_sh_watched(struct btr_watch *w, long budget_ms, const char *cmd, const char *file, int dir,
			 pid_t *pid);
#endif
