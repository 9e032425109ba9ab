/* The original tool's key: PBKDF2-HMAC-SHA3-512, a salt that is the same for every
 * backup (64 ASCII characters, used as text), 200,000 rounds, 40 bytes of which
 * AES-256 takes the first 32. */
#include "legacy.h"
#include "err.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <string.h>

#define SALT "b9c4c1ee74b1db7b88c11f6dd8cab7196840ef2591d8885a313d2bf5d2866107"
#define ROUNDS 200000
#define OUTLEN 40

int btr_legacy_derive_key(const char *pass, size_t len, uint8_t key[BTR_LEGACY_KEY])
{
	uint8_t out[OUTLEN];
	if (len > 0x7fffffff)
		return btr_fail(BTR_EXIT_USAGE, "passphrase too long");
	int ok = PKCS5_PBKDF2_HMAC(pass, (int)len, (const unsigned char *)SALT, sizeof SALT - 1, ROUNDS,
				   EVP_sha3_512(), OUTLEN, out);
	if (ok == 1)
		memcpy(key, out, BTR_LEGACY_KEY);
	sodium_memzero(out, sizeof out);
	return ok == 1 ? 0 : btr_fail(BTR_EXIT_SYS, "deriving the key failed (OpenSSL PBKDF2)");
}
