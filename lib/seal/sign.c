/* Signed headers (man/btr-seal.5, "Signature"): who sealed a stream, and when.
 *
 * The Ed25519 signature covers every header byte before it (so the wrapped keys or
 * the salt, the secretstream header, the signer's key and the time) followed by
 * subkey 3 of the file key: a signature copied into another stream's header fails,
 * and it speaks for this stream's key, not only for header bytes. */
#include "seal.h"
#include "format.h"
#include "err.h"

#include <sodium.h>
#include <string.h>

/* The signed message: the header before the signature, then the binding subkey. */
static size_t message(uint8_t *m, const uint8_t *raw, size_t n, const uint8_t filekey[32])
{
	memcpy(m, raw, n - crypto_sign_BYTES);
	btr_seal_subkey(m + n - crypto_sign_BYTES, 32, 3, filekey);
	return n - crypto_sign_BYTES + 32;
}

void btr_seal_sign(uint8_t *raw, size_t n, const uint8_t filekey[32], uint8_t *sk)
{
	uint8_t m[BTR_SEAL_MAX_HEADER + 32];
	size_t ml = message(m, raw, n, filekey);
	crypto_sign_detached(raw + n - crypto_sign_BYTES, NULL, m, ml, sk);
	sodium_memzero(m, sizeof m);
	sodium_memzero(sk, crypto_sign_SECRETKEYBYTES); /* needed for this one signature only */
}

int btr_seal_verify(const uint8_t *raw, size_t n, const uint8_t filekey[32], const uint8_t pk[32])
{
	uint8_t m[BTR_SEAL_MAX_HEADER + 32];
	size_t ml = message(m, raw, n, filekey);
	int ok = crypto_sign_verify_detached(raw + n - crypto_sign_BYTES, m, ml, pk) == 0;
	sodium_memzero(m, sizeof m);
	if (!ok) {
		char fp[BTR_FINGERPRINT_LEN + 1];
		btr_sign_fingerprint(pk, fp);
		return btr_fail(BTR_EXIT_DATA, "the signature of %s does not verify: the sealed header was forged or altered", fp);
	}
	return 0;
}

void btr_sign_fingerprint(const uint8_t pk[32], char out[BTR_FINGERPRINT_LEN + 1])
{
	uint8_t h[BTR_FINGERPRINT_LEN / 2];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, (const uint8_t *)"btr-sign-fp", 11);
	crypto_generichash_update(&st, pk, 32);
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(out, BTR_FINGERPRINT_LEN + 1, h, sizeof h);
}
