/* --verify: each object of the stream is hashed as it passes (data, size, xattrs,
 * omap; not mtime or version, which a restore legitimately changes), the live object
 * is hashed the same way through btr_ceph_read_object, and the two are compared, so
 * memory stays bounded for any object size.  A full dump (no since_digest, not
 * sliced) also accounts for every live object of the target pools: one not in the
 * stream is reported as extra.  That needs 8 bytes per object of the stream. */
#include "ceph.h"
#include "err.h"
#include "stream/stream.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct side {
	struct btr_hash data, omap;     /* XXH3-128: only ever compared here */
	uint64_t size, data_bytes, omap_n;
	uint8_t xattrs[BTR_DIGEST_LEN];
	size_t n_xattrs;
};

struct vsink {
	const struct btr_load_opts *o;
	struct btr_load_stats *st;
	struct btr_obj_id id;
	struct side s, live;
	const Btr__Xattr **xs;
	size_t xcap;
	uint64_t bytes;         /* compared since the last progress call */
	uint64_t *seen;         /* identity hashes of the stream's objects */
	size_t nseen, seencap;
	uint8_t hkey[crypto_shorthash_KEYBYTES];
};

static int xcmp(const void *a, const void *b)
{
	const Btr__Xattr *x = *(const Btr__Xattr *const *)a, *y = *(const Btr__Xattr *const *)b;
	size_t n = x->name.len < y->name.len ? x->name.len : y->name.len;
	int c = n ? memcmp(x->name.data, y->name.data, n) : 0;
	return c ? c : (x->name.len > y->name.len) - (x->name.len < y->name.len);
}

/* Xattrs hashed in name order: the comparison must not depend on listing order. */
static int side_begin(struct vsink *v, struct side *s, const Btr__ObjectBegin *b)
{
	struct btr_hash x;
	if (b->n_xattrs > v->xcap) {
		const Btr__Xattr **n = realloc(v->xs, b->n_xattrs * sizeof *n);
		if (!n)
			return btr_fail(BTR_EXIT_SYS, "out of memory");
		v->xs = n;
		v->xcap = b->n_xattrs;
	}
	for (size_t i = 0; i < b->n_xattrs; i++)
		v->xs[i] = b->xattrs[i];
	if (b->n_xattrs)
		qsort(v->xs, b->n_xattrs, sizeof *v->xs, xcmp);
	btr_hash_init(&x, 2);
	for (size_t i = 0; i < b->n_xattrs; i++) {
		btr_hash_lp(&x, v->xs[i]->name.data, v->xs[i]->name.len);
		btr_hash_lp(&x, v->xs[i]->value.data, v->xs[i]->value.len);
	}
	btr_hash_final(&x, s->xattrs);
	s->n_xattrs = b->n_xattrs;
	s->size = b->size;
	s->data_bytes = s->omap_n = 0;
	btr_hash_init(&s->data, 2);
	btr_hash_init(&s->omap, 2);
	return 0;
}

static void side_data(struct side *s, const void *p, size_t n)
{
	btr_hash_update(&s->data, p, n);
	s->data_bytes += n;
}

static void side_omap(struct side *s, Btr__OmapEntry *const *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		btr_hash_lp(&s->omap, e[i]->key.data, e[i]->key.len);
		btr_hash_lp(&s->omap, e[i]->value.data, e[i]->value.len);
	}
	s->omap_n += n;
}

static int live_begin(void *ctx, const Btr__ObjectBegin *b)
{
	struct vsink *v = ctx;
	return side_begin(v, &v->live, b);
}

static int live_data(void *ctx, const void *p, size_t n)
{
	side_data(&((struct vsink *)ctx)->live, p, n);
	return 0;
}

static int live_omap(void *ctx, Btr__OmapEntry *const *e, size_t n)
{
	side_omap(&((struct vsink *)ctx)->live, e, n);
	return 0;
}

static uint64_t identity(struct vsink *v, const char *pool, const char *ns, const char *loc, const char *name)
{
	struct btr_ident id = btr_ident_str(pool, ns, name, loc);
	uint8_t d[BTR_IDENT_HASH_LEN];
	uint64_t x;
	btr_ident_hash(&id, v->hkey, sizeof v->hkey, d);
	memcpy(&x, d, sizeof x);
	return x;
}

static int v_begin(void *s, const struct btr_obj_id *id, const Btr__ObjectBegin *b)
{
	struct vsink *v = s;
	v->id = *id;
	if (v->nseen == v->seencap) {
		size_t cap = v->seencap ? v->seencap * 2 : 4096;
		uint64_t *n = realloc(v->seen, cap * sizeof *n);
		if (!n)
			return btr_fail(BTR_EXIT_SYS, "out of memory");
		v->seen = n;
		v->seencap = cap;
	}
	v->seen[v->nseen++] = identity(v, id->t->dst, id->nspace, id->locator, id->oid);
	return side_begin(v, &v->s, b);
}

static int v_data(void *s, const uint8_t *p, size_t n, uint64_t off)
{
	struct vsink *v = s;
	(void)off;
	side_data(&v->s, p, n);
	v->bytes += n;
	return 0;
}

static int v_omap(void *s, Btr__OmapEntry *const *e, size_t n)
{
	side_omap(&((struct vsink *)s)->s, e, n);
	return 0;
}

