#include "summary.h"
#include "args.h"
#include "err.h"
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { MAX_COUNTERS = 16 };

static struct {
	int fd;                 /* 0: no --summary-fd, or the line is written */
	const char *tool;
	struct timespec t0;
	const char *keys[MAX_COUNTERS];
	const uint64_t *vals[MAX_COUNTERS];
	int n;
} s;

static void on_exit_code(int code)
{
	(void)btr_summary_end(code);
}

int btr_summary_open(const char *tool, const char *arg)
{
	unsigned long fd;
	/* 0-2 are the data and the messages: the line must not mix into them. */
	if (btr_parse_ulong(arg, 3, 1023, &fd) < 0)
		return btr_fail(BTR_EXIT_USAGE, "--summary-fd wants a descriptor number from 3 to 1023, not '%s'", arg);
	int fl = fcntl((int)fd, F_GETFL);
	if (fl < 0)
		return btr_fail(BTR_EXIT_USAGE, "--summary-fd %lu: descriptor is not open (run with %lu>FILE)", fd, fd);
	if ((fl & O_ACCMODE) == O_RDONLY)
		return btr_fail(BTR_EXIT_USAGE, "--summary-fd %lu: descriptor is not open for writing", fd);
	s.fd = (int)fd;
	s.tool = tool;
	clock_gettime(CLOCK_MONOTONIC, &s.t0);
	btr_exit_hook = on_exit_code;
	return 0;
}

void btr_summary_count(const char *key, const uint64_t *v)
{
	if (s.n < MAX_COUNTERS) {
		s.keys[s.n] = key;
		s.vals[s.n++] = v;
	}
}

int btr_summary_format(char *buf, size_t len, const char *tool, int status, const char *const *keys,
		       const uint64_t *vals, int n, double seconds)
{
	size_t o = 0;
	int w = snprintf(buf, len, "tool=%s status=%d", tool, status);
	for (int i = 0; w >= 0 && (o += (size_t)w) < len && i < n; i++)
		w = snprintf(buf + o, len - o, " %s=%llu", keys[i], (unsigned long long)vals[i]);
	if (w >= 0 && o < len)
		w = snprintf(buf + o, len - o, " seconds=%.3f\n", seconds);
	if (w < 0 || (o += (size_t)w) >= len)
		return btr_fail(BTR_EXIT_SYS, "summary line longer than %zu bytes", len);
	return (int)o;
}

int btr_summary_end(int status)
{
	if (!s.fd)
		return 0;
	int fd = s.fd;
	s.fd = 0;
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - s.t0.tv_sec) + (double)(t1.tv_nsec - s.t0.tv_nsec) / 1e9;
	uint64_t vals[MAX_COUNTERS];
	for (int i = 0; i < s.n; i++)
		vals[i] = *s.vals[i];
	char line[1024];
	int n = btr_summary_format(line, sizeof line, s.tool, status, s.keys, vals, s.n, secs);
	if (n < 0)
		return -1;
	if (btr_write_full(fd, line, (size_t)n) < 0 || close(fd) < 0)
		return btr_fail_errno(BTR_EXIT_SYS, "--summary-fd %d: cannot write the summary line", fd);
	return 0;
}
