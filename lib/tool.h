/* What every tool does first. */
#ifndef BTR_TOOL_H
#define BTR_TOOL_H

/* Sets the program name from argv[0], initialises libsodium, and ignores SIGPIPE, so a vanished
 * downstream surfaces as EPIPE and a documented exit status, not a silent kill. */
void btr_init(const char *argv0);

#endif
