/* The sealed-stream header (man/btr-seal.5).
 *
 *   "BTRSEAL" 0x01 | mode u8 | flags u8 | chunk u32le |
 *   passphrase mode: kdf u8 (1 = Argon2id v1.3) | ops u64le | mem u64le | salt[16]
 *   recipient mode:  count u16le | count * (key id[8] | wrapped file key[80])
 *   secretstream header[24] |
 *   flag SIGNED only: signer's Ed25519 public key[32] | time u64le | signature[64] |
 *   header MAC[32]
 *
 * The MAC is BLAKE2b-256 keyed with a subkey of the file key over every header
 * byte before it: a wrong key or a changed header is caught before any output.
 * The signature (sign.c) covers every header byte before it and subkey 3 of the
 * file key, so it cannot be moved to another stream. */
#ifndef BTR_SEAL_FORMAT_H
#define BTR_SEAL_FORMAT_H
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#define BTR_SEAL_MAGIC "BTRSEAL\x01"
#define BTR_SEAL_MODE_PASSPHRASE 1
#define BTR_SEAL_MODE_RECIPIENTS 2
#define BTR_SEAL_FLAG_ZSTD 1
#define BTR_SEAL_FLAG_SIGNED 2
#define BTR_SEAL_KDF_ARGON2ID13 1
#define BTR_SEAL_SALT 16
#define BTR_SEAL_KEYID 8
#define BTR_SEAL_WRAPPED (crypto_box_SEALBYTES + 32)
#define BTR_SEAL_MAX_RECIPIENTS 64
#define BTR_SEAL_MAC 32
#define BTR_SEAL_SIGBLOCK (crypto_sign_PUBLICKEYBYTES + 8 + crypto_sign_BYTES)
#define BTR_SEAL_MIN_CHUNK 1024u
#define BTR_SEAL_MAX_CHUNK (16u << 20)
/* A forged header must not make an unsealer allocate gigabytes or spin for minutes. */
#define BTR_SEAL_MAX_KDF_MEM (1ull << 30)
#define BTR_SEAL_MAX_KDF_OPS 16ull
#define BTR_SEAL_MAX_HEADER (8 + 2 + 4 + 2 + BTR_SEAL_MAX_RECIPIENTS * (BTR_SEAL_KEYID + BTR_SEAL_WRAPPED) + 24 + BTR_SEAL_SIGBLOCK + BTR_SEAL_MAC + 64)

struct btr_seal_header {
	uint8_t mode, flags;
	uint32_t chunk;
	uint64_t ops, mem;
	uint8_t salt[BTR_SEAL_SALT];
	uint16_t n_recipients;
	uint8_t keyid[BTR_SEAL_MAX_RECIPIENTS][BTR_SEAL_KEYID];
	uint8_t wrapped[BTR_SEAL_MAX_RECIPIENTS][BTR_SEAL_WRAPPED];
	uint8_t ss_header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	/* with BTR_SEAL_FLAG_SIGNED: */
	uint8_t signer[crypto_sign_PUBLICKEYBYTES];
	uint64_t sig_time;      /* seconds since the epoch, as the sealer's clock said */
	uint8_t sig[crypto_sign_BYTES];
	uint8_t mac[BTR_SEAL_MAC];
};

/* Encodes all but the MAC; returns the length. */
size_t btr_seal_header_encode(const struct btr_seal_header *h, uint8_t *out);
/* Reads and checks a header from fd (everything but the MAC's value is checked
 * here); raw/raw_len receive the bytes the MAC covers.  -1 with btr_fail (1: data). */
int btr_seal_header_read(int fd, struct btr_seal_header *h, uint8_t *raw, size_t *raw_len);
/* Parses a header from memory (for the fuzz target and tests); same checks. */
int btr_seal_header_parse(const uint8_t *p, size_t n, struct btr_seal_header *h, size_t *used);

/* The key id of a recipient's public key. */
void btr_seal_keyid(const uint8_t pk[crypto_box_PUBLICKEYBYTES], uint8_t id[BTR_SEAL_KEYID]);
/* Subkeys of the file key: 1 = header MAC, 2 = secretstream, 3 = signature binding. */
void btr_seal_subkey(uint8_t *out, size_t outlen, int id, const uint8_t filekey[32]);
void btr_seal_header_mac(const uint8_t *raw, size_t n, const uint8_t filekey[32], uint8_t mac[BTR_SEAL_MAC]);

/* sign.c.  raw/n: the encoded header up to and including its signature (the
 * signature is the last crypto_sign_BYTES).  btr_seal_sign fills them in and wipes sk;
 * btr_seal_verify checks them against the signer's key in the header: -1 with btr_fail. */
void btr_seal_sign(uint8_t *raw, size_t n, const uint8_t filekey[32], uint8_t *sk);
int btr_seal_verify(const uint8_t *raw, size_t n, const uint8_t filekey[32], const uint8_t pk[32]);
#endif
