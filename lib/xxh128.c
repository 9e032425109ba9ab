#include "xxh128.h"

#include <string.h>

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on our side, no malloc per object */
#include <xxhash.h>
#if defined(__x86_64__)
/* libxxhash's dispatch picks AVX2 or AVX-512 at run time (the inlined code is built for
 * the baseline SSE2): 2.3x on data still in cache, as ceph-load and btr-split hash it. */
#include <xxh_x86dispatch.h>
#endif

_Static_assert(sizeof(XXH3_state_t) <= sizeof(((struct btr_xxh128 *)0)->state), "XXH3 state does not fit");
_Static_assert(_Alignof(XXH3_state_t) <= 64, "XXH3 state alignment");

void btr_xxh128_init(struct btr_xxh128 *s)
{
	XXH3_state_t *st = (XXH3_state_t *)s->state;
	XXH3_INITSTATE(st);
	XXH3_128bits_reset(st);
}

void btr_xxh128_update(struct btr_xxh128 *s, const void *p, size_t n)
{
	XXH3_128bits_update((XXH3_state_t *)s->state, p, n);
}

void btr_xxh128_final(struct btr_xxh128 *s, uint8_t out[BTR_XXH128_BYTES])
{
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest((XXH3_state_t *)s->state));
	memcpy(out, c.digest, BTR_XXH128_BYTES);
}
