/* btr-seal / btr-unseal: zstd, then crypto_secretstream_xchacha20poly1305 over
 * fixed-size chunks, the last tagged FINAL (format in man/btr-seal.5). */
#ifndef BTR_SEAL_H
#define BTR_SEAL_H
#include <stddef.h>
#include <stdint.h>
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
	int quiet;
	int progress;           /* BTR_PROGRESS_AUTO, _FORCE or _OFF */
};
int btr_seal(int in, int out, const struct btr_seal_opts *o);

struct btr_unseal_keys {
	const uint8_t *sk;      /* identity (X25519 secret key) or NULL */
	struct btr_secret_src pass; /* asked only when the stream is passphrase-sealed */
	int quiet;
	int progress;
};
/* out < 0: authenticate everything, write nothing (--check). */
int btr_unseal(int in, int out, const struct btr_unseal_keys *k);

/* Argon2id presets by name: interactive, moderate, sensitive. */
int btr_kdf_preset(const char *name, uint64_t *ops, uint64_t *mem);
#endif
