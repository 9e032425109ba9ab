/* The piece checksum of btr-split: XXH3 with 128 bits of output, written in its
 * canonical (big-endian) byte order, as `xxhsum -H2` prints it.  Fast enough that
 * joining runs at the speed of cat; it guards against damage and misordering, not
 * against an attacker (who could rewrite the manifest as well: btr-unseal is what
 * authenticates a backup). */
#ifndef BTR_CHECKSUM_H
#define BTR_CHECKSUM_H
#include <stddef.h>
#include <stdint.h>

#define BTR_SUM_BYTES 16

struct btr_sum {
	_Alignas(64) unsigned char state[640]; /* an XXH3_state_t, without its header here */
};

void btr_sum_init(struct btr_sum *s);
void btr_sum_update(struct btr_sum *s, const void *p, size_t n);
void btr_sum_final(struct btr_sum *s, uint8_t out[BTR_SUM_BYTES]);
#endif
