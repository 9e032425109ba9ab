/* Progress on stderr: objects, bytes, rate, ETA when the total is known.
 * Shown when stderr is a terminal, or when forced (--progress); never with --quiet. */
#ifndef BTR_PROGRESS_H
#define BTR_PROGRESS_H
#include <stdint.h>

struct btr_progress {
	int enabled;
	const char *label;
	const char *unit;       /* what items are: NULL for "objects", "" to show bytes only */
	uint64_t items, bytes;
	uint64_t total_items, total_bytes; /* 0 when unknown */
	double start, last;
	int drawn;
	uint64_t limit_bytes, limit_items; /* per second, shown when set (--limit-*) */
};

enum { BTR_PROGRESS_AUTO = 0, BTR_PROGRESS_FORCE = 1, BTR_PROGRESS_OFF = 2 };

void btr_progress_init(struct btr_progress *p, const char *label, int mode);
/* Adds to the counters and redraws at most a few times per second. */
void btr_progress_add(struct btr_progress *p, uint64_t items, uint64_t bytes);
/* Clears the line (terminal) or prints a final line (forced, not a terminal). */
void btr_progress_done(struct btr_progress *p);
double btr_now(void);
#endif
