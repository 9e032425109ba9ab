/* lib/legacy: the key, one frame end to end (made by tests/tools/legacy-write, an
 * encoder independent of ours), and the refusals of frame headers and payloads. */
#include "err.h"
#include "legacy/legacy.h"
#include "t.h"

#include <stdlib.h>
#include <string.h>

/* legacy-write frame (passphrase "pw", nonce 0102030405060708 + counter 42, type 10)
 * around {"KVz": [{"Key": "btrdb/a", "Value": "\0v"}]}. */
static const uint8_t frame[] = {
	0xbd, 0xdb, 0x55, 0xaa, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x4e, 0x01, 0x02,
	0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x4b, 0xa6, 0x82, 0xb4,
	0x90, 0xc7, 0xd4, 0x6a, 0xaf, 0xd4, 0xdd, 0x42, 0xb6, 0xaf, 0x07, 0xbc, 0xac, 0x27, 0x59, 0x81, 0x80, 0x1c,
	0x59, 0xa4, 0x00, 0xa0, 0x3e, 0xf6, 0xf2, 0x76, 0xd2, 0xee, 0xad, 0x87, 0x87, 0x87, 0xcc, 0x9c, 0x34, 0x95,
	0x88, 0x9b, 0xfc, 0xe4, 0xee, 0x2d, 0x0e, 0xee, 0xde, 0x8f, 0x40, 0x83, 0x61, 0x3e, 0x6e, 0x89, 0xfe, 0x3c,
	0x2f, 0xf6, 0xbb, 0x04, 0xc3, 0xbd, 0xbb, 0x47, 0xea, 0xb2, 0x20, 0x36, 0x43, 0xb8, 0xdb, 0x3f, 0x41, 0x9f,
	0x8e, 0x1b};
/* Python's hashlib.pbkdf2_hmac("sha3_512", b"pw", SALT, 200000, 40)[:32]. */
static const char key_hex[] = "0ff92977b331917de7d58422eb166552afdd7a104728caba72d06f1a5da1d249";

static int opens(const uint8_t *f, size_t n, const uint8_t *key, uint8_t **plain, size_t *plen)
{
	struct btr_legacy_frame h;
	struct btr_legacy_cipher *c = btr_legacy_cipher_new(key);
	uint8_t *ct = malloc(n);
	size_t len, cap = 0;
	int rc = -1;
	*plain = NULL;
	memcpy(ct, f, n);
	if (btr_legacy_frame_parse(f, n - BTR_LEGACY_HEADER, &h, "unit") == 0 &&
	    btr_legacy_frame_open(c, &h, ct + BTR_LEGACY_HEADER, &len, "unit") == 0 &&
	    btr_legacy_unsnappy(ct + BTR_LEGACY_HEADER, len, plain, &cap, plen, "unit") == 0)
		rc = 0;
	free(ct);
	btr_legacy_cipher_free(c);
	return rc;
}

static int refused(const char *hex, const char *want)
{
	struct btr_legacy_decoder *d = btr_legacy_decoder_new();
	struct btr_legacy_object o;
	uint8_t b[256];
	size_t n = strlen(hex) / 2;
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)strtoul((char[]){hex[2 * i], hex[2 * i + 1], 0}, NULL, 16);
	int rc = btr_legacy_decode_object(d, b, n, &o, "unit");
	btr_legacy_decoder_free(d);
	return rc < 0 && btr_errcode() == BTR_EXIT_DATA && strstr(btr_errmsg(), want);
}

