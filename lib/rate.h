/* A token bucket: --limit-rate, --limit-ops and --limit-keys of every tool.  Shared by
 * all the threads of a tool; tokens refill continuously with monotonic time, the burst
 * is capped at BTR_RATE_BURST of a second's worth, and a take larger than what is left
 * runs the bucket into debt and sleeps it off, so the flow is smooth, not
 * a second's worth at once followed by a pause. */
#ifndef BTR_RATE_H
#define BTR_RATE_H
#include <pthread.h>
#include <stdint.h>

#define BTR_RATE_BURST 0.05 /* seconds' worth of tokens a quiet bucket may save up */

struct btr_rate {
	pthread_mutex_t mu;
	double per_sec, tokens, burst, last;
};

/* per_sec > 0.  A NULL bucket (no limit) is valid wherever a bucket is taken. */
void btr_rate_init(struct btr_rate *r, uint64_t per_sec);
/* Takes n tokens, sleeping for the deficit.  A signal cuts the sleep short (the caller
 * checks its stop flag next).  No-op when r is NULL. */
void btr_rate_take(struct btr_rate *r, uint64_t n);
void btr_rate_destroy(struct btr_rate *r);
/* want, or a tenth of a second's worth when that is less (at least 1): the size of
 * a batch (a Range page, a Txn) that keeps a limited flow smooth at the server too. */
long btr_rate_batch(const struct btr_rate *r, long want);
/* The limit per second, 0 for NULL (for progress lines). */
uint64_t btr_rate_per_sec(const struct btr_rate *r);

/* "50M", "50M/s", "1G", "200" (the suffixes of btr_parse_size; an optional "/s");
 * 0 is refused.  0, or -1 on bad input. */
int btr_parse_rate(const char *s, uint64_t *out);
/* The same for an option: a bad value is a usage failure (btr_fail, BTR_EXIT_USAGE)
 * naming the option, -1; `what` says per second of what ("bytes", "objects", "keys"). */
int btr_rate_arg(const char *opt, const char *s, const char *what, uint64_t *out);
/* btr_rate_arg, then a bucket of that rate that lives as long as the process (a tool
 * has at most a few: one per --limit-* option); NULL (a usage failure recorded) on a
 * bad value (the tool then calls btr_usage_last()). */
struct btr_rate *btr_rate_opt(const char *opt, const char *s, const char *what);
#endif
