/* Hand-written readers, not strtod/strtoul: those accept signs, spaces, "inf",
 * "nan" and hex, and wrap on overflow. */
#include "args.h"

#include <limits.h>
#include <string.h>

/* Reads digits into *v, refusing more than `max`; returns how many were read. */
static size_t digits(const char *s, unsigned long max, unsigned long *v)
{
	size_t i = 0;
	*v = 0;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (*v > (max - d) / 10)
			return 0;
		*v = *v * 10 + d;
	}
	return i;
}

int btr_parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	unsigned long v;
	size_t n = digits(s, ULONG_MAX, &v);
	if (n == 0 || s[n] || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int btr_parse_duration_ms(const char *s, long *ms)
{
	enum { DAY_MS = 86400000 };
	unsigned long whole, frac = 0, scale = 1;
	size_t n = digits(s, DAY_MS, &whole);
	if (n == 0)
		return -1;
	s += n;
	if (*s == '.') {
		s++;
		size_t k = 0;
		/* Nine places reach below a ms even for "h"; the rest are dropped. */
		for (; s[k] >= '0' && s[k] <= '9'; k++)
			if (k < 9) {
				frac = frac * 10 + (unsigned)(s[k] - '0');
				scale *= 10;
			}
		if (k == 0)
			return -1;
		s += k;
	}
	unsigned long unit;
	if (!strcmp(s, "ms"))
		unit = 1;
	else if (!*s || !strcmp(s, "s"))
		unit = 1000;
	else if (!strcmp(s, "m"))
		unit = 60000;
	else if (!strcmp(s, "h"))
		unit = 3600000;
	else
		return -1;
	if (whole > DAY_MS / unit)
		return -1;
	/* unit * frac < 3.6e6 * 1e9 fits in 64 bits (unsigned long on our targets). */
	unsigned long long v = (unsigned long long)whole * unit +
			       (unsigned long long)unit * frac / scale;
	if (v < 1 || v > DAY_MS)
		return -1;
	*ms = (long)v;
	return 0;
}

int btr_parse_slice(const char *s, unsigned *i, unsigned *n)
{
	unsigned long a, b;
	size_t k = digits(s, 65536, &a);
	if (k == 0 || s[k] != '/')
		return -1;
	if (btr_parse_ulong(s + k + 1, 1, 65536, &b) < 0 || a >= b)
		return -1;
	*i = (unsigned)a;
	*n = (unsigned)b;
	return 0;
}

int btr_parse_pool_spec(const char *s, size_t *srclen, const char **dst)
{
	const char *colon = strchr(s, ':');
	*srclen = colon ? (size_t)(colon - s) : strlen(s);
	*dst = colon ? colon + 1 : s;
	return *srclen && **dst ? 0 : -1;
}
