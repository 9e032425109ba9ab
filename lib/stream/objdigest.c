/* The object digest: BLAKE2b-256 over the object's identity, metadata, data and
 * omap, each variable field length-prefixed so no two objects hash alike by
 * shifting bytes between fields.  The pool is left out on purpose: renaming a pool
 * (btr-filter, ceph-load SRC:DST) keeps every object digest valid. */
#include "stream.h"

#include <string.h>

void btr_hash_u64(crypto_generichash_state *st, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	crypto_generichash_update(st, b, 8);
}

void btr_hash_lp(crypto_generichash_state *st, const void *p, size_t n)
{
	btr_hash_u64(st, n);
	if (n)
		crypto_generichash_update(st, p, n);
}

void btr_objhash_begin(struct btr_objhash *h, const Btr__ObjectBegin *b)
{
	static const char tag[] = "btr-object-v1";
	crypto_generichash_init(&h->st, NULL, 0, BTR_DIGEST_LEN);
	h->data_bytes = h->omap_entries = 0;
	crypto_generichash_update(&h->st, (const uint8_t *)tag, sizeof tag);
	btr_hash_lp(&h->st, b->namespace_.data, b->namespace_.len);
	btr_hash_lp(&h->st, b->name.data, b->name.len);
	btr_hash_lp(&h->st, b->locator.data, b->locator.len);
	btr_hash_u64(&h->st, b->size);
	btr_hash_u64(&h->st, (uint64_t)b->mtime);
	btr_hash_u64(&h->st, b->version);
	btr_hash_u64(&h->st, b->n_xattrs);
	for (size_t i = 0; i < b->n_xattrs; i++) {
		btr_hash_lp(&h->st, b->xattrs[i]->name.data, b->xattrs[i]->name.len);
		btr_hash_lp(&h->st, b->xattrs[i]->value.data, b->xattrs[i]->value.len);
	}
}

void btr_objhash_data(struct btr_objhash *h, const void *p, size_t n)
{
	crypto_generichash_update(&h->st, p, n);
	h->data_bytes += n;
}

void btr_objhash_omap(struct btr_objhash *h, const Btr__OmapEntry *e)
{
	btr_hash_lp(&h->st, e->key.data, e->key.len);
	btr_hash_lp(&h->st, e->value.data, e->value.len);
	h->omap_entries++;
}

void btr_objhash_final(struct btr_objhash *h, uint8_t out[BTR_DIGEST_LEN])
{
	btr_hash_u64(&h->st, h->data_bytes);
	btr_hash_u64(&h->st, h->omap_entries);
	crypto_generichash_final(&h->st, out, BTR_DIGEST_LEN);
}
