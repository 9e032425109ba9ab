/* Object identity (stream/ident.c): one constructor from a record, one formatter,
 * one hash, equality. */
#include "stream/stream.h"
#include "t.h"

#include <sodium.h>
#include <string.h>

static void lp(crypto_generichash_state *st, const char *p, size_t n)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)((uint64_t)n >> (8 * i));
	crypto_generichash_update(st, b, 8);
	crypto_generichash_update(st, (const uint8_t *)p, n);
}

static int hash_eq(const struct btr_ident *a, const struct btr_ident *b, const uint8_t *key)
{
	uint8_t x[BTR_IDENT_HASH_LEN], y[BTR_IDENT_HASH_LEN];
	btr_ident_hash(a, key, key ? 16 : 0, x);
	btr_ident_hash(b, key, key ? 16 : 0, y);
	return memcmp(x, y, sizeof x) == 0;
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	char out[200];

	/* format */
	struct btr_ident a = btr_ident_str("btrdbhot", NULL, "meta1234", NULL);
	T_CHECK("format: default namespace is pool/name", !strcmp(btr_ident_format(&a, out, sizeof out), "btrdbhot/meta1234"));
	struct btr_ident j = btr_ident_str("btrdbjournal", "journalprovider", "node/a", "");
	T_CHECK("format: a namespace is pool/namespace/name",
		!strcmp(btr_ident_format(&j, out, sizeof out), "btrdbjournal/journalprovider/node/a"));
	const char bin[] = {'u', 0, '\n', (char)0xff};
	struct btr_ident b = {"p", {"", 0}, {bin, sizeof bin}, {"", 0}};
	btr_ident_format(&b, out, sizeof out);
	T_CHECK("format: NUL, newline and high bytes are escaped", !strcmp(out, "p/u\\x00\\x0a\\xff") && !strchr(out, '\n'));
	struct btr_ident nopool = btr_ident_str(NULL, NULL, "x", NULL);
	T_CHECK("format: no pool gives an empty field", !strcmp(btr_ident_format(&nopool, out, sizeof out), "/x"));
	char small[8];
	btr_ident_format(&j, small, sizeof small);
	T_CHECK("format: a short buffer truncates, NUL-terminated", strlen(small) == sizeof small - 1);

	/* constructor from records */
	Btr__ObjectBegin ob = BTR__OBJECT_BEGIN__INIT;
	ob.pool = "btrdbhot";
	ob.namespace_ = (ProtobufCBinaryData){2, (uint8_t *)"ns"};
	ob.name = (ProtobufCBinaryData){4, (uint8_t *)"name"};
	ob.locator = (ProtobufCBinaryData){3, (uint8_t *)"loc"};
	struct btr_record rec = {.type = BTR_OBJECT_BEGIN, .u.begin = &ob};
	struct btr_ident r, s = btr_ident_str("btrdbhot", "ns", "name", "loc");
	T_CHECK("of: an object begin", btr_ident_of(&r, &rec) == 0 && btr_ident_equal(&r, &s));
	Btr__Delete del = BTR__DELETE__INIT;
	del.pool = ob.pool;
	del.namespace_ = ob.namespace_;
	del.name = ob.name;
	del.locator = ob.locator;
	rec = (struct btr_record){.type = BTR_DELETE, .u.del = &del};
	T_CHECK("of: a deletion names the same object", btr_ident_of(&r, &rec) == 0 && btr_ident_equal(&r, &s));
	Btr__IndexEntry ie = BTR__INDEX_ENTRY__INIT;
	ie.pool = NULL;
	ie.name = ob.name;
	rec = (struct btr_record){.type = BTR_INDEX, .u.index = &ie};
	T_CHECK("of: an index entry without a pool has pool \"\"", btr_ident_of(&r, &rec) == 0 && !strcmp(r.pool, ""));
	Btr__KeyValue kv = BTR__KEY_VALUE__INIT;
	rec = (struct btr_record){.type = BTR_KV, .u.kv = &kv};
	T_CHECK("of: a key-value is not an object", btr_ident_of(&r, &rec) == -1);
	rec = (struct btr_record){.type = BTR_OBJECT_END, .object = &ob};
	T_CHECK("of: an object's end names its object", btr_ident_of(&r, &rec) == 0 && btr_ident_equal(&r, &s));
	rec = (struct btr_record){.type = BTR_OBJECT_DATA};
	T_CHECK("of: data outside an object names none", btr_ident_of(&r, &rec) == -1);

	/* equality */
	struct btr_ident t = btr_ident_str("btrdbhot", "ns", "name", "lo");
	T_CHECK("equal: the same fields", btr_ident_equal(&s, &s));
	T_CHECK("equal: the locator counts", !btr_ident_equal(&s, &t));
	struct btr_ident n1 = {"p", {"", 0}, {"a\0b", 3}, {"", 0}}, n2 = {"p", {"", 0}, {"a\0c", 3}, {"", 0}};
	T_CHECK("equal: bytes after a NUL count", !btr_ident_equal(&n1, &n2));

	/* hash */
	uint8_t key[16] = {1, 2, 3};
	T_CHECK("hash: equal identities hash alike", hash_eq(&s, &(struct btr_ident){"btrdbhot", {"ns", 2}, {"name", 4}, {"loc", 3}}, NULL));
	T_CHECK("hash: the locator counts", !hash_eq(&s, &t, NULL));
	struct btr_ident x1 = btr_ident_str("p", "ab", "c", NULL), x2 = btr_ident_str("p", "a", "bc", NULL);
	T_CHECK("hash: fields do not run together (ab|c vs a|bc)", !hash_eq(&x1, &x2, NULL) && !btr_ident_equal(&x1, &x2));
	struct btr_ident y1 = btr_ident_str("pa", NULL, "b", NULL), y2 = btr_ident_str("p", "a", "b", NULL);
	T_CHECK("hash: pool and namespace do not run together", !hash_eq(&y1, &y2, NULL));
	uint8_t h0[BTR_IDENT_HASH_LEN], h1[BTR_IDENT_HASH_LEN];
	btr_ident_hash(&s, NULL, 0, h0);
	btr_ident_hash(&s, key, sizeof key, h1);
	T_CHECK("hash: the key changes the hash", memcmp(h0, h1, sizeof h0) != 0);
	T_CHECK("hash: keyed, equal identities still hash alike", hash_eq(&s, &s, key));
	/* The construction itself: BLAKE2b-128 over each field length-prefixed (u64 little-endian length, then the bytes). */
	uint8_t want[BTR_IDENT_HASH_LEN];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof want);
	lp(&st, "btrdbhot", 8);
	lp(&st, "ns", 2);
	lp(&st, "name", 4);
	lp(&st, "loc", 3);
	crypto_generichash_final(&st, want, sizeof want);
	T_CHECK("hash: BLAKE2b-128 of lp(pool) lp(ns) lp(name) lp(loc)", memcmp(h0, want, sizeof want) == 0);
	return t_done();
}