int main(void)
{
	uint8_t key[BTR_LEGACY_KEY], want[BTR_LEGACY_KEY], *plain;
	size_t plen;
	for (int i = 0; i < BTR_LEGACY_KEY; i++)
		want[i] = (uint8_t)strtoul((char[]){key_hex[2 * i], key_hex[2 * i + 1], 0}, NULL, 16);
	T_CHECK("key: PBKDF2-HMAC-SHA3-512 as Python's hashlib computes it",
		btr_legacy_derive_key("pw", 2, key) == 0 && !memcmp(key, want, sizeof key));

	T_CHECK("frame: opens and decompresses", opens(frame, sizeof frame, key, &plain, &plen) == 0);
	struct btr_legacy_decoder *d = btr_legacy_decoder_new();
	const struct btr_legacy_pair *kvs;
	size_t n = 0;
	T_CHECK("frame: its etcd record decodes", plain && btr_legacy_decode_etcd(d, plain, plen, &kvs, &n, "unit") == 0 && n == 1 &&
		kvs[0].key.n == 7 && !memcmp(kvs[0].key.p, "btrdb/a", 7) && kvs[0].value.n == 2 &&
		!memcmp(kvs[0].value.p, "\0v", 2));
	btr_legacy_decoder_free(d);
	free(plain);

	uint8_t bad[sizeof frame];
	memcpy(bad, frame, sizeof frame);
	bad[60] ^= 1;
	T_CHECK("frame: a changed byte fails authentication",
		opens(bad, sizeof bad, key, &plain, &plen) < 0 && strstr(btr_errmsg(), "authentication failed"));
	free(plain);
	memcpy(bad, frame, sizeof frame);
	bad[31] ^= 1; /* the nonce is not authenticated data, but it is the IV */
	T_CHECK("frame: another counter fails authentication", opens(bad, sizeof bad, key, &plain, &plen) < 0);
	free(plain);
	key[0] ^= 1;
	T_CHECK("frame: another key fails authentication", opens(frame, sizeof frame, key, &plain, &plen) < 0);
	free(plain);

	struct btr_legacy_frame h;
	memcpy(bad, frame, BTR_LEGACY_HEADER);
	bad[0] = 0;
	T_CHECK("header: no sentinel", btr_legacy_frame_parse(bad, 100, &h, "unit") < 0 && strstr(btr_errmsg(), "sentinel"));
	memcpy(bad, frame, BTR_LEGACY_HEADER);
	memcpy(bad + 8, "\0\0\0\0\x40\0\0\x01", 8);
	T_CHECK("header: over 1 GiB", btr_legacy_frame_parse(bad, UINT64_MAX, &h, "unit") < 0 && strstr(btr_errmsg(), "1 GiB"));
	T_CHECK("header: past the end", btr_legacy_frame_parse(frame, 77, &h, "unit") < 0 && strstr(btr_errmsg(), "past the end"));
	memcpy(bad + 8, "\0\0\0\0\0\0\0\x0f", 8);
	T_CHECK("header: no room for the tag", btr_legacy_frame_parse(bad, 100, &h, "unit") < 0 && strstr(btr_errmsg(), "tag"));
	T_CHECK("header: a good one", btr_legacy_frame_parse(frame, 78, &h, "unit") == 0 && h.type == 10 && h.len == 78 &&
		h.counter == 42);

	uint8_t *out = NULL;
	size_t cap = 0, len;
	T_CHECK("snappy: a length over 1 GiB is refused before allocating",
		btr_legacy_unsnappy((const uint8_t *)"\x80\x80\x80\x80\x08", 5, &out, &cap, &len, "unit") < 0 && cap == 0);
	T_CHECK("snappy: a block shorter than it claims", btr_legacy_unsnappy((const uint8_t *)"\x05\x10" "ab", 4, &out, &cap,
									  &len, "unit") < 0);
	free(out);

	/* {"Pool": "p", "Name": "n"}: Content, Namespace, xattrs and omap may be absent. */
	d = btr_legacy_decoder_new();
	struct btr_legacy_object o;
	const uint8_t ok[] = {0x82, 0xa4, 'P', 'o', 'o', 'l', 0xa1, 'p', 0xa4, 'N', 'a', 'm', 'e', 0xa1, 'n'};
	T_CHECK("object: only Pool and Name", btr_legacy_decode_object(d, ok, sizeof ok, &o, "unit") == 0 && o.pool.n == 1 &&
		o.name.n == 1 && o.content.n == 0 && o.n_xattrs == 0 && o.n_omap == 0);
	btr_legacy_decoder_free(d);
	T_CHECK("object: no Name", refused("81a4506f6f6ca170", "no field Name"));
	T_CHECK("object: a root that is not a map", refused("93010203", "not a map"));
	T_CHECK("object: bytes after the payload", refused("80c0", "bytes after"));
	T_CHECK("object: an array claiming 2^31 entries", refused("dd80000000", "count larger"));
	T_CHECK("object: a map claiming 65535 entries in 3 bytes", refused("deffff", "count larger"));
	T_CHECK("object: a string running past the end", refused("a5616263", "truncated"));
	T_CHECK("object: the never-used byte c1", refused("c1", "bad MessagePack"));
	T_CHECK("object: Name of the wrong type", refused("82a4506f6f6ca170a44e616d6501", "not bytes"));
	return t_done();
}
