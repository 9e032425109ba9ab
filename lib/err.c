#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *btr_prog = "btr";
void (*btr_exit_hook)(int code);

static _Thread_local char last_msg[1024];
static _Thread_local int last_code;

/* One line to stderr, always: a message must never smuggle in a newline.  Names from
 * stream data (pools, keys, pieces) reach a terminal here: their control bytes (C0,
 * DEL, and C1 as UTF-8) are shown as \xNN, never sent.  At most 1199 bytes of buf. */
static void put_line(const char *buf)
{
	char out[4 * 1200 + 2]; /* every byte may become \xNN */
	size_t o = 0, n = 0;
	for (const unsigned char *p = (const unsigned char *)buf; *p && n < 1199; p++, n++) {
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

static void vmsg(const char *fmt, va_list ap)
{
	char buf[1200];
	int n = snprintf(buf, sizeof buf, "%s: ", btr_prog);
	if (n < 0)
		n = 0;
	vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	put_line(buf);
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
	if (btr_exit_hook)
		btr_exit_hook(code);
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
	if (btr_exit_hook)
		btr_exit_hook(BTR_EXIT_USAGE);
	exit(BTR_EXIT_USAGE);
}

void btr_usage_last(void)
{
	btr_usage_error("%s", btr_errmsg());
}

int btr_usage_check(int r)
{
	if (r < 0)
		btr_usage_last();
	return r;
}

int btr_fail_append(const char *fmt, ...)
{
	char buf[sizeof last_msg];
	size_t n = strlen(last_msg);
	memcpy(buf, last_msg, n);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof buf - n, fmt, ap);
	va_end(ap);
	memcpy(last_msg, buf, strlen(buf) + 1);
	return -1;
}

void btr_say(btr_say_fn say, const char *fmt, ...)
{
	char buf[1024];
	if (!say)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	say(buf);
}

void btr_say_msg(const char *line)
{
	btr_msg("%s", line);
}

void btr_say_line(const char *line)
{
	put_line(line);
}

int btr_first_keep(struct btr_first_error *f)
{
	int first = 0;
	pthread_mutex_lock(&f->mu);
	if (!f->code) {
		f->code = btr_errcode();
		snprintf(f->msg, sizeof f->msg, "%s", btr_errmsg());
		first = 1;
	}
	pthread_mutex_unlock(&f->mu);
	return first;
}

int btr_first_raise(struct btr_first_error *f)
{
	pthread_mutex_lock(&f->mu);
	int code = f->code;
	if (code)
		btr_fail(code, "%s", f->msg);
	pthread_mutex_unlock(&f->mu);
	return code ? -1 : 0;
}
