#include "progress.h"
#include "size.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

double btr_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int on_tty;

void btr_progress_init(struct btr_progress *p, const char *label, int mode)
{
	*p = (struct btr_progress){0};
	p->label = label;
	on_tty = isatty(STDERR_FILENO);
	p->enabled = mode == BTR_PROGRESS_FORCE || (mode == BTR_PROGRESS_AUTO && on_tty);
	p->start = p->last = btr_now();
}

static void draw(struct btr_progress *p, double now, int final)
{
	char b[32], r[32], line[256];
	double dt = now - p->start;
	double rate = dt > 0 ? (double)p->bytes / dt : 0;
	char items[64] = "";
	const char *unit = p->unit ? p->unit : "objects";
	if (*unit)
		snprintf(items, sizeof items, "%llu %s, ", (unsigned long long)p->items, unit);
	int n = snprintf(line, sizeof line, "%s: %s%s, %s/s", p->label, items, btr_fmt_size(p->bytes, b, sizeof b),
			 btr_fmt_size((uint64_t)rate, r, sizeof r));
	if (!final && p->total_bytes > p->bytes && rate > 0 && n > 0 && (size_t)n < sizeof line) {
		unsigned eta = (unsigned)((double)(p->total_bytes - p->bytes) / rate);
		n += snprintf(line + n, sizeof line - (size_t)n, ", ETA %u:%02u:%02u", eta / 3600, eta / 60 % 60, eta % 60);
	}
	if (p->limit_bytes && n > 0 && (size_t)n < sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n, " (limit %s/s)", btr_fmt_size(p->limit_bytes, r, sizeof r));
	if (p->limit_items && n > 0 && (size_t)n < sizeof line)
		snprintf(line + n, sizeof line - (size_t)n, " (limit %llu %s/s)", (unsigned long long)p->limit_items,
			 *unit ? unit : "items");
	if (on_tty)
		fprintf(stderr, "\r\033[K%s", line);
	else
		fprintf(stderr, "%s\n", line);
	p->drawn = 1;
}

void btr_progress_add(struct btr_progress *p, uint64_t items, uint64_t bytes)
{
	p->items += items;
	p->bytes += bytes;
	if (!p->enabled)
		return;
	double now = btr_now();
	if (now - p->last < (on_tty ? 0.25 : 5.0))
		return;
	p->last = now;
	draw(p, now, 0);
}

void btr_progress_done(struct btr_progress *p)
{
	if (!p->enabled)
		return;
	if (on_tty) {
		if (p->drawn)
			fprintf(stderr, "\r\033[K");
	} else {
		draw(p, btr_now(), 1);
	}
}
