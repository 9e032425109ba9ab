/* One frame: its header, and its authentication and decryption (AES-256-GCM with
 * a 16-byte nonce and no associated data). */
#include "legacy.h"
#include "err.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t sentinel[4] = {0xbd, 0xdb, 0x55, 0xaa};

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int btr_legacy_frame_parse(const uint8_t h[BTR_LEGACY_HEADER], uint64_t left, struct btr_legacy_frame *f, const char *where)
{
	if (memcmp(h, sentinel, 4))
		return btr_fail(BTR_EXIT_DATA, "%s: no frame sentinel (bytes %02x %02x %02x %02x, wanted bd db 55 aa)",
				where, h[0], h[1], h[2], h[3]);
	f->type = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
	f->len = be64(h + 8);
	memcpy(f->nonce, h + 16, BTR_LEGACY_NONCE);
	f->counter = be64(h + 24);
	/* Refused before anything is allocated for it. */
	if (f->len > BTR_LEGACY_MAX_FRAME)
		return btr_fail(BTR_EXIT_DATA, "%s: declared length %llu is over the 1 GiB limit", where,
				(unsigned long long)f->len);
	if (f->len > left)
		return btr_fail(BTR_EXIT_DATA, "%s: declared length %llu runs past the end of the file (%llu bytes left)",
				where, (unsigned long long)f->len, (unsigned long long)left);
	if (f->len < BTR_LEGACY_TAG)
		return btr_fail(BTR_EXIT_DATA, "%s: declared length %llu cannot hold the 16-byte tag", where,
				(unsigned long long)f->len);
	return 0;
}

struct btr_legacy_cipher {
	EVP_CIPHER_CTX *ctx;
};

struct btr_legacy_cipher *btr_legacy_cipher_new(const uint8_t key[BTR_LEGACY_KEY])
{
	struct btr_legacy_cipher *c = calloc(1, sizeof *c);
	if (!c || !(c->ctx = EVP_CIPHER_CTX_new())) {
		free(c);
		btr_fail(BTR_EXIT_SYS, "out of memory");
		return NULL;
	}
	if (EVP_DecryptInit_ex(c->ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_GCM_SET_IVLEN, BTR_LEGACY_NONCE, NULL) != 1 ||
	    EVP_DecryptInit_ex(c->ctx, NULL, NULL, key, NULL) != 1) {
		btr_legacy_cipher_free(c);
		btr_fail(BTR_EXIT_SYS, "setting up AES-256-GCM failed (OpenSSL)");
		return NULL;
	}
	return c;
}

void btr_legacy_cipher_free(struct btr_legacy_cipher *c)
{
	if (!c)
		return;
	EVP_CIPHER_CTX_free(c->ctx); /* clears the key schedule */
	free(c);
}

int btr_legacy_frame_open(struct btr_legacy_cipher *c, const struct btr_legacy_frame *f, uint8_t *ct, size_t *plen,
		      const char *where)
{
	size_t n = (size_t)f->len - BTR_LEGACY_TAG;
	int out = 0, fin = 0;
	/* The key stays; only the nonce changes per frame. */
	if (EVP_DecryptInit_ex(c->ctx, NULL, NULL, NULL, f->nonce) != 1)
		return btr_fail(BTR_EXIT_SYS, "%s: AES-256-GCM setup failed (OpenSSL)", where);
	if ((n && EVP_DecryptUpdate(c->ctx, ct, &out, ct, (int)n) != 1) ||
	    EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_GCM_SET_TAG, BTR_LEGACY_TAG, ct + n) != 1)
		return btr_fail(BTR_EXIT_SYS, "%s: AES-256-GCM failed (OpenSSL)", where);
	if (EVP_DecryptFinal_ex(c->ctx, ct + out, &fin) != 1) {
		memset(ct, 0, n); /* nothing unauthenticated stays around */
		return btr_fail(BTR_EXIT_DATA, "%s: authentication failed (damaged bytes, or a wrong passphrase)", where);
	}
	*plen = (size_t)out + (size_t)fin;
	return 0;
}
