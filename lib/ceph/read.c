/* One object, read consistently: the first op takes stat, xattrs, the first data chunk
 * and the first omap page together; every later op asserts the version the first op
 * saw, so the OSD itself refuses (ERANGE/EOVERFLOW) to serve a later piece of a
 * changed object and we start again. */
#include "ceph.h"
#include "err.h"
#include "grow.h"
#include "stream/stream.h"

#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

enum { GO = 0, CHANGED = 3 };

struct rd {
	rados_ioctx_t io;
	const char *ns, *name;
	size_t chunk;
	char *buf;                      /* own chunk buffer, allocated when first needed */
	btr_obj_dest dest;
	const struct btr_obj_cb *cb;
	void *ctx;
	uint64_t ver;
	/* omap page scratch */
	Btr__OmapEntry *ents;
	Btr__OmapEntry **ptrs;
	size_t cap;
	/* last omap key delivered (any bytes) */
	char *last;
	size_t last_len, last_cap;
	/* xattr scratch */
	Btr__Xattr *xa;
	Btr__Xattr **xp;
	size_t xcap;
	/* xattr values: librados frees each one at the next iteration step */
	uint8_t *xv;
	size_t xv_cap;
};

char *btr_ceph_objname(const char *pool, const char *nspace, const char *name, char *out, size_t outlen)
{
	struct btr_ident id = btr_ident_str(pool, nspace, name, NULL);
	return btr_ident_format(&id, out, outlen);
}

/* Where the bytes [off, off+len) go: the caller's memory, or our own chunk buffer. */
static char *where(struct rd *r, uint64_t off, size_t len)
{
	char *p = r->dest ? r->dest(r->ctx, off, len) : NULL;
	if (p)
		return p;
	if (!r->buf && !(r->buf = malloc(r->chunk)))
		btr_fail(BTR_EXIT_SYS, "out of memory");
	return r->buf;
}

/* Maps an op's result: GO, CHANGED, BTR_READ_VANISHED, or -1 (failure recorded). */
static int op_result(struct rd *r, int rc, const char *what)
{
	char on[440];
	if (rc >= 0)
		return GO;
	if (rc == -ENOENT)
		return BTR_READ_VANISHED;
	if (rc == -ERANGE || rc == -EOVERFLOW)
		return CHANGED;
	return btr_fail(BTR_EXIT_SYS, "reading %s (%s): %s", btr_ceph_objname(NULL, r->ns, r->name, on, sizeof on),
			what, btr_rados_strerror(rc));
}

static int keycmp(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	return c ? c : (al > bl) - (al < bl);
}

/* Delivers the entries of one omap page that come after the last key delivered.
 * Sets *fresh to how many that was. */
static int deliver_omap(struct rd *r, rados_omap_iter_t it, size_t *fresh)
{
	unsigned total = rados_omap_iter_size(it);
	size_t cap_e = r->cap, n = 0;
	*fresh = 0;
	if (btr_grow((void **)&r->ents, &cap_e, total, sizeof *r->ents) < 0 ||
	    btr_grow((void **)&r->ptrs, &r->cap, total, sizeof *r->ptrs) < 0)
		return -1;
	for (;;) {
		char *k, *v;
		size_t kl, vl;
		int rc = rados_omap_get_next2(it, &k, &v, &kl, &vl);
		if (rc < 0)
			return btr_fail(BTR_EXIT_SYS, "omap iteration: %s", btr_rados_strerror(rc));
		if (!k)
			break;
		if (n == total) /* never more than the iterator said; be safe anyway */
			return btr_fail(BTR_EXIT_SYS, "omap page longer than announced");
		if (r->last && keycmp(k, kl, r->last, r->last_len) <= 0)
			continue;
		Btr__OmapEntry *e = &r->ents[n];
		btr__omap_entry__init(e);
		e->key.data = (uint8_t *)k;
		e->key.len = kl;
		e->value.data = (uint8_t *)v;
		e->value.len = vl;
		r->ptrs[n++] = e;
	}
	if (!n)
		return 0;
	Btr__OmapEntry *le = r->ptrs[n - 1];
	size_t lc = r->last_cap;
	if (btr_grow((void **)&r->last, &lc, le->key.len + 1, 1) < 0)
		return -1;
	r->last_cap = lc;
	memcpy(r->last, le->key.data, le->key.len);
	r->last[le->key.len] = 0;
	r->last_len = le->key.len;
	*fresh = n;
	return r->cb->omap ? r->cb->omap(r->ctx, r->ptrs, n) : 0;
}

