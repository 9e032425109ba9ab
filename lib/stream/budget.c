#include "budget.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

/* Each block carries its cost in front, so a free knows what to give back.  The cost
 * includes malloc's own overhead (about a header and rounding to 16): a million
 * empty entries must count as the memory they take, not as zero bytes. */
#define HDR ((sizeof(size_t) + alignof(max_align_t) - 1) / alignof(max_align_t) * alignof(max_align_t))
#define OVERHEAD 16

static void *b_alloc(void *data, size_t n)
{
	struct btr_budget *b = data;
	if (n > SIZE_MAX / 2) {
		b->refused = 1;
		return NULL;
	}
	size_t cost = ((n + HDR + 15) & ~(size_t)15) + OVERHEAD;
	if (cost > b->limit - b->used) {
		b->refused = 1;
		return NULL;
	}
	unsigned char *p = malloc(n + HDR);
	if (!p) {
		b->nomem = 1;
		return NULL;
	}
	*(size_t *)p = cost;
	b->used += cost;
	if (b->used > b->peak)
		b->peak = b->used;
	return p + HDR;
}

static void b_free(void *data, void *ptr)
{
	struct btr_budget *b = data;
	if (!ptr)
		return;
	unsigned char *p = (unsigned char *)ptr - HDR;
	b->used -= *(size_t *)p;
	free(p);
}

void btr_budget_init(struct btr_budget *b, size_t limit)
{
	b->a.alloc = b_alloc;
	b->a.free = b_free;
	b->a.allocator_data = b;
	b->limit = limit;
	b->used = b->peak = 0;
	b->refused = b->nomem = 0;
}
