#include "grow.h"
#include "err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int btr_grow(void **p, size_t *cap, size_t want, size_t each)
{
	if (want <= *cap)
		return 0;
	size_t n = *cap ? *cap : 16;
	while (n < want) {
		if (n > SIZE_MAX / 2 / each)
			return btr_fail(BTR_EXIT_SYS, "out of memory");
		n *= 2;
	}
	void *q = realloc(*p, n * each);
	if (!q)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	*p = q;
	*cap = n;
	return 0;
}

int btr_str_set(struct btr_str *s, const void *p, size_t n)
{
	if (btr_grow((void **)&s->p, &s->cap, n + 1, 1) < 0)
		return -1;
	if (n)
		memcpy(s->p, p, n);
	s->p[n] = 0;
	s->len = n;
	return 0;
}

void btr_str_free(struct btr_str *s)
{
	free(s->p);
	*s = (struct btr_str){0};
}