static int begin(struct rd *r, const char *locator, uint64_t size, time_t mtime, rados_xattrs_iter_t xit)
{
	Btr__ObjectBegin b = BTR__OBJECT_BEGIN__INIT;
	size_t n = 0, used = 0;
	for (;;) {
		const char *k, *v;
		size_t vl;
		int rc = rados_getxattrs_next(xit, &k, &v, &vl);
		if (rc < 0)
			return btr_fail(BTR_EXIT_SYS, "xattr iteration: %s", btr_rados_strerror(rc));
		if (!k)
			break;
		size_t c1 = r->xcap;
		if (btr_grow((void **)&r->xa, &c1, n + 1, sizeof *r->xa) < 0 ||
		    btr_grow((void **)&r->xp, &r->xcap, n + 1, sizeof *r->xp) < 0)
			return -1;
		if (btr_grow((void **)&r->xv, &r->xv_cap, used + vl + 1, 1) < 0)
			return -1;
		if (vl)
			memcpy(r->xv + used, v, vl);
		btr__xattr__init(&r->xa[n]);
		r->xa[n].name.data = (uint8_t *)k;
		r->xa[n].name.len = strlen(k);
		r->xa[n].value.data = (uint8_t *)(uintptr_t)used; /* an offset until xv stops moving */
		r->xa[n].value.len = vl;
		used += vl;
		n++;
	}
	for (size_t i = 0; i < n; i++) { /* pointers only now: xa and xv may have moved while growing */
		r->xp[i] = &r->xa[i];
		r->xa[i].value.data = r->xv + (uintptr_t)r->xa[i].value.data;
	}
	b.namespace_.data = (uint8_t *)r->ns;
	b.namespace_.len = strlen(r->ns);
	b.name.data = (uint8_t *)r->name;
	b.name.len = strlen(r->name);
	b.locator.data = (uint8_t *)(locator ? locator : "");
	b.locator.len = locator ? strlen(locator) : 0;
	b.size = size;
	b.mtime = (int64_t)mtime;
	b.version = r->ver;
	b.n_xattrs = n;
	b.xattrs = r->xp;
	return r->cb->begin ? r->cb->begin(r->ctx, &b) : 0;
}

/* One data read in flight. */
struct dop {
	rados_read_op_t op;
	rados_completion_t c;
	char *to;
	size_t want, n;
	int rv, own;
};

static int dop_issue(struct rd *r, struct dop *d, uint64_t off, size_t want, char *to, int own)
{
	int rc;
	*d = (struct dop){.to = to, .want = want, .own = own};
	if (!(d->op = rados_create_read_op()))
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	if ((rc = rados_aio_create_completion2(NULL, NULL, &d->c)) < 0) {
		rados_release_read_op(d->op);
		return btr_fail(BTR_EXIT_SYS, "cannot create a librados completion: %s", btr_rados_strerror(rc));
	}
	rados_read_op_assert_version(d->op, r->ver);
	rados_read_op_read(d->op, off, want, to, &d->n, &d->rv);
	if ((rc = rados_aio_read_op_operate(d->op, r->io, d->c, r->name, 0)) < 0) {
		rados_aio_release(d->c);
		rados_release_read_op(d->op);
		return op_result(r, rc, "data");
	}
	return GO;
}

/* Waits for the read and releases it: GO, CHANGED, VANISHED or -1. */
static int dop_wait(struct rd *r, struct dop *d)
{
	rados_aio_wait_for_complete(d->c);
	int rc = rados_aio_get_return_value(d->c);
	rados_aio_release(d->c);
	rados_release_read_op(d->op);
	int res = op_result(r, rc, "data");
	return res == GO && d->n != d->want ? CHANGED : res;
}

/* The data after the first chunk.  With the caller's memory (dest) cb->depth reads are
 * in flight (a ring, delivered in offset order), so the OSD works on the next extents
 * while this one is hashed and written; the reader's own buffer is never given to two
 * reads at once. */
static int read_rest(struct rd *r, uint64_t got, uint64_t size, int res)
{
	struct dop q[BTR_CEPH_READ_DEPTH];
	unsigned h = 0, nq = 0, depth = 1;
	if (r->dest)
		depth = !r->cb->depth ? 2 : r->cb->depth > BTR_CEPH_READ_DEPTH ? BTR_CEPH_READ_DEPTH : r->cb->depth;
	uint64_t issued = got;
	int own_busy = 0;
	while (res == GO && got < size) {
		while (nq < depth && issued < size) {
			size_t want = size - issued < r->chunk ? (size_t)(size - issued) : r->chunk;
			char *to = r->dest ? r->dest(r->ctx, issued, want) : NULL;
			int own = !to;
			if (own && own_busy)
				break;
			if (own && !(to = where(r, issued, want))) {
				res = -1;
				break;
			}
			if ((res = dop_issue(r, &q[(h + nq) % depth], issued, want, to, own)) != GO)
				break;
			own_busy |= own;
			nq++;
			issued += want;
		}
		if (res != GO || !nq)
			break;
		struct dop *d = &q[h];
		h = (h + 1) % depth;
		nq--;
		if ((res = dop_wait(r, d)) == GO && r->cb->data)
			res = r->cb->data(r->ctx, d->to, d->n);
		if (d->own)
			own_busy = 0;
		got += d->n;
	}
	while (nq) { /* a read still in flight writes into memory we are about to give back */
		dop_wait(r, &q[h]);
		h = (h + 1) % depth;
		nq--;
	}
	return res;
}

