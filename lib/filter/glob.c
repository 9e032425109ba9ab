/* Shell-style patterns over bytes: compiled once into single-byte tokens, then
 * matched with the classic "remember the last star" loop. */
#include "filter.h"
#include "err.h"
#include "stream/stream.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { T_BYTE, T_ANY, T_STAR, T_SET };

struct tok {
	uint8_t kind, byte;
	uint8_t set[32]; /* T_SET: bit b set when byte b matches */
};

struct btr_glob {
	size_t n;
	struct tok t[];
};

void btr_glob_free(struct btr_glob *g)
{
	free(g);
}

static void set_bit(uint8_t *set, unsigned b)
{
	set[b >> 3] |= (uint8_t)(1u << (b & 7));
}

static int has_bit(const uint8_t *set, unsigned b)
{
	return set[b >> 3] >> (b & 7) & 1;
}

/* One pattern byte at *s (advanced): an escape or the byte itself. */
static int pat_byte(const char **s, uint8_t *out, const char *pattern)
{
	if (**s != '\\') {
		*out = (uint8_t) * (*s)++;
		return 0;
	}
	(*s)++;
	if (!**s)
		return btr_fail(BTR_EXIT_USAGE, "pattern '%s': trailing backslash", pattern);
	int k = btr_unescape_one(*s, out);
	if (k < 0 && **s == 'x')
		return btr_fail(BTR_EXIT_USAGE, "pattern '%s': \\x needs two hex digits", pattern);
	if (k < 0) { /* any other escaped character stands for itself, as in fnmatch */
		*out = (uint8_t) * (*s)++;
		return 0;
	}
	*s += k;
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int);
} classes[] = {
	{"alnum", isalnum}, {"alpha", isalpha}, {"blank", isblank}, {"cntrl", iscntrl},
	{"digit", isdigit}, {"graph", isgraph}, {"lower", islower}, {"print", isprint},
	{"punct", ispunct}, {"space", isspace}, {"upper", isupper}, {"xdigit", isxdigit},
};

/* A `[:name:]` class at *s (just after its `[:`). */
static int pat_class(const char **s, uint8_t *set, const char *pattern)
{
	const char *end = strstr(*s, ":]");
	if (!end)
		return btr_fail(BTR_EXIT_USAGE, "pattern '%s': unterminated [: class", pattern);
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
		if (strlen(classes[i].name) == (size_t)(end - *s) && memcmp(classes[i].name, *s, (size_t)(end - *s)) == 0) {
			for (unsigned b = 0; b < 128; b++) /* the C locale: ASCII only */
				if (classes[i].fn((int)b))
					set_bit(set, b);
			*s = end + 2;
			return 0;
		}
	}
	return btr_fail(BTR_EXIT_USAGE, "pattern '%s': unknown class [:%.*s:]", pattern, (int)(end - *s), *s);
}

/* The bracket expression at *s (just after its `[`). */
static int pat_set(const char **s, struct tok *t, const char *pattern)
{
	int negate = 0;
	t->kind = T_SET;
	memset(t->set, 0, sizeof t->set);
	if (**s == '!' || **s == '^') {
		negate = 1;
		(*s)++;
	}
	int first = 1;
	for (;;) {
		if (!**s)
			return btr_fail(BTR_EXIT_USAGE, "pattern '%s': unterminated [", pattern);
		if (**s == ']' && !first) {
			(*s)++;
			break;
		}
		first = 0;
		if ((*s)[0] == '[' && (*s)[1] == ':') {
			*s += 2;
			if (pat_class(s, t->set, pattern) < 0)
				return -1;
			continue;
		}
		uint8_t lo, hi;
		if (pat_byte(s, &lo, pattern) < 0)
			return -1;
		hi = lo;
		if ((*s)[0] == '-' && (*s)[1] && (*s)[1] != ']') {
			(*s)++;
			if (pat_byte(s, &hi, pattern) < 0)
				return -1;
		}
		for (unsigned b = lo; b <= hi; b++) /* a reversed range is empty */
			set_bit(t->set, b);
	}
	if (negate)
		for (size_t i = 0; i < sizeof t->set; i++)
			t->set[i] = (uint8_t)~t->set[i];
	return 0;
}

struct btr_glob *btr_glob_compile(const char *pattern)
{
	/* Every token takes at least one pattern character. */
	size_t max = strlen(pattern);
	struct btr_glob *g = calloc(1, sizeof *g + (max ? max : 1) * sizeof(struct tok));
	if (!g) {
		btr_fail(BTR_EXIT_SYS, "out of memory");
		return NULL;
	}
	const char *s = pattern;
	while (*s) {
		struct tok *t = &g->t[g->n];
		int rc = 0;
		if (*s == '*') {
			s++;
			if (g->n && g->t[g->n - 1].kind == T_STAR)
				continue; /* ** is * */
			t->kind = T_STAR;
		} else if (*s == '?') {
			s++;
			t->kind = T_ANY;
		} else if (*s == '[') {
			s++;
			rc = pat_set(&s, t, pattern);
		} else {
			t->kind = T_BYTE;
			rc = pat_byte(&s, &t->byte, pattern);
		}
		if (rc < 0) {
			free(g);
			return NULL;
		}
		g->n++;
	}
	return g;
}

static int tok_match(const struct tok *t, uint8_t c)
{
	switch (t->kind) {
	case T_BYTE: return t->byte == c;
	case T_ANY: return 1;
	case T_SET: return has_bit(t->set, c);
	}
	return 0;
}

int btr_glob_match(const struct btr_glob *g, const void *name, size_t len)
{
	const uint8_t *s = name;
	size_t p = 0, i = 0, star_p = SIZE_MAX, star_i = 0;
	while (i < len) {
		if (p < g->n && g->t[p].kind == T_STAR) {
			star_p = p++;
			star_i = i;
		} else if (p < g->n && tok_match(&g->t[p], s[i])) {
			p++;
			i++;
		} else if (star_p != SIZE_MAX) {
			/* Let the last star take one more byte and retry what follows it. */
			p = star_p + 1;
			i = ++star_i;
		} else {
			return 0;
		}
	}
	while (p < g->n && g->t[p].kind == T_STAR)
		p++;
	return p == g->n;
}
