/* One object identity: pool, namespace, name, locator key. */
#include "stream.h"

#include <stdio.h>
#include <string.h>

static struct btr_bytes bytes(const ProtobufCBinaryData *b)
{
	return (struct btr_bytes){(const char *)b->data, b->len};
}

static int set(struct btr_ident *id, const char *pool, const ProtobufCBinaryData *ns, const ProtobufCBinaryData *name,
	       const ProtobufCBinaryData *loc)
{
	*id = (struct btr_ident){pool ? pool : "", bytes(ns), bytes(name), bytes(loc)};
	return 0;
}

int btr_ident_of(struct btr_ident *id, const struct btr_record *rec)
{
	const Btr__ObjectBegin *b = rec->object; /* DATA, OMAP, END: the object they belong to */
	switch (rec->type) {
	case BTR_OBJECT_BEGIN:
		b = rec->u.begin;
		break;
	case BTR_DELETE:
		return set(id, rec->u.del->pool, &rec->u.del->namespace_, &rec->u.del->name, &rec->u.del->locator);
	case BTR_INDEX:
		return set(id, rec->u.index->pool, &rec->u.index->namespace_, &rec->u.index->name, &rec->u.index->locator);
	case BTR_OBJECT_DATA:
	case BTR_OBJECT_OMAP:
	case BTR_OBJECT_END:
		break;
	default:
		return -1;
	}
	if (!b)
		return -1;
	return set(id, b->pool, &b->namespace_, &b->name, &b->locator);
}

static struct btr_bytes str(const char *s)
{
	return (struct btr_bytes){s ? s : "", s ? strlen(s) : 0};
}

struct btr_ident btr_ident_str(const char *pool, const char *ns, const char *name, const char *loc)
{
	return (struct btr_ident){pool ? pool : "", str(ns), str(name), str(loc)};
}

char *btr_ident_format(const struct btr_ident *id, char *out, size_t outlen)
{
	char ns[128], name[300];
	btr_escape(id->ns.p, id->ns.n, ns, sizeof ns);
	btr_escape(id->name.p, id->name.n, name, sizeof name);
	snprintf(out, outlen, "%s/%s%s%s", id->pool, ns, ns[0] ? "/" : "", name);
	return out;
}

void btr_ident_hash(const struct btr_ident *id, const uint8_t *key, size_t keylen, uint8_t out[BTR_IDENT_HASH_LEN])
{
	struct btr_hash st;
	uint8_t d[BTR_DIGEST_LEN];
	btr_hash_init_keyed(&st, key, keylen, BTR_IDENT_HASH_LEN);
	btr_hash_lp(&st, id->pool, strlen(id->pool));
	btr_hash_lp(&st, id->ns.p, id->ns.n);
	btr_hash_lp(&st, id->name.p, id->name.n);
	btr_hash_lp(&st, id->loc.p, id->loc.n);
	btr_hash_final(&st, d);
	memcpy(out, d, BTR_IDENT_HASH_LEN);
}

static int same(struct btr_bytes a, struct btr_bytes b)
{
	return a.n == b.n && (!a.n || memcmp(a.p, b.p, a.n) == 0);
}

int btr_ident_equal(const struct btr_ident *a, const struct btr_ident *b)
{
	return !strcmp(a->pool, b->pool) && same(a->ns, b->ns) && same(a->name, b->name) && same(a->loc, b->loc);
}
