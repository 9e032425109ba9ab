/* Name patterns (filter/glob.c): fnmatch semantics over bytes, refusals, no blow-up. */
#include "err.h"
#include "filter/filter.h"
#include "t.h"

#include <string.h>

static int m(const char *pat, const void *name, size_t n)
{
	struct btr_glob *g = btr_glob_compile(pat);
	if (!g)
		return -1;
	int r = btr_glob_match(g, name, n);
	btr_glob_free(g);
	return r;
}
#define M(pat, s) m(pat, s, strlen(s))

int main(void)
{
	T_CHECK("glob: * matches any run, also /", M("sb*", "sb1234/x") == 1 && M("*", "") == 1);
	T_CHECK("glob: ? is one byte", M("a?c", "abc") == 1 && M("a?c", "ac") == 0);
	T_CHECK("glob: the whole name must match", M("meta", "meta1") == 0 && M("meta*", "meta1") == 1);
	T_CHECK("glob: sets, ranges, negation", M("[a-c]x", "bx") == 1 && M("[!a-c]x", "bx") == 0 && M("[^a-c]x", "dx") == 1);
	T_CHECK("glob: ] first in a set is literal", M("[]]", "]") == 1);
	T_CHECK("glob: [:digit:] class", M("jo/[[:digit:]]*", "jo/7abc") == 1 && M("[[:digit:]]", "a") == 0);
	T_CHECK("glob: \\x00 matches a NUL byte", m("a\\x00b", "a\0b", 3) == 1 && m("a?b", "a\0b", 3) == 1);
	T_CHECK("glob: \\* is a literal star", M("a\\*", "a*") == 1 && M("a\\*", "ab") == 0);
	T_CHECK("glob: a leading dot is not special", M("*", ".hidden") == 1);
	T_CHECK("glob: unterminated [ refused", M("[abc", "a") == -1);
	T_CHECK("glob: \\x without two hex digits refused", M("\\x4", "a") == -1);
	T_CHECK("glob: a trailing backslash refused", M("ab\\", "ab") == -1);
	T_CHECK("glob: refusal is a usage error naming the pattern",
		M("[x", "x") == -1 && btr_errcode() == BTR_EXIT_USAGE && strstr(btr_errmsg(), "[x"));
	/* Backtracking patterns stay linear-ish: this would take ages exponentially. */
	char name[4001];
	memset(name, 'a', 4000);
	name[4000] = 0;
	T_CHECK("glob: many stars against a long name end quickly", M("*a*a*a*a*a*a*a*a*a*a*b", name) == 0);
	return t_done();
}
