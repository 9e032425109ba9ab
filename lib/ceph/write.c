/* Restoring objects.  An object that fits --atomic-max is one write op, submitted
 * only once the reader has checked its digest: remove (a missing object is fine),
 * create, the data, the xattrs, the omap.  Removing first in the same op is what
 * replaces stale xattrs and omap entries on the target instead of merging with them
 * (checked on Pacific: remove + create + write in one op is applied atomically, and
 * an empty object is still created).  A larger object goes out in ops of at most
 * --atomic-max bytes as its records arrive (the first one removes and recreates),
 * the xattrs with the last; if the stream breaks inside it, the partial object is
 * removed so no torn object is left looking restored. */
#include "aio.h"
#include "ceph.h"
#include "err.h"
#include "rate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define OMAP_BATCH 1024 /* entries per omap_set sub-op */

struct wsink {
	const struct btr_load_opts *o;
	struct btr_load_stats *st;
	struct btr_aio *a;
	struct btr_obj_id id;
	rados_write_op_t op;    /* being built, not yet submitted */
	uint64_t op_bytes;
	int chunked;            /* part of the object has been submitted */
	uint64_t dry_bytes;     /* --dry-run: bytes that would have been written */
	char note[600];
	const char **keys, **vals;
	size_t *klens, *vlens, cap;
	char *xname;
	size_t xcap;
};

static int dry(const struct wsink *w)
{
	return w->o->mode == BTR_LOAD_DRY_RUN;
}

static int new_op(struct wsink *w)
{
	if (!(w->op = rados_create_write_op()))
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	w->op_bytes = 0;
	return 0;
}

static int submit(struct wsink *w, rados_write_op_t op, uint64_t bytes, int flags)
{
	rados_ioctx_t io = w->id.t->io;
	btr_rate_take(w->o->limit_ops, 1);
	btr_rate_take(w->o->limit_rate, bytes);
	rados_ioctx_set_namespace(io, w->id.nspace);
	rados_ioctx_locator_set_key(io, w->id.locator[0] ? w->id.locator : NULL);
	return btr_aio_submit(w->a, io, w->id.oid, op, bytes, w->id.label, flags);
}

/* Sends what is built so far and starts the next op of a large object. */
static int flush(struct wsink *w)
{
	rados_write_op_t op = w->op;
	w->op = NULL;
	w->chunked = 1;
	if (submit(w, op, w->op_bytes, 0) < 0)
		return -1;
	return new_op(w);
}

static int w_begin(void *s, const struct btr_obj_id *id, const Btr__ObjectBegin *b)
{
	struct wsink *w = s;
	(void)b;
	w->id = *id;
	w->chunked = 0;
	if (dry(w))
		return 0;
	if (new_op(w) < 0)
		return -1;
	rados_write_op_remove(w->op);
	rados_write_op_set_flags(w->op, LIBRADOS_OP_FLAG_FAILOK);
	rados_write_op_create(w->op, LIBRADOS_CREATE_IDEMPOTENT, NULL);
	return 0;
}

static int w_data(void *s, const uint8_t *p, size_t n, uint64_t off)
{
	struct wsink *w = s;
	if (dry(w)) {
		w->dry_bytes += n;
		return 0;
	}
	if (w->op_bytes && w->op_bytes + n > w->o->atomic_max && flush(w) < 0)
		return -1;
	rados_write_op_write(w->op, (const char *)p, n, off);
	w->op_bytes += n;
	return 0;
}

static int grow(struct wsink *w, size_t n)
{
	if (n <= w->cap)
		return 0;
	const char **k = realloc(w->keys, n * sizeof *k), **v = k ? realloc(w->vals, n * sizeof *v) : NULL;
	if (k)
		w->keys = k;
	if (v)
		w->vals = v;
	size_t *kl = v ? realloc(w->klens, n * sizeof *kl) : NULL, *vl = kl ? realloc(w->vlens, n * sizeof *vl) : NULL;
	if (kl)
		w->klens = kl;
	if (vl)
		w->vlens = vl;
	if (!vl)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	w->cap = n;
	return 0;
}

static int w_omap(void *s, Btr__OmapEntry *const *e, size_t n)
{
	struct wsink *w = s;
	if (dry(w))
		return 0;
	while (n) {
		size_t k = 0;
		uint64_t bytes = 0;
		if (grow(w, OMAP_BATCH) < 0)
			return -1;
		/* A batch ends where the op would pass the bound (at least one entry). */
		for (; k < n && k < OMAP_BATCH; k++) {
			uint64_t eb = e[k]->key.len + e[k]->value.len + 16;
			if (k && w->op_bytes + bytes + eb > w->o->atomic_max)
				break;
			w->keys[k] = (const char *)e[k]->key.data;
			w->vals[k] = (const char *)e[k]->value.data;
			w->klens[k] = e[k]->key.len;
			w->vlens[k] = e[k]->value.len;
			bytes += eb;
		}
		if (w->op_bytes && w->op_bytes + bytes > w->o->atomic_max) {
			if (flush(w) < 0)
				return -1;
			continue; /* re-batch against the fresh op */
		}
		rados_write_op_omap_set2(w->op, w->keys, w->vals, w->klens, w->vlens, k);
		w->op_bytes += bytes;
		e += k;
		n -= k;
	}
	return 0;
}

