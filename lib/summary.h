/* --summary-fd N: one machine-readable line at the end of a run, for the front end and
 * for schedulers, so nothing has to scrape the prose summary on stderr.
 *
 *   tool=ceph-load status=0 objects=12 bytes=3456 skipped=0 deleted=0 seconds=1.234
 *
 * Space-separated key=value pairs: tool first, status second, the tool's counters,
 * seconds (wall time since btr_summary_open, 3 decimals) last; keys are [a-z_]
 * and values are decimal numbers (but tool).  Exactly one line is written, also when
 * the tool fails (with its exit status and the counts so far): btr_die() and
 * btr_usage_error() write it before they exit. */
#ifndef BTR_SUMMARY_H
#define BTR_SUMMARY_H
#include <stddef.h>
#include <stdint.h>

/* Parses N (a descriptor from 3 to 1023 that is open for writing) and starts the clock.
 * 0, or -1 with btr_fail (usage). */
int btr_summary_open(const char *tool, const char *arg);
/* Reports *v under key at the end (the pointer is read when the line is written, so
 * a failure shows the count so far).  Up to 16 counters, in this order. */
void btr_summary_count(const char *key, const uint64_t *v);
/* Writes the line once (later calls do nothing; nothing without --summary-fd) and
 * closes the descriptor.  0, or -1 with btr_fail (system) when it cannot be written. */
int btr_summary_end(int status);
/* Formats the line into buf (for the unit test). */
int btr_summary_format(char *buf, size_t len, const char *tool, int status, const char *const *keys,
		       const uint64_t *vals, int n, double seconds);
#endif
