/* What a frame holds once decrypted: a snappy block (libsnappy) around MessagePack
 * (msgpack-c), as the original tool's Go structs wrote it: maps keyed by field name,
 * byte fields as str or bin (nil when empty). */
#include "legacy.h"
#include "err.h"
#include "grow.h"

#include <msgpack.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>

int btr_legacy_unsnappy(const uint8_t *p, size_t n, uint8_t **out, size_t *cap, size_t *outlen, const char *where)
{
	size_t want;
	if (snappy_uncompressed_length((const char *)p, n, &want) != SNAPPY_OK)
		return btr_fail(BTR_EXIT_DATA, "%s: not a snappy block (bad length prefix)", where);
	if (want > BTR_LEGACY_MAX_PLAIN)
		return btr_fail(BTR_EXIT_DATA, "%s: snappy block claims %zu bytes, over the 1 GiB limit", where, want);
	/* Walks the block without writing, so a lying length costs no memory. */
	if (snappy_validate_compressed_buffer((const char *)p, n) != SNAPPY_OK)
		return btr_fail(BTR_EXIT_DATA, "%s: damaged snappy block", where);
	if (btr_grow((void **)out, cap, want ? want : 1, 1) < 0)
		return -1;
	*outlen = *cap;
	if (snappy_uncompress((const char *)p, n, (char *)*out, outlen) != SNAPPY_OK || *outlen != want)
		return btr_fail(BTR_EXIT_DATA, "%s: damaged snappy block", where);
	return 0;
}

struct btr_legacy_decoder {
	msgpack_unpacked u;
	int live;
	struct btr_legacy_pair *a[2];       /* kvs or xattrs; omap */
	size_t cap[2];
};

struct btr_legacy_decoder *btr_legacy_decoder_new(void)
{
	struct btr_legacy_decoder *d = calloc(1, sizeof *d);
	if (!d)
		btr_fail(BTR_EXIT_SYS, "out of memory");
	return d;
}

static void drop(struct btr_legacy_decoder *d)
{
	if (d->live)
		msgpack_unpacked_destroy(&d->u);
	d->live = 0;
}

void btr_legacy_decoder_free(struct btr_legacy_decoder *d)
{
	if (!d)
		return;
	drop(d);
	free(d->a[0]);
	free(d->a[1]);
	free(d);
}

static uint64_t be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* A big-endian count of w bytes at p[*off], stepped over; -1 when the bytes run out. */
static int length(const uint8_t *p, size_t n, size_t *off, int w, uint64_t *v)
{
	if (n - *off < (size_t)w)
		return -1;
	*v = be(p + *off, w);
	*off += (size_t)w;
	return 0;
}

/* msgpack-c allocates a container's elements as soon as it reads the count, so a
 * 5-byte array header could ask for gigabytes.  Before it runs, one pass over the
 * bytes checks that the values still owed never outnumber the bytes left (each takes
 * at least one), which bounds its allocations by a small multiple of n. */
static int counts_fit(const uint8_t *p, size_t n)
{
	size_t off = 0;
	uint64_t owed = 1;
	while (owed) {
		if (off >= n)
			return -1;
		uint8_t b = p[off++];
		uint64_t skip = 0, items = 0;
		owed--;
		if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
			;
		else if (b <= 0x8f)
			items = 2u * (b & 0x0f);
		else if (b <= 0x9f)
			items = b & 0x0f;
		else if (b <= 0xbf)
			skip = b & 0x1f;
		else if (b == 0xc1)
			return -1;
		else if (b >= 0xc4 && b <= 0xc6) { /* bin 8/16/32 */
			if (length(p, n, &off, 1 << (b - 0xc4), &skip) < 0)
				return -1;
		} else if (b >= 0xc7 && b <= 0xc9) { /* ext 8/16/32: length, then a type byte */
			if (length(p, n, &off, 1 << (b - 0xc7), &skip) < 0)
				return -1;
			skip++;
		} else if (b == 0xca || b == 0xcb)
			skip = b == 0xca ? 4 : 8;
		else if (b >= 0xcc && b <= 0xd3)
			skip = 1u << ((b - 0xcc) & 3);
		else if (b >= 0xd4 && b <= 0xd8)
			skip = 1 + (1u << (b - 0xd4));
		else if (b >= 0xd9 && b <= 0xdb) { /* str 8/16/32 */
			if (length(p, n, &off, 1 << (b - 0xd9), &skip) < 0)
				return -1;
		} else { /* 0xdc..0xdf: array 16/32, map 16/32 */
			if (length(p, n, &off, (b & 1) ? 4 : 2, &items) < 0)
				return -1;
			items *= b >= 0xde ? 2 : 1;
		}
		if (skip > n - off)
			return -1;
		off += (size_t)skip;
		owed += items;
		if (owed > n - off)
			return -1;
	}
	return off == n ? 0 : 1;
}