static int w_end(void *s, const Btr__ObjectBegin *b)
{
	struct wsink *w = s;
	if (dry(w))
		return 0;
	for (size_t i = 0; i < b->n_xattrs; i++) {
		const Btr__Xattr *x = b->xattrs[i];
		if (!x->name.len || memchr(x->name.data, 0, x->name.len))
			return btr_fail(BTR_EXIT_DATA, "%s: an xattr name is empty or contains a NUL byte", w->id.label);
		if (w->xcap < x->name.len + 1) {
			char *nx = realloc(w->xname, x->name.len + 1);
			if (!nx)
				return btr_fail(BTR_EXIT_SYS, "out of memory");
			w->xname = nx;
			w->xcap = x->name.len + 1;
		}
		memcpy(w->xname, x->name.data, x->name.len);
		w->xname[x->name.len] = 0;
		/* librados copies the name and value into the op. */
		rados_write_op_setxattr(w->op, w->xname, (const char *)x->value.data, x->value.len);
		w->op_bytes += x->name.len + x->value.len;
	}
	rados_write_op_t op = w->op;
	w->op = NULL;
	return submit(w, op, w->op_bytes, BTR_AIO_LAST);
}

static const char *w_abort(void *s, int reader_failed)
{
	struct wsink *w = s;
	if (w->op) {
		rados_release_write_op(w->op);
		w->op = NULL;
	}
	if (!w->chunked)
		return reader_failed && !dry(w) ? "nothing was written for this object" : "";
	/* Settle the object's ops, then take the partial object away. */
	btr_aio_drain(w->a);
	rados_ioctx_t io = w->id.t->io;
	rados_ioctx_set_namespace(io, w->id.nspace);
	rados_ioctx_locator_set_key(io, w->id.locator[0] ? w->id.locator : NULL);
	/* As a write op with FULL_TRY: a removal must not wait on a full cluster either. */
	rados_write_op_t op = rados_create_write_op();
	int r = -ENOMEM;
	if (op) {
		rados_write_op_remove(op);
		r = rados_write_op_operate(op, io, w->id.oid, NULL, LIBRADOS_OPERATION_FULL_TRY);
		rados_release_write_op(op);
	}
	if (r < 0 && r != -ENOENT)
		snprintf(w->note, sizeof w->note, "the partially written object %s could not be removed: %s",
			 w->id.label, btr_rados_strerror(r));
	else
		snprintf(w->note, sizeof w->note, "the partially written object %s was removed", w->id.label);
	return w->note;
}

static int w_del(void *s, const struct btr_obj_id *id)
{
	struct wsink *w = s;
	w->id = *id;
	if (dry(w))
		return 0;
	rados_write_op_t op = rados_create_write_op();
	if (!op)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	rados_write_op_remove(op);
	return submit(w, op, 0, BTR_AIO_ENOENT_OK);
}

/* Objects count as restored once their last op succeeded. */
static int w_finish(void *s)
{
	struct wsink *w = s;
	int r = btr_aio_drain(w->a);
	if (!dry(w))
		w->st->restored = btr_aio_objects_done(w->a);
	return r;
}

static uint64_t w_progress(void *s)
{
	struct wsink *w = s;
	uint64_t b = w->dry_bytes;
	w->dry_bytes = 0;
	return b + btr_aio_take_done_bytes(w->a);
}

static void w_free(void *s)
{
	struct wsink *w = s;
	if (w->op)
		rados_release_write_op(w->op);
	btr_aio_free(w->a);
	free(w->keys);
	free(w->vals);
	free(w->klens);
	free(w->vlens);
	free(w->xname);
	free(w);
}

void *btr_writer_sink_new(const struct btr_load_opts *o, struct btr_load_stats *st, struct btr_sink *ops)
{
	struct wsink *w = calloc(1, sizeof *w);
	if (!w || !(w->a = btr_aio_new(o->window_ops, o->window_bytes))) {
		free(w);
		btr_fail(BTR_EXIT_SYS, "out of memory");
		return NULL;
	}
	w->o = o;
	w->st = st;
	*ops = (struct btr_sink){w_begin, w_data, w_omap, w_end, w_abort, w_del, w_finish, w_free, w_progress};
	return w;
}
