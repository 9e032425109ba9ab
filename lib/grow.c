#include "grow.h"
#include "err.h"

#include <stdint.h>
#include <stdlib.h>

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
