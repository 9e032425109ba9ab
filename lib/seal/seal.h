/* btr-seal / btr-unseal: zstd, then crypto_secretstream_xchacha20poly1305 over
 * fixed-size chunks, the last tagged FINAL (format in man/btr-seal.5). */
#ifndef BTR_SEAL_AREA_H
#define BTR_SEAL_AREA_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "secret.h"

struct btr_seal_opts {
	int level;              /* zstd level; 0: no compression */
	int threads;            /* zstd worker threads; 0: none */
	uint32_t chunk;         /* plaintext bytes per chunk */
	/* exactly one of: */
	const char *pass;       /* passphrase (sodium_malloc'd) */
	size_t pass_len;
	uint64_t ops, mem;      /* Argon2id parameters */
	const uint8_t (*recipients)[32];
	size_t n_recipients;
	/* Ed25519 secret key (64 bytes, sodium_malloc'd) to sign the header with, or
	 * NULL; btr_seal wipes it as soon as the header is signed. */
	uint8_t *sign_sk;
	btr_say_fn say;         /* notes (key derivation time, no zstd threads); NULL: quiet */
	int progress;           /* BTR_PROGRESS_AUTO, _FORCE or _OFF */
};
int btr_seal(int in, int out, const struct btr_seal_opts *o);

struct btr_unseal_keys {
	const uint8_t *sk;      /* identity (X25519 secret key) or NULL */
	struct btr_secret_src pass; /* asked only when the stream is passphrase-sealed */
	/* --signer: the Ed25519 public key that must have signed the stream, or NULL
	 * (then a signed stream is checked all the same and its signer reported). */
	const uint8_t *signer;
	btr_say_fn say;         /* notes (key derivation time, the signer); NULL: quiet */
	int progress;
};
/* out < 0: authenticate everything, write nothing (--check). */
int btr_unseal(int in, int out, const struct btr_unseal_keys *k);

/* Argon2id presets by name: interactive, moderate, sensitive. */
int btr_kdf_preset(const char *name, uint64_t *ops, uint64_t *mem);

/* ---- key files (keyfile.c) ---- */
/* Key files of btr-keygen: one line each,
 *   btr-secret-key-1 <base64 of the 32-byte X25519 secret key>
 *   btr-public-key-1 <base64 of the 32-byte X25519 public key>
 * Lines starting with '#' are comments. */
#include <stdint.h>

/* Writes FILE (0600, refusing to replace one unless force) and FILE.pub. */
int btr_keygen_write(const char *file, int force);
/* Loads a public key.  -1 with btr_fail (2 for a missing file, 1 for a malformed one). */
int btr_pubkey_load(const char *file, uint8_t pk[32]);
/* Loads a secret key into sk (the caller provides sodium_malloc'd memory); refuses
 * (2) a file that group or others can read unless insecure_ok. */
int btr_seckey_load(const char *file, uint8_t sk[32], int insecure_ok);

/* Signing keys (Ed25519), for btr-seal -s / btr-unseal --signer:
 *   btr-sign-secret-key-1 <base64 of the 32-byte seed>
 *   btr-sign-public-key-1 <base64 of the 32-byte public key>
 * Writes FILE (0600) and FILE.pub as btr_keygen_write does; pk receives the public key. */
int btr_signkey_write(const char *file, int force, uint8_t pk[32]);
int btr_signpub_load(const char *file, uint8_t pk[32]);
/* Loads the seed and expands it into sk, 64 bytes of sodium_malloc'd memory. */
int btr_signkey_load(const char *file, uint8_t *sk, int insecure_ok);
/* A signing public key's fingerprint: 32 hex digits (BLAKE2b-128 of "btr-sign-fp" || pk). */
#define BTR_FINGERPRINT_LEN 32
void btr_sign_fingerprint(const uint8_t pk[32], char out[BTR_FINGERPRINT_LEN + 1]);

#endif
