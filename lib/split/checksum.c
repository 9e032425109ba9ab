#include "split.h"

#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

_Static_assert(sizeof(XXH3_state_t) <= sizeof(((struct btr_sum *)0)->state), "XXH3 state does not fit");
_Static_assert(_Alignof(XXH3_state_t) <= 64, "XXH3 state alignment");

void btr_sum_init(struct btr_sum *s)
{
	XXH3_state_t *st = (XXH3_state_t *)s->state;
	XXH3_INITSTATE(st);
	XXH3_128bits_reset(st);
}

void btr_sum_update(struct btr_sum *s, const void *p, size_t n)
{
	XXH3_128bits_update((XXH3_state_t *)s->state, p, n);
}

void btr_sum_final(struct btr_sum *s, uint8_t out[BTR_SUM_BYTES])
{
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest((XXH3_state_t *)s->state));
	memcpy(out, c.digest, BTR_SUM_BYTES);
}
