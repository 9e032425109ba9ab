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
#endif
