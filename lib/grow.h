/* Growing an array by doubling. */
#ifndef BTR_GROW_H
#define BTR_GROW_H
#include <stddef.h>
/* Makes *p (of *cap elements of `each` bytes) hold at least `want` elements.
 * 0, or -1 with btr_fail (exit class 3) when out of memory; *p is kept then. */
int btr_grow(void **p, size_t *cap, size_t want, size_t each);

/* A growable NUL-terminated copy of bytes: a name from librados or from a record. */
struct btr_str {
	char *p;
	size_t len, cap;
};
/* Copies n bytes and a NUL.  0, or -1 with btr_fail (exit class 3); *s is kept then. */
int btr_str_set(struct btr_str *s, const void *p, size_t n);
void btr_str_free(struct btr_str *s);
#endif