static void differs(struct vsink *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void differs(struct vsink *v, const char *fmt, ...)
{
	va_list ap;
	char m[300];
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	btr_say(v->o->say, "verify: %s: %s", v->id.label, m);
	v->st->differ++;
}

static int v_end(void *s, const Btr__ObjectBegin *b)
{
	struct vsink *v = s;
	struct btr_obj_cb cb = {live_begin, live_data, live_omap, 0};
	uint8_t a[BTR_DIGEST_LEN], l[BTR_DIGEST_LEN];
	(void)b;
	int r = btr_ceph_read_object(v->id.t->io, v->id.nspace, v->id.oid, v->id.locator, 0, &cb, v);
	if (r < 0)
		return -1;
	if (r == BTR_READ_VANISHED) {
		differs(v, "missing on the cluster");
		return 0;
	}
	if (r == BTR_READ_UNSTABLE) {
		differs(v, "changed on every read: %s", btr_errmsg());
		return 0;
	}
	if (v->s.size != v->live.size) {
		differs(v, "size %llu in the stream, %llu on the cluster", (unsigned long long)v->s.size,
			(unsigned long long)v->live.size);
		return 0;
	}
	size_t n = btr_hash_final(&v->s.data, a);
	btr_hash_final(&v->live.data, l);
	if (memcmp(a, l, n) != 0) {
		differs(v, "data differs");
		return 0;
	}
	if (v->s.n_xattrs != v->live.n_xattrs || memcmp(v->s.xattrs, v->live.xattrs, n) != 0) {
		differs(v, "xattrs differ (%zu in the stream, %zu on the cluster)", v->s.n_xattrs, v->live.n_xattrs);
		return 0;
	}
	btr_hash_final(&v->s.omap, a);
	btr_hash_final(&v->live.omap, l);
	if (v->s.omap_n != v->live.omap_n || memcmp(a, l, n) != 0)
		differs(v, "omap differs (%llu entries in the stream, %llu on the cluster)",
			(unsigned long long)v->s.omap_n, (unsigned long long)v->live.omap_n);
	return 0;
}

static const char *v_abort(void *s, int reader_failed)
{
	(void)s;
	(void)reader_failed;
	return "";
}

/* A deletion record: the object must be gone. */
static int v_del(void *s, const struct btr_obj_id *id)
{
	struct vsink *v = s;
	uint64_t size;
	time_t mtime;
	v->id = *id;
	rados_ioctx_set_namespace(id->t->io, id->nspace);
	rados_ioctx_locator_set_key(id->t->io, id->locator[0] ? id->locator : NULL);
	int r = rados_stat(id->t->io, id->oid, &size, &mtime);
	if (r == 0)
		differs(v, "deleted in the stream, present on the cluster");
	else if (r != -ENOENT)
		return btr_fail(BTR_EXIT_SYS, "cannot stat %s: %s", id->label, btr_rados_strerror(r));
	return 0;
}

static int v_finish(void *s)
{
	struct vsink *v = s;
	if (v->st->differ || v->st->extra)
		return btr_fail(BTR_EXIT_DATA, "verify failed: %llu objects differ, %llu objects on the cluster are not in the stream",
				(unsigned long long)v->st->differ, (unsigned long long)v->st->extra);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

int btr_verify_extras(void *s, struct btr_poolmap *m, uint64_t *extra)
{
	struct vsink *v = s;
	if (v->nseen)
		qsort(v->seen, v->nseen, sizeof *v->seen, cmp_u64);
	for (size_t i = 0; i < m->n; i++) {
		rados_ioctx_t lio;
		rados_list_ctx_t ctx;
		int r;
		if (btr_ceph_open_pool(m->cluster, m->t[i].dst, BTR_EXIT_USAGE, " (create it first)", &lio) < 0)
			return -1;
		rados_ioctx_set_namespace(lio, LIBRADOS_ALL_NSPACES);
		if ((r = rados_nobjects_list_open(lio, &ctx)) < 0) {
			rados_ioctx_destroy(lio);
			return btr_fail(BTR_EXIT_SYS, "cannot list pool \"%s\": %s", m->t[i].dst, btr_rados_strerror(r));
		}
		for (;;) {
			const char *oid, *key, *ns;
			char label[512];
			r = rados_nobjects_list_next(ctx, &oid, &key, &ns);
			if (r == -ENOENT) {
				r = 0;
				break;
			}
			if (r < 0) {
				btr_fail(BTR_EXIT_SYS, "cannot list pool \"%s\": %s", m->t[i].dst, btr_rados_strerror(r));
				break;
			}
			uint64_t h = identity(v, m->t[i].dst, ns ? ns : "", key ? key : "", oid);
			if (v->nseen && bsearch(&h, v->seen, v->nseen, sizeof h, cmp_u64))
				continue;
			btr_say(v->o->say, "verify: %s: on the cluster but not in the stream",
				btr_ceph_objname(m->t[i].dst, ns, oid, label, sizeof label));
			(*extra)++;
		}
		rados_nobjects_list_close(ctx);
		rados_ioctx_destroy(lio);
		if (r < 0)
			return -1;
	}
	return 0;
}

static uint64_t v_progress(void *s)
{
	struct vsink *v = s;
	uint64_t b = v->bytes;
	v->bytes = 0;
	return b;
}

static void v_free(void *s)
{
	struct vsink *v = s;
	free(v->xs);
	free(v->seen);
	free(v);
}

void *btr_verify_sink_new(const struct btr_load_opts *o, struct btr_load_stats *st, struct btr_sink *ops)
{
	struct vsink *v = calloc(1, sizeof *v);
	if (!v) {
		btr_fail(BTR_EXIT_SYS, "out of memory");
		return NULL;
	}
	v->o = o;
	v->st = st;
	randombytes_buf(v->hkey, sizeof v->hkey);
	*ops = (struct btr_sink){v_begin, v_data, v_omap, v_end, v_abort, v_del, v_finish, v_free, v_progress};
	return v;
}
