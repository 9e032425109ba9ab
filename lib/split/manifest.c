/* The manifest, plain text, written last:
 *   btr-split-manifest 1
 *   ARCHIVE00000.bin SIZE XXH3-128-HEX
 *   ...
 *   end PIECES TOTAL_BYTES XXH3-128-HEX
 * where the last checksum is over the piece checksums in order (it binds their order
 * and number without hashing the data twice).
 * A manifest without its end line is incomplete; nothing may follow it. */
#include "split.h"
#include "err.h"
#include "grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void btr_split_piece_name(char *out, size_t len, size_t i)
{
	snprintf(out, len, "ARCHIVE%05zu.bin", i);
}

int btr_split_piece_index(const char *name, size_t *i)
{
	size_t l = strlen(name);
	if (strncmp(name, "ARCHIVE", 7) != 0 || l < 16 || l > 24 || strcmp(name + l - 4, ".bin") != 0 ||
	    strspn(name + 7, "0123456789") != l - 11)
		return -1;
	char want[32];
	*i = (size_t)strtoull(name + 7, NULL, 10);
	btr_split_piece_name(want, sizeof want, *i);
	return strcmp(want, name) == 0 ? 0 : -1;
}

static int hexsum(const char *s, size_t n, uint8_t out[BTR_SUM_BYTES])
{
	if (n != 2 * BTR_SUM_BYTES)
		return -1;
	for (int i = 0; i < BTR_SUM_BYTES; i++) {
		unsigned v;
		char b[3] = {s[2 * i], s[2 * i + 1], 0};
		if (!strchr("0123456789abcdef", b[0]) || !strchr("0123456789abcdef", b[1]) || sscanf(b, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static int number(const char *s, size_t n, uint64_t *v)
{
	if (n == 0 || n > 15)
		return -1;
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return 0;
}

/* Splits a line into exactly k space-separated fields. */
static int fields(const char *line, size_t len, const char **f, size_t *fl, int k)
{
	int n = 0;
	size_t i = 0;
	while (i < len) {
		if (n == k)
			return -1;
		f[n] = line + i;
		while (i < len && line[i] != ' ')
			i++;
		fl[n] = (size_t)(line + i - f[n]);
		if (fl[n] == 0)
			return -1;
		n++;
		if (i < len)
			i++;
	}
	return n == k ? 0 : -1;
}

static int malformed(size_t lineno)
{
	return btr_fail(BTR_EXIT_DATA, "manifest line %zu is malformed or out of sequence", lineno);
}

/* "end PIECES TOTAL SUM": its counts and checksum must agree with the piece lines. */
static int end_line(struct btr_split_manifest *m, const char *line, size_t ll, size_t lineno)
{
	const char *f[4];
	size_t fl[4];
	uint64_t n, t = 0;
	if (fields(line, ll, f, fl, 4) < 0 || number(f[1], fl[1], &n) < 0 || number(f[2], fl[2], &m->total) < 0 ||
	    hexsum(f[3], fl[3], m->sum) < 0)
		return malformed(lineno);
	if (n != m->n)
		return btr_fail(BTR_EXIT_DATA, "manifest end line says %llu pieces, it lists %zu", (unsigned long long)n,
				m->n);
	for (size_t i = 0; i < m->n; i++)
		t += m->pieces[i].size;
	if (t != m->total)
		return btr_fail(BTR_EXIT_DATA, "manifest pieces add up to %llu bytes, its end line says %llu",
				(unsigned long long)t, (unsigned long long)m->total);
	uint8_t want_sum[BTR_SUM_BYTES];
	memcpy(want_sum, m->sum, sizeof want_sum);
	btr_split_manifest_seal(m);
	if (memcmp(want_sum, m->sum, sizeof want_sum) != 0)
		return btr_fail(BTR_EXIT_DATA, "manifest end checksum does not match its piece lines (line %zu)", lineno);
	return 0;
}

/* "ARCHIVENNNNN.bin SIZE SUM": the next piece, in sequence. */
static int piece_line(struct btr_split_manifest *m, size_t *cap, const char *line, size_t ll, size_t lineno)
{
	const char *f[3];
	size_t fl[3];
	char want[32];
	uint64_t size;
	btr_split_piece_name(want, sizeof want, m->n);
	if (fields(line, ll, f, fl, 3) < 0 || fl[0] != strlen(want) || memcmp(f[0], want, fl[0]) != 0 ||
	    number(f[1], fl[1], &size) < 0 || m->n >= BTR_SPLIT_MAX_PIECES)
		return malformed(lineno);
	if (btr_grow((void **)&m->pieces, cap, m->n + 1, sizeof *m->pieces) < 0)
		return -1;
	m->pieces[m->n].size = size;
	if (hexsum(f[2], fl[2], m->pieces[m->n].sum) < 0)
		return malformed(lineno);
	m->n++;
	return 0;
}

void btr_split_manifest_begin(struct btr_split_parse *ps, struct btr_split_manifest *m)
{
	memset(m, 0, sizeof *m);
	memset(ps, 0, sizeof *ps);
	ps->m = m;
}

static int parse_fail(struct btr_split_parse *ps)
{
	btr_split_manifest_free(ps->m);
	return -1;
}

int btr_split_manifest_line(struct btr_split_parse *ps, const char *line, size_t ll)
{
	size_t lineno = ++ps->lineno;
	int rc;
	if (ll > BTR_SPLIT_MANIFEST_LINE_MAX)
		rc = btr_fail(BTR_EXIT_DATA, "manifest line %zu is too long", lineno);
	else if (ps->ended)
		rc = btr_fail(BTR_EXIT_DATA, "manifest has lines after its end line (line %zu)", lineno);
	else if (lineno == 1)
		/* nothing parsed yet: nothing to free */
		return ll != 20 || memcmp(line, "btr-split-manifest 1", 20) != 0
			       ? btr_fail(BTR_EXIT_DATA, "not a btr-split manifest (line 1)")
			       : 0;
	else if (ll > 4 && memcmp(line, "end ", 4) == 0)
		rc = end_line(ps->m, line, ll, lineno), ps->ended = 1;
	else
		rc = piece_line(ps->m, &ps->cap, line, ll, lineno);
	return rc < 0 ? parse_fail(ps) : 0;
}

int btr_split_manifest_end(struct btr_split_parse *ps, int partial_line)
{
	if (ps->lineno == 0 && !partial_line)
		return btr_fail(BTR_EXIT_DATA, "manifest is empty");
	if (!ps->ended || partial_line) {
		parse_fail(ps);
		return btr_fail(BTR_EXIT_DATA, "manifest is incomplete (no end line): the split did not finish");
	}
	if (ps->m->n == 0) {
		parse_fail(ps);
		return btr_fail(BTR_EXIT_DATA, "manifest lists no pieces");
	}
	return 0;
}

int btr_split_manifest_parse(const char *text, size_t len, struct btr_split_manifest *m)
{
	struct btr_split_parse ps;
	btr_split_manifest_begin(&ps, m);
	size_t pos = 0;
	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		if (!nl)
			break;
		size_t ll = (size_t)(nl - line);
		pos += ll + 1;
		if (btr_split_manifest_line(&ps, line, ll) < 0)
			return -1;
	}
	return btr_split_manifest_end(&ps, pos < len);
}

char *btr_split_manifest_format(const struct btr_split_manifest *m)
{
	size_t cap = 64 + m->n * 120 + 160, o = 0;
	char *s = malloc(cap), name[32];
	if (!s)
		return NULL;
	o += (size_t)snprintf(s + o, cap - o, "btr-split-manifest 1\n");
	for (size_t i = 0; i < m->n; i++) {
		btr_split_piece_name(name, sizeof name, i);
		o += (size_t)snprintf(s + o, cap - o, "%s %llu ", name, (unsigned long long)m->pieces[i].size);
		for (int j = 0; j < BTR_SUM_BYTES; j++)
			o += (size_t)snprintf(s + o, cap - o, "%02x", m->pieces[i].sum[j]);
		s[o++] = '\n';
	}
	o += (size_t)snprintf(s + o, cap - o, "end %zu %llu ", m->n, (unsigned long long)m->total);
	for (int j = 0; j < BTR_SUM_BYTES; j++)
		o += (size_t)snprintf(s + o, cap - o, "%02x", m->sum[j]);
	s[o++] = '\n';
	s[o] = '\0';
	return s;
}

void btr_split_manifest_free(struct btr_split_manifest *m)
{
	free(m->pieces);
	m->pieces = NULL;
	m->n = 0;
}

void btr_split_manifest_seal(struct btr_split_manifest *m)
{
	struct btr_xxh128 st;
	btr_xxh128_init(&st);
	for (size_t i = 0; i < m->n; i++)
		btr_xxh128_update(&st, m->pieces[i].sum, BTR_SUM_BYTES);
	btr_xxh128_final(&st, m->sum);
}
