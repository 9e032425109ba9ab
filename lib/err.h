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
/* Called with the exit status by btr_die() and btr_usage_error() just before they exit
 * (the --summary-fd line, summary.h); NULL: nothing. */
extern void (*btr_exit_hook)(int code);


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
/* The same for the failure a library option parser recorded. */
_Noreturn void btr_usage_last(void);
/* r, unless r < 0: then btr_usage_last().  For `if (btr_usage_check(lib_opt(...))) continue;`. */
int btr_usage_check(int r);

/* Appends to this thread's recorded failure, keeping its code; returns -1. */
int btr_fail_append(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Library code that must tell the user something that is not an error (a difference
 * found, a file created, a warning) formats one line and hands it to the tool's sink;
 * a NULL sink is quiet.  The tool chooses: btr_say_msg prints "prog: line", btr_say_line
 * the line alone. */
typedef void (*btr_say_fn)(const char *line);
void btr_say(btr_say_fn say, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void btr_say_msg(const char *line);
void btr_say_line(const char *line);

/* First error wins: workers (or later clean-up steps) keep their failure here; only
 * the first is kept, and the tool reports that one.  Thread-safe. */
#include <pthread.h>
struct btr_first_error {
	pthread_mutex_t mu;
	int code;               /* 0: nothing kept yet */
	char msg[1024];
};
#define BTR_FIRST_ERROR_INIT {PTHREAD_MUTEX_INITIALIZER, 0, ""}
/* Keeps this thread's recorded failure if it is the first; returns 1 if it was. */
int btr_first_keep(struct btr_first_error *f);
/* Records the kept failure as this thread's and returns -1; 0 when none was kept. */
int btr_first_raise(struct btr_first_error *f);

#endif
