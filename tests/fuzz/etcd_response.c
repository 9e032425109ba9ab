/* libFuzzer: arbitrary bytes as etcd's reply to a Range call.  The first byte picks
 * the requested range (all keys, a prefix, a resumed page), the rest is the reply.
 * btr_etcd_range_parse must refuse anything malformed or outside the range, never crash,
 * and what it accepts must hold the promises the dump relies on. */
#include "etcd/etcd.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	return c ? c : (an > bn) - (an < bn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t all[] = {0}, pfx[] = "btrdb/", resume[] = "btrdb/u/\x00";
	uint8_t end[8];
	const uint8_t *from;
	size_t from_len, end_len;
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0: from = all; from_len = 1; end[0] = 0; end_len = 1; break;
	case 1: from = pfx; from_len = 6; end_len = btr_etcd_prefix_end(pfx, 6, end); break;
	default: from = resume; from_len = 9; end_len = btr_etcd_prefix_end(pfx, 6, end); break;
	}
	Etcdserverpb__RangeResponse *r = btr_etcd_range_parse(data + 1, size - 1, from, from_len, end, end_len);
	if (!r)
		return 0;
	if (!r->header || r->header->revision <= 0 || (r->more && !r->n_kvs))
		abort();
	for (size_t i = 0; i < r->n_kvs; i++) {
		const Mvccpb__KeyValue *kv = r->kvs[i];
		if (!kv->key.len || cmp(kv->key.data, kv->key.len, from, from_len) < 0)
			abort();
		if (!(end_len == 1 && end[0] == 0) && cmp(kv->key.data, kv->key.len, end, end_len) >= 0)
			abort();
		if (i && cmp(kv->key.data, kv->key.len, r->kvs[i - 1]->key.data, r->kvs[i - 1]->key.len) <= 0)
			abort();
	}
	etcdserverpb__range_response__free_unpacked(r, NULL);
	return 0;
}
