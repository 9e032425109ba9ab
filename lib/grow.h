/* Growing an array by doubling. */
#ifndef BTR_GROW_H
#define BTR_GROW_H
#include <stddef.h>
/* Makes *p (of *cap elements of `each` bytes) hold at least `want` elements.
 * 0, or -1 with btr_fail (exit class 3) when out of memory; *p is kept then. */
int btr_grow(void **p, size_t *cap, size_t want, size_t each);
#endif
