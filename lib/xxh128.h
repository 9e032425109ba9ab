/* XXH3 with 128 bits of output (libxxhash; AVX2 or AVX-512 where the CPU has them), in its canonical big-endian byte
 * order as `xxhsum -H2` prints it: btr-split's piece sums and the record stream's
 * format-2 digests.  Non-cryptographic: it finds damage, not forgery. */
#ifndef BTR_XXH128_H
#define BTR_XXH128_H

#include <stddef.h>
#include <stdint.h>

#define BTR_XXH128_BYTES 16

struct btr_xxh128 {
	_Alignas(64) unsigned char state[640]; /* an XXH3_state_t, without its header here */
};

void btr_xxh128_init(struct btr_xxh128 *s);
void btr_xxh128_update(struct btr_xxh128 *s, const void *p, size_t n);
void btr_xxh128_final(struct btr_xxh128 *s, uint8_t out[BTR_XXH128_BYTES]);

#endif