/* One attempt: GO when the whole object was delivered, CHANGED, VANISHED, or -1. */
static int attempt(struct rd *r, const char *locator)
{
	uint64_t size = 0, got = 0;
	time_t mtime = 0;
	int srv = 0, xrv = 0, rrv = 0, orv = 0, rc, res;
	size_t got1 = 0;
	unsigned char more = 0;
	rados_xattrs_iter_t xit = NULL;
	rados_omap_iter_t oit = NULL;
	char *to = where(r, 0, r->chunk);
	if (!to)
		return -1;

	rados_read_op_t op = rados_create_read_op();
	if (!op)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	rados_read_op_stat(op, &size, &mtime, &srv);
	rados_read_op_getxattrs(op, &xit, &xrv);
	rados_read_op_read(op, 0, r->chunk, to, &got1, &rrv);
	rados_read_op_omap_get_vals2(op, "", NULL, BTR_CEPH_OMAP_PAGE, &oit, &more, &orv);
	rc = rados_read_op_operate(op, r->io, r->name, 0);
	rados_release_read_op(op);
	res = op_result(r, rc, "stat, xattrs, data, omap");
	if (res == GO) {
		r->ver = rados_get_last_version(r->io);
		free(r->last);
		r->last = NULL;
		r->last_len = r->last_cap = 0;
		if ((res = begin(r, locator, size, mtime, xit)) == 0) {
			if (got1 > size || (got1 < size && got1 < r->chunk))
				res = CHANGED; /* cannot be within one op; be safe */
			else if (got1 && r->cb->data)
				res = r->cb->data(r->ctx, to, got1);
		}
	}
	if (xit)
		rados_getxattrs_end(xit);
	got = got1;
	/* the first omap page waits (in librados' memory) until the data is through */
	res = read_rest(r, got, size, res);
	if (res == GO) {
		size_t fresh;
		res = deliver_omap(r, oit, &fresh);
	}
	if (oit)
		rados_omap_get_end(oit);
	while (res == GO && more) {
		size_t fresh = 0;
		oit = NULL;
		if (!(op = rados_create_read_op())) {
			res = btr_fail(BTR_EXIT_SYS, "out of memory");
			break;
		}
		rados_read_op_assert_version(op, r->ver);
		/* A key with a NUL byte is cut short here: such a start is before the real
		 * last key, and deliver_omap skips what was already delivered. */
		rados_read_op_omap_get_vals2(op, r->last ? r->last : "", NULL, BTR_CEPH_OMAP_PAGE, &oit, &more, &orv);
		rc = rados_read_op_operate(op, r->io, r->name, 0);
		rados_release_read_op(op);
		if ((res = op_result(r, rc, "omap")) == GO) {
			res = deliver_omap(r, oit, &fresh);
			if (res == GO && !fresh && more) {
				char on[440];
				res = btr_fail(BTR_EXIT_SYS, "reading %s: cannot page past omap keys containing NUL bytes",
					       btr_ceph_objname(NULL, r->ns, r->name, on, sizeof on));
			}
		}
		if (oit)
			rados_omap_get_end(oit);
	}
	return res;
}

int btr_ceph_read_object(rados_ioctx_t io, const char *nspace, const char *name,
			 const char *locator, size_t chunk, const struct btr_obj_cb *cb, void *ctx)
{
	return btr_ceph_read_object_into(io, nspace, name, locator, chunk, cb, NULL, ctx);
}

int btr_ceph_read_object_into(rados_ioctx_t io, const char *nspace, const char *name, const char *locator,
			      size_t chunk, const struct btr_obj_cb *cb, btr_obj_dest dest, void *ctx)
{
	struct rd r = {.io = io, .ns = nspace ? nspace : "", .name = name, .cb = cb, .dest = dest, .ctx = ctx};
	int res = -1;
	r.chunk = chunk ? chunk : BTR_CEPH_READ_CHUNK;
	rados_ioctx_set_namespace(io, r.ns);
	rados_ioctx_locator_set_key(io, locator && *locator ? locator : NULL);
	for (int i = 0; i < BTR_CEPH_READ_ATTEMPTS; i++)
		if ((res = attempt(&r, locator)) != CHANGED)
			break;
	if (res == CHANGED) {
		char on[440];
		btr_fail(BTR_EXIT_DATA, "%s kept changing while being read (%d attempts)",
			 btr_ceph_objname(NULL, r.ns, name, on, sizeof on), BTR_CEPH_READ_ATTEMPTS);
		res = BTR_READ_UNSTABLE;
	}
	free(r.buf);
	free(r.ents);
	free(r.ptrs);
	free(r.last);
	free(r.xa);
	free(r.xp);
	free(r.xv);
	return res;
}