static int unpack(struct btr_legacy_decoder *d, const uint8_t *p, size_t n, const char *where)
{
	size_t off = 0;
	drop(d);
	int fit = counts_fit(p, n);
	if (fit < 0)
		return btr_fail(BTR_EXIT_DATA, "%s: bad MessagePack (truncated, or a count larger than the payload)", where);
	if (fit > 0)
		return btr_fail(BTR_EXIT_DATA, "%s: bad MessagePack (bytes after the payload)", where);
	msgpack_unpacked_init(&d->u);
	d->live = 1;
	if (msgpack_unpack_next(&d->u, (const char *)p, n, &off) != MSGPACK_UNPACK_SUCCESS || off != n)
		return btr_fail(BTR_EXIT_DATA, "%s: bad MessagePack", where);
	if (d->u.data.type != MSGPACK_OBJECT_MAP)
		return btr_fail(BTR_EXIT_DATA, "%s: bad MessagePack (the payload is not a map)", where);
	return 0;
}

static const msgpack_object *field(const msgpack_object *map, const char *name)
{
	size_t len = strlen(name);
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		const msgpack_object *k = &map->via.map.ptr[i].key;
		if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == len && !memcmp(k->via.str.ptr, name, len))
			return &map->via.map.ptr[i].val;
	}
	return NULL;
}

