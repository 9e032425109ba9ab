/* One error convention for every tool.
 *
 * Exit status: 0 success, 1 data or authentication failure, 2 usage, 3 server or
 * system failure.  Library code never prints and never exits: it records one line
 * with btr_fail() and returns -1; the tool decides (btr_die_last()).  Messages are
 * one line, naming what failed and why, and never contain secrets. */
#ifndef BTR_ERR_H
#define BTR_ERR_H

#include <stdarg.h>

enum {
	BTR_EXIT_OK = 0,
	BTR_EXIT_DATA = 1,
	BTR_EXIT_USAGE = 2,
	BTR_EXIT_SYS = 3,
};

extern const char *btr_prog;


/* "prog: message" on stderr. */
void btr_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void btr_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records the failure for this thread; returns -1 so callers can `return btr_fail(...)`. */
int btr_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, appending ": strerror(errno)". */
int btr_fail_errno(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *btr_errmsg(void);
int btr_errcode(void);
/* Prints the recorded failure (prefixed by `what: ` when not NULL) and exits with its code. */
_Noreturn void btr_die_last(void);

/* Usage error: prints the message and "try 'prog --help'" and exits 2. */
_Noreturn void btr_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
