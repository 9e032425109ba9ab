/* Key files of btr-keygen: one line each,
 *   btr-secret-key-1 <base64 of the 32-byte X25519 secret key>
 *   btr-public-key-1 <base64 of the 32-byte X25519 public key>
 * Lines starting with '#' are comments. */
#ifndef BTR_KEYFILE_H
#define BTR_KEYFILE_H
#include <stdint.h>

/* Writes FILE (0600, refusing to replace one unless force) and FILE.pub. */
int btr_keygen_write(const char *file, int force);
/* Loads a public key.  -1 with btr_fail (2 for a missing file, 1 for a malformed one). */
int btr_pubkey_load(const char *file, uint8_t pk[32]);
/* Loads a secret key into sk (the caller provides sodium_malloc'd memory). */
int btr_seckey_load(const char *file, uint8_t sk[32]);
#endif
