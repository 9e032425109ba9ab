#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *btr_prog = "btr";

static _Thread_local char last_msg[1024];
static _Thread_local int last_code;

static void vmsg(const char *fmt, va_list ap)
{
	char buf[1200];
	int n = snprintf(buf, sizeof buf, "%s: ", btr_prog);
	if (n < 0)
		n = 0;
	vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	/* One line, always: a message must never smuggle in a newline.  Names from
	 * stream data (pools, keys, pieces) reach a terminal here: their control bytes
	 * (C0, DEL, and C1 as UTF-8) are shown as \xNN, never sent. */
	char out[4 * sizeof buf + 2]; /* every byte may become \\xNN */
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
		if (*p == '\n' || *p == '\r')
			out[o++] = ' ';
		else if (*p < 0x20 || *p == 0x7f)
			o += (size_t)snprintf(out + o, sizeof out - o, "\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			o += (size_t)snprintf(out + o, sizeof out - o, "\\x%02x\\x%02x", p[0], p[1]);
			p++;
		} else
			out[o++] = (char)*p;
	}
	out[o++] = '\n';
	fwrite(out, 1, o, stderr);
}

void btr_msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void btr_die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(code);
}

/* Formats into a scratch buffer first, so a message may wrap btr_errmsg() itself. */
int btr_fail(int code, const char *fmt, ...)
{
	char buf[sizeof last_msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	memcpy(last_msg, buf, sizeof buf);
	last_code = code;
	return -1;
}

int btr_fail_errno(int code, const char *fmt, ...)
{
	int e = errno;
	char buf[sizeof last_msg];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof buf)
		snprintf(buf + n, sizeof buf - (size_t)n, ": %s", strerror(e));
	memcpy(last_msg, buf, sizeof buf);
	last_code = code;
	errno = e;
	return -1;
}

const char *btr_errmsg(void)
{
	return last_msg[0] ? last_msg : "unknown error";
}

int btr_errcode(void)
{
	return last_code ? last_code : BTR_EXIT_SYS;
}

void btr_die_last(void)
{
	btr_die(btr_errcode(), "%s", btr_errmsg());
}

void btr_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", btr_prog);
	exit(BTR_EXIT_USAGE);
}
