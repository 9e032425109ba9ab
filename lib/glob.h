/* Shell-style patterns over arbitrary bytes (names and keys may hold NUL).
 *
 * fnmatch(3) semantics with no flags (`*` also matches `/` and a leading dot):
 * `*` any run of bytes, `?` one byte, `[...]` one byte of a set (`!` or `^` first
 * negates, `]` first is literal, ranges `a-z`, classes `[:digit:]` in the C locale).
 * A backslash writes a byte the way btr_escape does: `\xHH`, `\\`, `\n`, `\t`, `\0`;
 * before any other character it makes that character literal (`\*`).  Unlike
 * fnmatch, a pattern that does not parse (an unterminated `[`, `\x` without two
 * hex digits, a trailing backslash) is refused rather than taken literally.
 * Matching is iterative, O(pattern x name) at worst: no exponential backtracking. */
#ifndef BTR_GLOB_H
#define BTR_GLOB_H
#include <stddef.h>

struct btr_glob;
/* NULL with btr_fail (exit class 2) naming the pattern and the problem. */
struct btr_glob *btr_glob_compile(const char *pattern);
void btr_glob_free(struct btr_glob *g);
/* 1 when the whole name matches, else 0. */
int btr_glob_match(const struct btr_glob *g, const void *name, size_t len);
#endif
