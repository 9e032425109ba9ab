/* The stream's digests.  The object digest covers the object's identity, metadata,
 * data and omap, each variable field length-prefixed so no two objects hash alike by
 * shifting bytes between fields.  The pool is left out on purpose: renaming a pool
 * (btr-filter, ceph-load SRC:DST) keeps every object digest valid.  The construction
 * is the same in both formats; only the hash function differs. */
#include "stream.h"

#include <string.h>

size_t btr_digest_len(uint32_t format)
{
	return format == 1 ? crypto_generichash_BYTES : format == 2 ? BTR_XXH128_BYTES : 0;
}

void btr_hash_init(struct btr_hash *h, uint32_t format)
{
	h->format = format == 1 ? 1 : 2;
	h->len = (uint8_t)btr_digest_len(h->format);
	if (h->format == 1)
		crypto_generichash_init(&h->u.b2, NULL, 0, h->len);
	else
		btr_xxh128_init(&h->u.xxh);
}

void btr_hash_init_keyed(struct btr_hash *h, const uint8_t *key, size_t keylen, size_t len)
{
	h->format = 1;
	h->len = (uint8_t)len;
	crypto_generichash_init(&h->u.b2, key, keylen, h->len);
}

void btr_hash_update(struct btr_hash *h, const void *p, size_t n)
{
	if (h->format == 1)
		crypto_generichash_update(&h->u.b2, p, n);
	else
		btr_xxh128_update(&h->u.xxh, p, n);
}

size_t btr_hash_final(struct btr_hash *h, uint8_t out[BTR_DIGEST_LEN])
{
	if (h->format == 1)
		crypto_generichash_final(&h->u.b2, out, h->len);
	else
		btr_xxh128_final(&h->u.xxh, out);
	return h->len;
}

void btr_hash_u64(struct btr_hash *h, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	btr_hash_update(h, b, 8);
}

void btr_hash_lp(struct btr_hash *h, const void *p, size_t n)
{
	btr_hash_u64(h, n);
	if (n)
		btr_hash_update(h, p, n);
}

void btr_objhash_begin(struct btr_objhash *h, uint32_t format, const Btr__ObjectBegin *b)
{
	static const char tag[] = "btr-object-v1";
	btr_hash_init(&h->st, format);
	h->data_bytes = h->omap_entries = 0;
	btr_hash_update(&h->st, tag, sizeof tag);
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
	btr_hash_update(&h->st, p, n);
	h->data_bytes += n;
}

void btr_objhash_omap(struct btr_objhash *h, const Btr__OmapEntry *e)
{
	btr_hash_lp(&h->st, e->key.data, e->key.len);
	btr_hash_lp(&h->st, e->value.data, e->value.len);
	h->omap_entries++;
}

size_t btr_objhash_final(struct btr_objhash *h, uint8_t out[BTR_DIGEST_LEN])
{
	btr_hash_u64(&h->st, h->data_bytes);
	btr_hash_u64(&h->st, h->omap_entries);
	return btr_hash_final(&h->st, out);
}
