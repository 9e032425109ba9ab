#include "stream.h"

#include <stdio.h>
#include <string.h>

size_t btr_escape_byte(uint8_t c, char out[5])
{
	if (c == '\\') {
		memcpy(out, "\\\\", 2);
		return 2;
	}
	if (c > 0x20 && c < 0x7f) {
		out[0] = (char)c;
		return 1;
	}
	snprintf(out, 5, "\\x%02x", c);
	return 4;
}

char *btr_escape(const void *p, size_t n, char *out, size_t outlen)
{
	const uint8_t *s = p;
	size_t o = 0;
	if (outlen == 0)
		return out;
	for (size_t i = 0; i < n; i++) {
		char tmp[5];
		size_t k = btr_escape_byte(s[i], tmp);
		if (o + k + 4 > outlen) { /* room for "..." and NUL */
			if (o + 4 <= outlen) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(out + o, tmp, k);
		o += k;
	}
	out[o] = '\0';
	return out;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int btr_unescape_one(const char *s, uint8_t *out)
{
	switch (*s) {
	case '\\': *out = '\\'; return 1;
	case 'n': *out = '\n'; return 1;
	case 't': *out = '\t'; return 1;
	case '0': *out = '\0'; return 1;
	case 'x': {
		int a = hexval(s[1]), b = a < 0 ? -1 : hexval(s[2]);
		if (a < 0 || b < 0)
			return -1;
		*out = (uint8_t)(a << 4 | b);
		return 3;
	}
	}
	return -1;
}

ssize_t btr_unescape(const char *s, uint8_t *out)
{
	size_t o = 0;
	while (*s) {
		if (*s != '\\') {
			out[o++] = (uint8_t)*s++;
			continue;
		}
		int k = btr_unescape_one(s + 1, &out[o]);
		if (k < 0)
			return -1;
		o++;
		s += 1 + k;
	}
	return (ssize_t)o;
}