/* A byte field: str, bin, or nil (Go's empty slice). */
static int bytes_of(const msgpack_object *o, struct btr_legacy_bytes *b)
{
	b->p = (const uint8_t *)"";
	b->n = 0;
	if (!o || o->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (o->type == MSGPACK_OBJECT_STR) {
		b->p = (const uint8_t *)o->via.str.ptr;
		b->n = o->via.str.size;
	} else if (o->type == MSGPACK_OBJECT_BIN) {
		b->p = (const uint8_t *)o->via.bin.ptr;
		b->n = o->via.bin.size;
	} else
		return -1;
	return 0;
}

static int want_bytes(const msgpack_object *map, const char *name, int required, struct btr_legacy_bytes *b,
		      const char *where)
{
	const msgpack_object *o = field(map, name);
	if (!o && required)
		return btr_fail(BTR_EXIT_DATA, "%s: bad MessagePack (no field %s)", where, name);
	if (bytes_of(o, b) < 0)
		return btr_fail(BTR_EXIT_DATA, "%s: bad MessagePack (field %s is not bytes)", where, name);
	return 0;
}

/* An array of {"Key", "Value"} maps, or nil, into d->a[slot]. */
static int pairs(struct btr_legacy_decoder *d, int slot, const msgpack_object *map, const char *name,
		 const struct btr_legacy_pair **out, size_t *n, const char *where)
{
	const msgpack_object *o = field(map, name);
	*n = 0;
	*out = NULL;
	if (!o || o->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return btr_fail(BTR_EXIT_DATA, "%s: bad MessagePack (field %s is not an array)", where, name);
	if (btr_grow((void **)&d->a[slot], &d->cap[slot], o->via.array.size ? o->via.array.size : 1,
		     sizeof(struct btr_legacy_pair)) < 0)
		return -1;
	for (uint32_t i = 0; i < o->via.array.size; i++) {
		const msgpack_object *e = &o->via.array.ptr[i];
		if (e->type != MSGPACK_OBJECT_MAP)
			return btr_fail(BTR_EXIT_DATA, "%s: bad MessagePack (%s entry %u is not a map)", where, name, i);
		if (want_bytes(e, "Key", 1, &d->a[slot][i].key, where) < 0 ||
		    want_bytes(e, "Value", 0, &d->a[slot][i].value, where) < 0)
			return -1;
	}
	*out = d->a[slot];
	*n = o->via.array.size;
	return 0;
}

int btr_legacy_decode_etcd(struct btr_legacy_decoder *d, const uint8_t *p, size_t n, const struct btr_legacy_pair **kvs,
		       size_t *n_kvs, const char *where)
{
	if (unpack(d, p, n, where) < 0)
		return -1;
	if (!field(&d->u.data, "KVz"))
		return btr_fail(BTR_EXIT_DATA, "%s: bad MessagePack (no field KVz)", where);
	return pairs(d, 0, &d->u.data, "KVz", kvs, n_kvs, where);
}

int btr_legacy_decode_object(struct btr_legacy_decoder *d, const uint8_t *p, size_t n, struct btr_legacy_object *o,
			 const char *where)
{
	const msgpack_object *m = &d->u.data;
	memset(o, 0, sizeof *o);
	if (unpack(d, p, n, where) < 0 || want_bytes(m, "Pool", 1, &o->pool, where) < 0 ||
	    want_bytes(m, "Namespace", 0, &o->ns, where) < 0 || want_bytes(m, "Name", 1, &o->name, where) < 0 ||
	    want_bytes(m, "Content", 0, &o->content, where) < 0 ||
	    pairs(d, 0, m, "XATTRData", (const struct btr_legacy_pair **)&o->xattrs, &o->n_xattrs, where) < 0 ||
	    pairs(d, 1, m, "OMAPData", (const struct btr_legacy_pair **)&o->omap, &o->n_omap, where) < 0)
		return -1;
	return 0;
}

/* dst->p stays NULL unless the copy is made. */
static int copy_bytes(const struct btr_legacy_bytes *src, struct btr_legacy_bytes *dst)
{
	uint8_t *c = malloc(src->n + 1);
	if (!c)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	memcpy(c, src->p, src->n);
	c[src->n] = 0;
	dst->p = c;
	dst->n = src->n;
	return 0;
}

int btr_legacy_decode_meta(struct btr_legacy_decoder *d, const uint8_t *p, size_t n, struct btr_legacy_meta *m,
		       const char *where)
{
	memset(m, 0, sizeof *m);
	if (unpack(d, p, n, where) < 0)
		return -1;
	const msgpack_object *nf = field(&d->u.data, "NumberOfFiles"), *ts = field(&d->u.data, "Timestamps");
	if (!nf || nf->type != MSGPACK_OBJECT_POSITIVE_INTEGER || nf->via.u64 > 1000000)
		return btr_fail(BTR_EXIT_DATA, "%s: bad MessagePack (NumberOfFiles missing or not a count)", where);
	m->nfiles = nf->via.u64;
	if (!ts || ts->type == MSGPACK_OBJECT_NIL)
		return 0;
	if (ts->type != MSGPACK_OBJECT_ARRAY)
		return btr_fail(BTR_EXIT_DATA, "%s: bad MessagePack (Timestamps is not an array)", where);
	if (!(m->stamps = calloc(ts->via.array.size + 1, sizeof *m->stamps)))
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	for (uint32_t i = 0; i < ts->via.array.size; i++) {
		const msgpack_object *e = &ts->via.array.ptr[i], *k, *v;
		struct btr_legacy_stamp *s = &m->stamps[i];
		struct btr_legacy_bytes pool, ns, oid;
		if (e->type != MSGPACK_OBJECT_MAP || !(k = field(e, "Key")) || k->type != MSGPACK_OBJECT_MAP ||
		    !(v = field(e, "Val")) ||
		    (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER && v->type != MSGPACK_OBJECT_NEGATIVE_INTEGER))
			return btr_fail(BTR_EXIT_DATA, "%s: bad MessagePack (Timestamps entry %u)", where, i);
		if (want_bytes(k, "Pool", 1, &pool, where) < 0 || want_bytes(k, "Namespace", 0, &ns, where) < 0 ||
		    want_bytes(k, "OID", 1, &oid, where) < 0)
			return -1;
		s->mtime_ns = v->type == MSGPACK_OBJECT_POSITIVE_INTEGER
				      ? (v->via.u64 > INT64_MAX ? INT64_MAX : (int64_t)v->via.u64)
				      : v->via.i64;
		/* Kept after the decoder moves on. */
		m->n_stamps = i + 1;
		if (copy_bytes(&pool, &s->pool) < 0 || copy_bytes(&ns, &s->ns) < 0 || copy_bytes(&oid, &s->oid) < 0)
			return -1;
	}
	return 0;
}

void btr_legacy_meta_free(struct btr_legacy_meta *m)
{
	for (size_t i = 0; i < m->n_stamps; i++) {
		free((void *)m->stamps[i].pool.p);
		free((void *)m->stamps[i].ns.p);
		free((void *)m->stamps[i].oid.p);
	}
	free(m->stamps);
	memset(m, 0, sizeof *m);
}
