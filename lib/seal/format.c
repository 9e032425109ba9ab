#include "format.h"
#include "err.h"
#include "io.h"

#include <string.h>

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static uint64_t get(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

size_t btr_seal_header_encode(const struct btr_seal_header *h, uint8_t *out)
{
	size_t o = 0;
	memcpy(out, BTR_SEAL_MAGIC, 8);
	o = 8;
	out[o++] = h->mode;
	out[o++] = h->flags;
	put32(out + o, h->chunk);
	o += 4;
	if (h->mode == BTR_SEAL_MODE_PASSPHRASE) {
		out[o++] = BTR_SEAL_KDF_ARGON2ID13;
		put64(out + o, h->ops);
		o += 8;
		put64(out + o, h->mem);
		o += 8;
		memcpy(out + o, h->salt, BTR_SEAL_SALT);
		o += BTR_SEAL_SALT;
	} else {
		out[o++] = (uint8_t)h->n_recipients;
		out[o++] = (uint8_t)(h->n_recipients >> 8);
		for (unsigned i = 0; i < h->n_recipients; i++) {
			memcpy(out + o, h->keyid[i], BTR_SEAL_KEYID);
			o += BTR_SEAL_KEYID;
			memcpy(out + o, h->wrapped[i], BTR_SEAL_WRAPPED);
			o += BTR_SEAL_WRAPPED;
		}
	}
	memcpy(out + o, h->ss_header, sizeof h->ss_header);
	o += sizeof h->ss_header;
	if (h->flags & BTR_SEAL_FLAG_SIGNED) {
		memcpy(out + o, h->signer, sizeof h->signer);
		o += sizeof h->signer;
		put64(out + o, h->sig_time);
		o += 8;
		memcpy(out + o, h->sig, sizeof h->sig);
		o += sizeof h->sig;
	}
	return o;
}

/* need(n): at least n more bytes must be present. */
#define NEED(k)                                                                                     \
	do {                                                                                        \
		if (n - o < (size_t)(k))                                                             \
			return btr_fail(BTR_EXIT_DATA, "sealed header truncated at byte %zu", n);      \
	} while (0)

int btr_seal_header_parse(const uint8_t *p, size_t n, struct btr_seal_header *h, size_t *used)
{
	size_t o = 0;
	memset(h, 0, sizeof *h);
	if (n < 8 || memcmp(p, BTR_SEAL_MAGIC, 7) != 0) {
		if (n >= 8 && memcmp(p, "BTRSTRM", 7) == 0)
			return btr_fail(BTR_EXIT_DATA, "input is a plain record stream, not a sealed one");
		return btr_fail(BTR_EXIT_DATA, "not a sealed stream (bad magic at byte 0)");
	}
	if (p[7] != 1)
		return btr_fail(BTR_EXIT_DATA, "unsupported sealed format version %u (byte 7)", p[7]);
	o = 8;
	NEED(6);
	h->mode = p[o++];
	h->flags = p[o++];
	h->chunk = (uint32_t)get(p + o, 4);
	o += 4;
	if (h->flags & ~(BTR_SEAL_FLAG_ZSTD | BTR_SEAL_FLAG_SIGNED))
		return btr_fail(BTR_EXIT_DATA, "unknown sealed flags 0x%02x (byte 9)", h->flags);
	if (h->chunk < BTR_SEAL_MIN_CHUNK || h->chunk > BTR_SEAL_MAX_CHUNK)
		return btr_fail(BTR_EXIT_DATA, "sealed chunk size %u out of range (byte 10)", h->chunk);
	if (h->mode == BTR_SEAL_MODE_PASSPHRASE) {
		NEED(1 + 8 + 8 + BTR_SEAL_SALT);
		if (p[o] != BTR_SEAL_KDF_ARGON2ID13)
			return btr_fail(BTR_EXIT_DATA, "unknown key derivation %u (byte %zu)", p[o], o);
		o++;
		h->ops = get(p + o, 8);
		o += 8;
		h->mem = get(p + o, 8);
		o += 8;
		if (h->ops < crypto_pwhash_OPSLIMIT_MIN || h->ops > BTR_SEAL_MAX_KDF_OPS ||
		    h->mem < crypto_pwhash_MEMLIMIT_MIN || h->mem > BTR_SEAL_MAX_KDF_MEM)
			return btr_fail(BTR_EXIT_DATA,
					"key derivation parameters out of bounds (%llu passes, %llu bytes; at most %llu and %llu)",
					(unsigned long long)h->ops, (unsigned long long)h->mem,
					(unsigned long long)BTR_SEAL_MAX_KDF_OPS, (unsigned long long)BTR_SEAL_MAX_KDF_MEM);
		memcpy(h->salt, p + o, BTR_SEAL_SALT);
		o += BTR_SEAL_SALT;
	} else if (h->mode == BTR_SEAL_MODE_RECIPIENTS) {
		NEED(2);
		h->n_recipients = (uint16_t)get(p + o, 2);
		o += 2;
		if (h->n_recipients == 0 || h->n_recipients > BTR_SEAL_MAX_RECIPIENTS)
			return btr_fail(BTR_EXIT_DATA, "recipient count %u out of range (byte %zu)", h->n_recipients, o - 2);
		for (unsigned i = 0; i < h->n_recipients; i++) {
			NEED(BTR_SEAL_KEYID + BTR_SEAL_WRAPPED);
			memcpy(h->keyid[i], p + o, BTR_SEAL_KEYID);
			o += BTR_SEAL_KEYID;
			memcpy(h->wrapped[i], p + o, BTR_SEAL_WRAPPED);
			o += BTR_SEAL_WRAPPED;
		}
	} else {
		return btr_fail(BTR_EXIT_DATA, "unknown sealing mode %u (byte 8)", h->mode);
	}
	NEED(sizeof h->ss_header + (h->flags & BTR_SEAL_FLAG_SIGNED ? BTR_SEAL_SIGBLOCK : 0) + BTR_SEAL_MAC);
	memcpy(h->ss_header, p + o, sizeof h->ss_header);
	o += sizeof h->ss_header;
	if (h->flags & BTR_SEAL_FLAG_SIGNED) {
		memcpy(h->signer, p + o, sizeof h->signer);
		o += sizeof h->signer;
		h->sig_time = get(p + o, 8);
		o += 8;
		memcpy(h->sig, p + o, sizeof h->sig);
		o += sizeof h->sig;
	}
	memcpy(h->mac, p + o, BTR_SEAL_MAC);
	*used = o; /* bytes covered by the MAC */
	return 0;
}

int btr_seal_header_read(int fd, struct btr_seal_header *h, uint8_t *raw, size_t *raw_len)
{
	/* Read the fixed part, learn the variable length, read the rest. */
	size_t fixed = 8 + 6;
	ssize_t r = btr_read_or_fail(fd, raw, fixed, "sealed input");
	if (r < 0)
		return -1;
	if (r == 0)
		return btr_fail(BTR_EXIT_DATA, "empty input: not a sealed stream");
	size_t have = (size_t)r, want;
	if (have < fixed) {
		size_t used;
		return btr_seal_header_parse(raw, have, h, &used) < 0 ? -1 : btr_fail(BTR_EXIT_DATA, "sealed header truncated");
	}
	if (raw[8] == BTR_SEAL_MODE_PASSPHRASE) {
		want = fixed + 1 + 16 + BTR_SEAL_SALT;
	} else if (raw[8] == BTR_SEAL_MODE_RECIPIENTS) {
		if ((r = btr_read_or_fail(fd, raw + have, 2, "sealed input")) < 0)
			return -1;
		have += (size_t)r;
		unsigned cnt = have >= fixed + 2 ? (unsigned)get(raw + fixed, 2) : 0;
		if (cnt > BTR_SEAL_MAX_RECIPIENTS)
			cnt = 0; /* parse reports it */
		want = fixed + 2 + cnt * (BTR_SEAL_KEYID + BTR_SEAL_WRAPPED);
	} else {
		want = have;
	}
	want += crypto_secretstream_xchacha20poly1305_HEADERBYTES + BTR_SEAL_MAC;
	if (raw[9] & BTR_SEAL_FLAG_SIGNED)
		want += BTR_SEAL_SIGBLOCK;
	if (want > have) {
		if ((r = btr_read_or_fail(fd, raw + have, want - have, "sealed input")) < 0)
			return -1;
		have += (size_t)r;
	}
	if (btr_seal_header_parse(raw, have, h, raw_len) < 0)
		return -1;
	return 0;
}

void btr_seal_keyid(const uint8_t pk[crypto_box_PUBLICKEYBYTES], uint8_t id[BTR_SEAL_KEYID])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, BTR_SEAL_KEYID);
	crypto_generichash_update(&st, (const uint8_t *)"btr-keyid", 9);
	crypto_generichash_update(&st, pk, crypto_box_PUBLICKEYBYTES);
	crypto_generichash_final(&st, id, BTR_SEAL_KEYID);
}

void btr_seal_subkey(uint8_t *out, size_t outlen, int id, const uint8_t filekey[32])
{
	crypto_kdf_derive_from_key(out, outlen, (uint64_t)id, "btrseal1", filekey);
}

void btr_seal_header_mac(const uint8_t *raw, size_t n, const uint8_t filekey[32], uint8_t mac[BTR_SEAL_MAC])
{
	uint8_t k[32];
	btr_seal_subkey(k, sizeof k, 1, filekey);
	crypto_generichash(mac, BTR_SEAL_MAC, raw, n, k, sizeof k);
	sodium_memzero(k, sizeof k);
}
