#include "stream.h"

#include <stdio.h>
#include <string.h>

char *btr_escape(const void *p, size_t n, char *out, size_t outlen)
{
	const uint8_t *s = p;
	size_t o = 0;
	if (outlen == 0)
		return out;
	for (size_t i = 0; i < n; i++) {
		char tmp[5];
		size_t k;
		if (s[i] == '\\') {
			memcpy(tmp, "\\\\", 2);
			k = 2;
		} else if (s[i] > 0x20 && s[i] < 0x7f) {
			tmp[0] = (char)s[i];
			k = 1;
		} else {
			snprintf(tmp, sizeof tmp, "\\x%02x", s[i]);
			k = 4;
		}
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

ssize_t btr_unescape(const char *s, uint8_t *out)
{
	size_t o = 0;
	while (*s) {
		if (*s != '\\') {
			out[o++] = (uint8_t)*s++;
			continue;
		}
		s++;
		switch (*s) {
		case '\\': out[o++] = '\\'; s++; break;
		case 'n': out[o++] = '\n'; s++; break;
		case 't': out[o++] = '\t'; s++; break;
		case '0': out[o++] = '\0'; s++; break;
		case 'x': {
			int a = hexval(s[1]), b = a < 0 ? -1 : hexval(s[2]);
			if (a < 0 || b < 0)
				return -1;
			out[o++] = (uint8_t)(a << 4 | b);
			s += 3;
			break;
		}
		default:
			return -1;
		}
	}
	return (ssize_t)o;
}
