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
 * signal kills at once. */
enum { BTR_STOP_HUP = 1, BTR_STOP_ONCE = 2 };
void btr_catch_stop(int flags);

#endif
