/* libFuzzer: the option arguments that are not sizes: durations (--dial-timeout 5s),
 * numbers (-j, --timeout), slices (--slice 2/7) and pool mappings (-p SRC:DST).  The
 * first byte picks the parser, the rest is the argument.  Whatever is accepted must
 * be what an independent reading says; what that reading accepts must not be refused. */
#include "args.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ^[0-9]+(\.[0-9]+)?$ up to `end` */
static int decimal(const char *s, const char *end, int allow_point)
{
	const char *p = s;
	while (p < end && isdigit((unsigned char)*p))
		p++;
	if (p == s)
		return 0;
	if (p < end && *p == '.' && allow_point) {
		const char *q = ++p;
		while (p < end && isdigit((unsigned char)*p))
			p++;
		if (p == q)
			return 0;
	}
	return p == end;
}

static void duration(const char *s)
{
	long ms = -1;
	int ok = btr_parse_duration_ms(s, &ms) == 0;
	size_t n = strlen(s);
	const char *units[] = {"ms", "s", "m", "h", ""};
	const long double mult[] = {1, 1000, 60000, 3600000, 1000};
	for (int u = 0; u < 5; u++) {
		size_t ul = strlen(units[u]);
		if (n < ul || strcmp(s + n - ul, units[u]) || !decimal(s, s + n - ul, 1))
			continue;
		long double want = strtold(s, NULL) * mult[u];
		if (ok && (ms < 1 || ms > 86400000 || fabsl((long double)ms - want) > 1.01L)) {
			fprintf(stderr, "'%s' read as %ld ms, not %Lf\n", s, ms, want);
			abort();
		}
		if (!ok && want >= 1.5L && want <= 86399999.0L) {
			fprintf(stderr, "'%s' (%Lf ms) refused\n", s, want);
			abort();
		}
		return;
	}
	if (ok) {
		fprintf(stderr, "'%s' is not a duration but read as %ld ms\n", s, ms);
		abort();
	}
}

static void number(const char *s)
{
	unsigned long v = 0;
	int ok = btr_parse_ulong(s, 3, 1000000, &v) == 0;
	int digits = decimal(s, s + strlen(s), 0);
	unsigned long long want = 0;
	for (const char *p = s; digits && *p; p++)
		want = want > 1000000 ? want : want * 10 + (unsigned)(*p - '0');
	if (ok != (digits && want >= 3 && want <= 1000000) || (ok && v != want)) {
		fprintf(stderr, "'%s': ok %d, %lu\n", s, ok, v);
		abort();
	}
}

static void slice(const char *s)
{
	unsigned i = 0, n = 0;
	if (btr_parse_slice(s, &i, &n) < 0)
		return;
	char back[64];
	snprintf(back, sizeof back, "%u/%u", i, n);
	const char *slash = strchr(s, '/');
	if (!slash || i >= n || n < 1 || n > 65536 || !decimal(s, slash, 0) ||
	    !decimal(slash + 1, s + strlen(s), 0) || strtoul(s, NULL, 10) != i || strtoul(slash + 1, NULL, 10) != n) {
		fprintf(stderr, "'%s' read as %s\n", s, back);
		abort();
	}
}

static void pool(const char *s)
{
	size_t srclen = 0;
	const char *dst = NULL;
	int ok = btr_parse_pool_spec(s, &srclen, &dst) == 0;
	const char *colon = strchr(s, ':');
	int want = colon ? colon > s && colon[1] : *s != 0;
	if (ok != want || (ok && (srclen != (colon ? (size_t)(colon - s) : strlen(s)) ||
				  memchr(s, ':', srclen) || strcmp(dst, colon ? colon + 1 : s)))) {
		fprintf(stderr, "'%s': ok %d\n", s, ok);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (size < 1 || size > 128)
		return 0;
	char s[128];
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0: duration(s); break;
	case 1: number(s); break;
	case 2: slice(s); break;
	case 3: pool(s); break;
	}
	return 0;
}
