#include "ss.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define REKEY crypto_secretstream_xchacha20poly1305_TAG_REKEY

struct btr_ss {
	EVP_CIPHER *chacha;
	EVP_MAC *poly;
	EVP_CIPHER_CTX *c;
	EVP_MAC_CTX *m;
};

struct btr_ss *btr_ss_new(void)
{
	struct btr_ss *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->chacha = EVP_CIPHER_fetch(NULL, "ChaCha20", NULL);
	s->poly = EVP_MAC_fetch(NULL, "POLY1305", NULL);
	s->c = EVP_CIPHER_CTX_new();
	s->m = s->poly ? EVP_MAC_CTX_new(s->poly) : NULL;
	if (!s->chacha || !s->poly || !s->c || !s->m) {
		btr_ss_free(s);
		return NULL;
	}
	return s;
}

/* Freeing the contexts cleanses the keys OpenSSL copied into them. */
void btr_ss_free(struct btr_ss *s)
{
	if (!s)
		return;
	EVP_CIPHER_CTX_free(s->c);
	EVP_MAC_CTX_free(s->m);
	EVP_CIPHER_free(s->chacha);
	EVP_MAC_free(s->poly);
	free(s);
}

/* One message's keystream from block 0 (IETF: 32-bit counter, 96-bit nonce), and its
 * Poly1305 key (block 0's first half); ks1 gets block 1, the cipher stands at block 2. */
static int begin(struct btr_ss *s, const crypto_secretstream_xchacha20poly1305_state *st, unsigned char ks1[64])
{
	static const unsigned char zero[64];
	unsigned char iv[16] = {0}, ks0[64];
	int n, ok;
	memcpy(iv + 4, st->nonce, 12);
	ok = EVP_EncryptInit_ex2(s->c, s->chacha, st->k, iv, NULL) == 1 &&
	     EVP_EncryptUpdate(s->c, ks0, &n, zero, 64) == 1 && n == 64 &&
	     EVP_EncryptUpdate(s->c, ks1, &n, zero, 64) == 1 && n == 64 &&
	     EVP_MAC_init(s->m, ks0, 32, NULL) == 1;
	sodium_memzero(ks0, sizeof ks0);
	return ok ? 0 : -1;
}

static int xor_stream(struct btr_ss *s, unsigned char *out, const unsigned char *in, size_t len)
{
	while (len) { /* EVP takes int lengths */
		int k = len > (1u << 30) ? 1 << 30 : (int)len, n;
		if (EVP_EncryptUpdate(s->c, out, &n, in, k) != 1 || n != k)
			return -1;
		out += k, in += k, len -= (size_t)k;
	}
	return 0;
}

/* The MAC over the tag block and the ciphertext, with libsodium's padding and lengths
 * (no additional data; its pad of (0x10 - 64 + mlen) & 0xf is kept as it is). */
static int mac(struct btr_ss *s, const unsigned char block[64], const unsigned char *c, size_t mlen, unsigned char out[16])
{
	static const unsigned char pad0[16];
	unsigned char len[16] = {0};
	uint64_t total = 64 + (uint64_t)mlen;
	size_t outl;
	for (int i = 0; i < 8; i++)
		len[8 + i] = (unsigned char)(total >> (8 * i));
	return EVP_MAC_update(s->m, block, 64) == 1 && EVP_MAC_update(s->m, c, mlen) == 1 &&
			       EVP_MAC_update(s->m, pad0, (0x10 - 64 + mlen) & 0xf) == 1 &&
			       EVP_MAC_update(s->m, len, sizeof len) == 1 && EVP_MAC_final(s->m, out, &outl, 16) == 1 &&
			       outl == 16
		       ? 0
		       : -1;
}

/* After each message: the MAC folds into the nonce, the counter moves on, and the key
 * changes on REKEY or when the counter wraps (libsodium's own rekey). */
static void next(crypto_secretstream_xchacha20poly1305_state *st, const unsigned char m[16], unsigned char tag)
{
	for (int i = 0; i < 8; i++)
		st->nonce[4 + i] ^= m[i];
	sodium_increment(st->nonce, 4);
	if ((tag & REKEY) || sodium_is_zero(st->nonce, 4))
		crypto_secretstream_xchacha20poly1305_rekey(st);
}

int btr_ss_push(struct btr_ss *s, crypto_secretstream_xchacha20poly1305_state *st, unsigned char *out,
	    const unsigned char *m, size_t mlen, unsigned char tag)
{
	if (!s)
		return crypto_secretstream_xchacha20poly1305_push(st, out, NULL, m, mlen, NULL, 0, tag);
	unsigned char block[64];
	if (begin(s, st, block) < 0)
		return -1;
	block[0] ^= tag;
	out[0] = block[0];
	if (xor_stream(s, out + 1, m, mlen) < 0 || mac(s, block, out + 1, mlen, out + 1 + mlen) < 0)
		return -1;
	next(st, out + 1 + mlen, tag);
	return 0;
}

int btr_ss_pull(struct btr_ss *s, crypto_secretstream_xchacha20poly1305_state *st, unsigned char *m, size_t *mlen,
	    unsigned char *tag, const unsigned char *in, size_t inlen)
{
	if (!s) {
		unsigned long long n;
		int rc = crypto_secretstream_xchacha20poly1305_pull(st, m, &n, tag, in, inlen, NULL, 0);
		*mlen = (size_t)n;
		return rc;
	}
	unsigned char block[64], want[16];
	if (inlen < ABYTES)
		return -1;
	size_t n = inlen - ABYTES;
	if (begin(s, st, block) < 0)
		return -1;
	unsigned char t = block[0] ^ in[0];
	block[0] = in[0];
	if (mac(s, block, in + 1, n, want) < 0 || CRYPTO_memcmp(want, in + 1 + n, 16) != 0)
		return -1;
	if (xor_stream(s, m, in + 1, n) < 0)
		return -1;
	next(st, want, t);
	*tag = t;
	*mlen = n;
	return 0;
}
