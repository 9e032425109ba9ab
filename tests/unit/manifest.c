/* btr-split's manifest (split/manifest.c): round trip, and hostile text refused with
 * a data error (class 1), never a crash. */
#include "err.h"
#include "split/split.h"
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct btr_split_manifest good(size_t n)
{
	struct btr_split_manifest m = {0};
	m.pieces = calloc(n, sizeof *m.pieces);
	m.n = n;
	for (size_t i = 0; i < n; i++) {
		m.pieces[i].size = 1000 + i;
		memset(m.pieces[i].sum, (int)(i + 1), BTR_SUM_BYTES);
		m.total += m.pieces[i].size;
	}
	btr_split_manifest_seal(&m);
	return m;
}

/* Parses text; 1 when refused as a data error with `why` in the message. */
static int refused(const char *text, const char *why)
{
	struct btr_split_manifest m;
	int r = btr_split_manifest_parse(text, strlen(text), &m);
	if (r == 0) {
		btr_split_manifest_free(&m);
		return 0;
	}
	return btr_errcode() == BTR_EXIT_DATA && strstr(btr_errmsg(), why) != NULL;
}

/* text with the first `from` replaced by `to` (malloc'd). */
static char *edit(const char *text, const char *from, const char *to)
{
	const char *p = strstr(text, from);
	char *s = malloc(strlen(text) + strlen(to) + 1);
	if (!p) {
		strcpy(s, text);
		return s;
	}
	sprintf(s, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
	return s;
}

/* The manifest text with one edit is refused with `why`. */
static int refused_edit(const char *text, const char *from, const char *to, const char *why)
{
	char *t = edit(text, from, to);
	int r = refused(t, why);
	free(t);
	return r;
}

int main(void)
{
	struct btr_split_manifest m = good(3), back;
	char *text = btr_split_manifest_format(&m);
	T_CHECK("manifest: round trip parses", btr_split_manifest_parse(text, strlen(text), &back) == 0);
	T_CHECK("manifest: round trip keeps pieces and total", back.n == 3 && back.total == m.total &&
		back.pieces[2].size == 1002 && memcmp(back.pieces[1].sum, m.pieces[1].sum, BTR_SUM_BYTES) == 0 &&
		memcmp(back.sum, m.sum, BTR_SUM_BYTES) == 0);
	btr_split_manifest_free(&back);

	char *t;
	T_CHECK("manifest: empty refused", refused("", "empty"));
	T_CHECK("manifest: wrong first line refused", refused("btr-split-manifest 2\n", "not a btr-split manifest"));
	size_t cut = (size_t)(strstr(text, "end ") - text);
	t = strndup(text, cut);
	T_CHECK("manifest: no end line is incomplete", refused(t, "incomplete"));
	free(t);
	t = strndup(text, strlen(text) - 1);
	T_CHECK("manifest: no final newline is incomplete", refused(t, "incomplete"));
	free(t);
	T_CHECK("manifest: pieces out of sequence refused", refused_edit(text, "ARCHIVE00001.bin", "ARCHIVE00002.bin", "line 3 is malformed or out of sequence"));
	T_CHECK("manifest: sizes that do not add up refused", refused_edit(text, " 1001 ", " 1002 ", "add up to"));
	T_CHECK("manifest: a lying piece count refused", refused_edit(text, "end 3 ", "end 4 ", "says 4 pieces, it lists 3"));
	T_CHECK("manifest: a changed piece checksum breaks the end checksum", refused_edit(text, "02020202", "02020203", "end checksum does not match"));
	T_CHECK("manifest: a non-hex checksum refused", refused_edit(text, "01010101", "0101010G", "malformed"));
	T_CHECK("manifest: a doubled space refused", refused_edit(text, " 1000 ", "  1000 ", "malformed"));
	T_CHECK("manifest: a 16-digit size refused (no overflow)", refused_edit(text, " 1000 ", " 1000000000000000 ", "malformed"));
	size_t tl = strlen(text);
	t = malloc(tl + 32);
	sprintf(t, "%sextra\n", text);
	T_CHECK("manifest: lines after the end refused", refused(t, "after its end line"));
	free(t);
	t = malloc(400);
	memset(t, 'x', 399);
	t[399] = 0;
	char *u = malloc(strlen(t) + 32);
	sprintf(u, "btr-split-manifest 1\n%s\n", t);
	T_CHECK("manifest: an overlong line refused", refused(u, "too long"));
	free(u);
	free(t);
	struct btr_split_manifest z = good(0);
	t = btr_split_manifest_format(&z);
	T_CHECK("manifest: no pieces refused", refused(t, "no pieces"));
	free(t);
	btr_split_manifest_free(&z);
	t = strdup(text);
	t[strlen("btr-split-manifest 1\nARCHIVE0")] = '\0';
	T_CHECK("manifest: a NUL in a piece line refused", btr_split_manifest_parse(t, tl, &back) < 0 &&
		btr_errcode() == BTR_EXIT_DATA && strstr(btr_errmsg(), "line 2"));
	free(t);
	free(text);
	btr_split_manifest_free(&m);
	return t_done();
}
