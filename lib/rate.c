#include "rate.h"
#include "err.h"
#include "progress.h"
#include "size.h"

#include <errno.h>
#include <string.h>
#include <time.h>

void btr_rate_init(struct btr_rate *r, uint64_t per_sec)
{
	pthread_mutex_init(&r->mu, NULL);
	r->per_sec = (double)per_sec;
	/* at least one token, or a rate below 20/s could never take anything */
	r->burst = r->per_sec * BTR_RATE_BURST < 1 ? 1 : r->per_sec * BTR_RATE_BURST;
	r->tokens = 0; /* no burst at the start either */
	r->last = btr_now();
}

void btr_rate_take(struct btr_rate *r, uint64_t n)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	double now = btr_now();
	r->tokens += (now - r->last) * r->per_sec;
	if (r->tokens > r->burst)
		r->tokens = r->burst;
	r->last = now;
	/* Reserve now, wait outside the lock: later takers queue behind this debt. */
	r->tokens -= (double)n;
	double wait = r->tokens < 0 ? -r->tokens / r->per_sec : 0;
	pthread_mutex_unlock(&r->mu);
	if (wait <= 0)
		return;
	struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
	nanosleep(&ts, NULL); /* EINTR: a stop signal; the caller looks at its flag */
}

void btr_rate_destroy(struct btr_rate *r)
{
	pthread_mutex_destroy(&r->mu);
}

uint64_t btr_rate_per_sec(const struct btr_rate *r)
{
	return r ? (uint64_t)r->per_sec : 0;
}

long btr_rate_batch(const struct btr_rate *r, long want)
{
	if (!r || r->per_sec / 10 >= (double)want)
		return want;
	return r->per_sec >= 20 ? (long)(r->per_sec / 10) : 1;
}

int btr_parse_rate(const char *s, uint64_t *out)
{
	char buf[64];
	size_t n = strlen(s);
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, s, n + 1);
	if (n > 2 && !strcmp(buf + n - 2, "/s"))
		buf[n - 2] = '\0';
	uint64_t v;
	if (btr_parse_size(buf, &v) < 0 || v == 0)
		return -1;
	*out = v;
	return 0;
}

int btr_rate_arg(const char *opt, const char *s, const char *what, uint64_t *out)
{
	if (btr_parse_rate(s, out) < 0)
		return btr_fail(BTR_EXIT_USAGE,
				"%s wants %s per second above 0 (e.g. %s; K M G T are powers of 1024), not '%s'",
				opt, what, strcmp(what, "bytes") ? "500, 2K" : "50M, 1G", s);
	return 0;
}

struct btr_rate *btr_rate_opt(const char *opt, const char *s, const char *what)
{
	static struct btr_rate pool[4];
	static unsigned used;
	uint64_t v;
	if (btr_rate_arg(opt, s, what, &v) < 0)
		return NULL;
	if (used == sizeof pool / sizeof *pool) {
		btr_fail(BTR_EXIT_USAGE, "%s: too many --limit options", opt);
		return NULL;
	}
	btr_rate_init(&pool[used], v);
	return &pool[used++];
}
