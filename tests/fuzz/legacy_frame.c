/* libFuzzer: the original tool's frames, snappy blocks and MessagePack payloads.
 * The first byte picks what the rest is: 0 a piece of frames (headers, lengths,
 * GCM with a fixed key), 1 a snappy block whose contents are then decoded as each
 * payload type, 2 MessagePack given to each decoder directly. */
#include "legacy/legacy.h"

#include <stdlib.h>
#include <string.h>

static void payloads(struct btr_legacy_decoder *d, const uint8_t *p, size_t n)
{
	const struct btr_legacy_pair *kvs;
	size_t nk;
	struct btr_legacy_object o;
	struct btr_legacy_meta m;
	if (btr_legacy_decode_etcd(d, p, n, &kvs, &nk, "fuzz") == 0)
		for (size_t i = 0; i < nk; i++) /* every pointer must be inside the payload */
			if (kvs[i].key.n && (kvs[i].key.p < p || kvs[i].key.p + kvs[i].key.n > p + n))
				abort();
	if (btr_legacy_decode_object(d, p, n, &o, "fuzz") == 0 && o.content.n &&
	    (o.content.p < p || o.content.p + o.content.n > p + n))
		abort();
	btr_legacy_decode_meta(d, p, n, &m, "fuzz");
	btr_legacy_meta_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[BTR_LEGACY_KEY] = {1, 2, 3};
	struct btr_legacy_decoder *d;
	if (size < 1 || !(d = btr_legacy_decoder_new()))
		return 0;
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	if (data[0] == 0) {
		struct btr_legacy_cipher *c = btr_legacy_cipher_new(key);
		while (c && n >= BTR_LEGACY_HEADER) {
			struct btr_legacy_frame f;
			size_t plen;
			if (btr_legacy_frame_parse(p, n - BTR_LEGACY_HEADER, &f, "fuzz") < 0)
				break;
			uint8_t *ct = malloc(f.len);
			if (!ct)
				break;
			memcpy(ct, p + BTR_LEGACY_HEADER, f.len);
			btr_legacy_frame_open(c, &f, ct, &plen, "fuzz");
			free(ct);
			p += BTR_LEGACY_HEADER + f.len;
			n -= BTR_LEGACY_HEADER + f.len;
		}
		btr_legacy_cipher_free(c);
	} else if (data[0] == 1) {
		uint8_t *out = NULL;
		size_t cap = 0, len;
		if (btr_legacy_unsnappy(p, n, &out, &cap, &len, "fuzz") == 0)
			payloads(d, out, len);
		free(out);
	} else {
		payloads(d, p, n);
	}
	btr_legacy_decoder_free(d);
	return 0;
}
