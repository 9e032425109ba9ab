/* libFuzzer: the SIZE arguments of every tool (-b 2G, --buffer 8M, --window 48M,
 * --max-recv-bytes ...).  A size that parses must be what its digits and suffix say,
 * without overflow; anything else must be refused, never wrapped. */
#include "size.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64)
		return 0;
	char s[65];
	memcpy(s, data, size);
	s[size] = '\0';
	uint64_t v = 0;
	char buf[32];
	if (btr_parse_size(s, &v) < 0)
		return 0;
	btr_fmt_size(v, buf, sizeof buf);
	/* Independent reading: digits (no sign, no space), then at most K/M/G/T and B/iB. */
	size_t i = 0;
	unsigned __int128 n = 0;
	while (isdigit((unsigned char)s[i])) {
		n = n * 10 + (unsigned)(s[i++] - '0');
		if (n > UINT64_MAX)
			abort(); /* accepted a number that overflows */
	}
	if (i == 0)
		abort();
	const char *u = strchr("KMGT", toupper((unsigned char)s[i]));
	if (s[i] && u) {
		n <<= 10 * (unsigned)(u - "KMGT" + 1);
		i++;
		if (s[i] && strcmp(s + i, "B") && strcmp(s + i, "iB"))
			abort();
	} else if (s[i])
		abort();
	if (n > UINT64_MAX || (uint64_t)n != v) {
		fprintf(stderr, "'%s' parsed as %llu\n", s, (unsigned long long)v);
		abort();
	}
	return 0;
}
