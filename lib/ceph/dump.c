/* ceph-dump's engine.  Workers (one ioctx each) take objects from a shared listing,
 * read each whole into their own buffer (hashing it as they go, so hashing runs in
 * parallel) and then write it out in one go under the output lock, so the records of
 * one object stay together.  An object larger than the buffer is streamed instead:
 * its worker takes the output lock at begin and writes chunks as they arrive.  Only
 * a streamed object cannot be re-read when it changes under us (its first records
 * are out): that is an error that names --snapshot and --buffer. */
#include "ceph.h"
#include "err.h"
#include "grow.h"
#include "io.h"
#include "progress.h"
#include "rate.h"
#include "size.h"
#include "stream/stream.h"
#include "tool.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LIST_BATCH 1024
#define STAT_WINDOW 64
#define OMAP_ENTRY_COST (sizeof(Btr__OmapEntry) + sizeof(void *))

struct dump {
	const struct btr_dump_opts *o;
	rados_t cl;
	struct btr_writer *w, *iw;
	struct btr_since *since;
	struct btr_dump_stats *st;
	struct btr_progress prog;
	pthread_mutex_t out_mu, list_mu;
	/* the pool being dumped */
	const char *pool;
	rados_snap_t snap;
	int use_snap;
	/* its listing */
	rados_ioctx_t lio;
	rados_object_list_cursor cur, next, end;
	rados_object_list_item items[LIST_BATCH];
	size_t n, pos;
	int list_done;
	/* --since: the listing batch's stats (namespace and locator set per op) */
	rados_ioctx_t sio;
	uint8_t skip[LIST_BATCH];
	struct btr_str sns, sname, sloc;
	/* the first failure of any thread; the others stop at their next step */
	struct btr_first_error first;
	volatile int failed;
	/* the run: every pool open (and snapshotted), the workers, the outputs */
	struct worker *wks;
	rados_ioctx_t *pio;
	rados_snap_t *snaps;
	size_t opened, snapped;
	int index_fd;
	char fsid[37], host[256], snapname[128];
};

struct worker {
	struct dump *d;
	pthread_t th;
	rados_ioctx_t io;
	struct btr_str ns, name, loc; /* the current item */
	/* the current object */
	Btr__ObjectBegin b;
	Btr__Xattr *xa;
	Btr__Xattr **xp;
	size_t xcap;
	uint8_t *meta;                /* begin's strings and xattrs */
	size_t meta_cap;
	uint8_t *arena;               /* data, then omap bytes: at most o->buffer */
	size_t data_len, omap_bytes;
	Btr__OmapEntry *oe;
	Btr__OmapEntry **op;
	size_t no, ocap;
	int streaming;                /* output lock held, begin written */
	int streaming_dest;           /* the object is larger than the arena: reuse its start */
	struct btr_objhash oh;
};

static void record_failure(struct dump *d)
{
	btr_first_keep(&d->first);
	d->failed = 1;
}

static struct btr_ident item_ident(const char *pool, const rados_object_list_item *it)
{
	return (struct btr_ident){pool, {it->nspace, it->nspace_length}, {it->oid, it->oid_length},
				  {it->locator, it->locator_length}};
}

static int stopped(void)
{
	if (btr_stop_signal)
		return btr_fail(BTR_EXIT_SYS, "interrupted by signal %d", (int)btr_stop_signal);
	return 0;
}

static const char *objname(struct worker *wk, char *out, size_t n)
{
	return btr_ceph_objname(wk->d->pool, wk->ns.p, wk->name.p, out, n);
}

/* ---- listing ---- */

/* --since: stats a fresh listing batch, STAT_WINDOW asynchronous stats in flight, where
 * the workers would pay a round trip each; unchanged objects are counted as skipped
 * here and never reach a worker.  A name with a NUL byte is left to the worker, which
 * reports it. */
static int stat_batch(struct dump *d)
{
	rados_completion_t c[STAT_WINDOW];
	uint64_t size[STAT_WINDOW];
	time_t mtime[STAT_WINDOW];
	size_t sub = 0, done = 0;
	uint64_t skipped = 0;
	int rc = 0;
	memset(d->skip, 0, d->n);
	for (;;) {
		if (rc == 0 && sub < d->n && sub - done < STAT_WINDOW) {
			rados_object_list_item *it = &d->items[sub];
			size_t s = sub % STAT_WINDOW;
			if (btr_str_set(&d->sns, it->nspace, it->nspace_length) < 0 ||
			    btr_str_set(&d->sname, it->oid, it->oid_length) < 0 ||
			    btr_str_set(&d->sloc, it->locator, it->locator_length) < 0 ||
			    rados_aio_create_completion(NULL, NULL, NULL, &c[s]) < 0) {
				rc = btr_fail(BTR_EXIT_SYS, "out of memory");
				continue;
			}
			if (strlen(d->sns.p) != d->sns.len || strlen(d->sname.p) != d->sname.len ||
			    strlen(d->sloc.p) != d->sloc.len) {
				rados_aio_release(c[s]);
				c[s] = NULL;
				sub++;
				continue;
			}
			rados_ioctx_set_namespace(d->sio, d->sns.p);
			rados_ioctx_locator_set_key(d->sio, d->sloc.len ? d->sloc.p : NULL);
			int r = rados_aio_stat(d->sio, d->sname.p, c[s], &size[s], &mtime[s]);
			if (r < 0) {
				rados_aio_release(c[s]);
				rc = btr_fail(BTR_EXIT_SYS, "stat in pool \"%s\": %s", d->pool, btr_rados_strerror(r));
				continue;
			}
			sub++;
			continue;
		}
		if (done == sub)
			break;
		size_t s = done % STAT_WINDOW;
		rados_object_list_item *it = &d->items[done++];
		if (!c[s])
			continue;
		rados_aio_wait_for_complete(c[s]);
		int r = rados_aio_get_return_value(c[s]);
		uint64_t version = rados_aio_get_version(c[s]);
		rados_aio_release(c[s]);
		if (rc < 0 || r == -ENOENT) /* the worker's read finds it gone too */
			continue;
		if (r < 0) {
			char on[440];
			struct btr_ident id = item_ident(d->pool, it);
			rc = btr_fail(BTR_EXIT_SYS, "stat %s: %s", btr_ident_format(&id, on, sizeof on),
				      btr_rados_strerror(r));
			continue;
		}
		struct btr_ident id = item_ident(d->pool, it);
		if (btr_since_check(d->since, &id, version, size[s], (int64_t)mtime[s])) {
			d->skip[done - 1] = 1;
			skipped++;
		}
	}
	pthread_mutex_lock(&d->out_mu);
	d->st->skipped += skipped;
	btr_progress_add(&d->prog, skipped, 0);
	pthread_mutex_unlock(&d->out_mu);
	return rc;
}

/* 1: the next object is in wk->ns/name/loc; 0: the pool (slice) is done; -1. */
static int next_item(struct worker *wk)
{
	struct dump *d = wk->d;
	int rc = 1;
	pthread_mutex_lock(&d->list_mu);
	for (;;) {
		while (d->since && d->pos < d->n && d->skip[d->pos])
			d->pos++;
		if (d->pos < d->n)
			break;
		if (d->n)
			rados_object_list_free(d->n, d->items);
		d->n = d->pos = 0;
		if (d->list_done || d->failed || rados_object_list_cursor_cmp(d->lio, d->cur, d->end) >= 0) {
			d->list_done = 1;
			rc = 0;
			goto out;
		}
		int r = rados_object_list(d->lio, d->cur, d->end, LIST_BATCH, NULL, 0, d->items, &d->next);
		if (r < 0) {
			rc = btr_fail(BTR_EXIT_SYS, "listing pool \"%s\": %s", d->pool, btr_rados_strerror(r));
			goto out;
		}
		rados_object_list_cursor t = d->cur;
		d->cur = d->next;
		d->next = t;
		d->n = (size_t)r;
		if (!r)
			d->list_done = 1;
		if (d->since && r > 0 && stat_batch(d) < 0) {
			rc = -1;
			goto out;
		}
	}
	rados_object_list_item *it = &d->items[d->pos++];
	if (btr_str_set(&wk->ns, it->nspace, it->nspace_length) < 0 || btr_str_set(&wk->name, it->oid, it->oid_length) < 0 ||
	    btr_str_set(&wk->loc, it->locator, it->locator_length) < 0)
		rc = -1;
out:
	pthread_mutex_unlock(&d->list_mu);
	return rc;
}

/* ---- output (under out_mu) ---- */

static int emit_begin(struct worker *wk)
{
	struct btr_record r = {.type = BTR_OBJECT_BEGIN};
	r.u.begin = &wk->b;
	return btr_writer_record(wk->d->w, &r);
}

static int emit_data(struct worker *wk, const uint8_t *p, size_t n)
{
	struct btr_record r = {.type = BTR_OBJECT_DATA};
	while (n) {
		size_t c = n < BTR_DEFAULT_CHUNK ? n : BTR_DEFAULT_CHUNK;
		r.data = p;
		r.data_len = c;
		if (btr_writer_record(wk->d->w, &r) < 0)
			return -1;
		p += c;
		n -= c;
	}
	return 0;
}

static int emit_omap(struct worker *wk, Btr__OmapEntry *const *e, size_t n)
{
	Btr__ObjectOmap m = BTR__OBJECT_OMAP__INIT;
	struct btr_record r = {.type = BTR_OBJECT_OMAP};
	if (!n)
		return 0;
	m.entries = (Btr__OmapEntry **)e;
	m.n_entries = n;
	r.u.omap = &m;
	return btr_writer_record(wk->d->w, &r);
}

/* Takes the output and writes what is buffered so far; from now on the object streams. */
static int start_stream(struct worker *wk)
{
	pthread_mutex_lock(&wk->d->out_mu);
	wk->streaming = 1;
	if (wk->d->failed)
		return btr_fail(BTR_EXIT_SYS, "stopped");
	for (size_t i = 0; i < wk->no; i++) /* entries were filed with offsets (the arrays grew) */
		wk->op[i] = &wk->oe[i];
	if (emit_begin(wk) < 0 || emit_data(wk, wk->arena, wk->data_len) < 0 || emit_omap(wk, wk->op, wk->no) < 0)
		return -1;
	wk->no = 0;
	wk->omap_bytes = 0;
	return 0;
}

/* ---- read callbacks ---- */

static int cb_begin(void *ctx, const Btr__ObjectBegin *b)
{
	struct worker *wk = ctx;
	char on[440];
	if (wk->streaming)
		return btr_fail(BTR_EXIT_DATA, "%s changed while being written out (it is larger than --buffer): "
			       "use --snapshot, or a --buffer larger than the object", objname(wk, on, sizeof on));
	if (stopped() < 0)
		return -1;
	/* deep copy: b points into the reader's memory */
	size_t need = b->namespace_.len + b->name.len + b->locator.len;
	for (size_t i = 0; i < b->n_xattrs; i++)
		need += b->xattrs[i]->name.len + b->xattrs[i]->value.len;
	size_t c1 = wk->xcap;
	if (btr_grow((void **)&wk->meta, &wk->meta_cap, need + 1, 1) < 0 ||
	    btr_grow((void **)&wk->xa, &c1, b->n_xattrs + 1, sizeof *wk->xa) < 0 ||
	    btr_grow((void **)&wk->xp, &wk->xcap, b->n_xattrs + 1, sizeof *wk->xp) < 0)
		return -1;
	uint8_t *m = wk->meta;
#define COPY(dst, src) do { (dst).len = (src).len; (dst).data = m; if ((src).len) memcpy(m, (src).data, (src).len); m += (src).len; } while (0)
	wk->b = *b;
	wk->b.pool = (char *)wk->d->pool;
	COPY(wk->b.namespace_, b->namespace_);
	COPY(wk->b.name, b->name);
	COPY(wk->b.locator, b->locator);
	for (size_t i = 0; i < b->n_xattrs; i++) {
		btr__xattr__init(&wk->xa[i]);
		COPY(wk->xa[i].name, b->xattrs[i]->name);
		COPY(wk->xa[i].value, b->xattrs[i]->value);
		wk->xp[i] = &wk->xa[i];
	}
#undef COPY
	wk->b.xattrs = wk->xp;
	btr_objhash_begin(&wk->oh, BTR_FORMAT_VERSION, &wk->b);
	wk->data_len = wk->omap_bytes = wk->no = 0;
	wk->streaming_dest = 0;
	if (b->size > wk->d->o->buffer) {
		wk->streaming_dest = 1;
		return start_stream(wk);
	}
	return 0;
}

static int cb_data(void *ctx, const void *p, size_t n)
{
	struct worker *wk = ctx;
	if (stopped() < 0)
		return -1;
	btr_objhash_data(&wk->oh, p, n);
	if (wk->streaming)
		return emit_data(wk, p, n);
	if (wk->data_len + n > wk->b.size)
		return btr_fail(BTR_EXIT_SYS, "internal: more data than the object's size");
	if (p != wk->arena + wk->data_len) /* read elsewhere: not by dest() */
		memcpy(wk->arena + wk->data_len, p, n);
	wk->data_len += n;
	return 0;
}

static int cb_omap(void *ctx, Btr__OmapEntry *const *e, size_t n)
{
	struct worker *wk = ctx;
	if (stopped() < 0)
		return -1;
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++) {
		btr_objhash_omap(&wk->oh, e[i]);
		bytes += e[i]->key.len + e[i]->value.len + OMAP_ENTRY_COST;
	}
	if (!wk->streaming && wk->data_len + wk->omap_bytes + bytes > wk->d->o->buffer && start_stream(wk) < 0)
		return -1;
	if (wk->streaming)
		return emit_omap(wk, e, n);
	size_t c1 = wk->ocap;
	if (btr_grow((void **)&wk->oe, &c1, wk->no + n, sizeof *wk->oe) < 0 ||
	    btr_grow((void **)&wk->op, &wk->ocap, wk->no + n, sizeof *wk->op) < 0)
		return -1;
	uint8_t *m = wk->arena + wk->data_len + wk->omap_bytes;
	for (size_t i = 0; i < n; i++) {
		Btr__OmapEntry *o = &wk->oe[wk->no++];
		btr__omap_entry__init(o);
		o->key.data = m;
		o->key.len = e[i]->key.len;
		memcpy(m, e[i]->key.data, e[i]->key.len);
		m += e[i]->key.len;
		o->value.data = m;
		o->value.len = e[i]->value.len;
		if (e[i]->value.len)
			memcpy(m, e[i]->value.data, e[i]->value.len);
		m += e[i]->value.len;
		wk->omap_bytes += e[i]->key.len + e[i]->value.len + OMAP_ENTRY_COST;
	}
	return 0;
}

/* Data goes straight into the arena while it fits; a streamed object uses the arena as
 * a ring of --buffer / --chunk slots, one per read in flight (read_depth), so a big
 * object is read as that many extents at once and nothing more is held. */
static size_t ring_slots(const struct btr_dump_opts *o)
{
	size_t n = o->chunk ? o->buffer / o->chunk : 0;
	return n > BTR_CEPH_READ_DEPTH ? BTR_CEPH_READ_DEPTH : n;
}

static void *cb_dest(void *ctx, uint64_t off, size_t len)
{
	struct worker *wk = ctx;
	size_t cap = wk->d->o->buffer, chunk = wk->d->o->chunk, slots = ring_slots(wk->d->o);
	if (wk->streaming_dest) {
		if (slots < 2 || len > chunk)
			return NULL;
		return wk->arena + (size_t)(off / chunk % slots) * chunk;
	}
	return off + len <= cap ? wk->arena + off : NULL;
}

/* ---- one object ---- */

static void count(struct dump *d, uint64_t bytes)
{
	d->st->objects++;
	d->st->bytes += bytes;
	btr_progress_add(&d->prog, 1, bytes);
}

static int finish_object(struct worker *wk)
{
	struct dump *d = wk->d;
	uint8_t dg[BTR_DIGEST_LEN];
	Btr__ObjectEnd e = BTR__OBJECT_END__INIT;
	struct btr_record r = {.type = BTR_OBJECT_END};
	size_t dl = btr_objhash_final(&wk->oh, dg);
	e.digest.data = dg;
	e.digest.len = dl;
	r.u.end = &e;
	if (btr_writer_record(d->w, &r) < 0)
		return -1;
	if (d->iw) {
		Btr__IndexEntry ie = BTR__INDEX_ENTRY__INIT;
		ie.pool = wk->b.pool;
		ie.namespace_ = wk->b.namespace_;
		ie.name = wk->b.name;
		ie.locator = wk->b.locator;
		ie.size = wk->b.size;
		ie.mtime = wk->b.mtime;
		ie.version = wk->b.version;
		ie.digest.data = dg;
		ie.digest.len = dl;
		if (btr_writer_index(d->iw, &ie) < 0)
			return -1;
	}
	count(d, wk->b.size);
	return 0;
}

static int dump_object(struct worker *wk)
{
	struct dump *d = wk->d;
	char on[440];
	if (strlen(wk->name.p) != wk->name.len || strlen(wk->ns.p) != wk->ns.len || strlen(wk->loc.p) != wk->loc.len)
		return btr_fail(BTR_EXIT_DATA, "%s: the object's name, namespace or locator contains a NUL byte, "
			       "which librados' C API cannot read", objname(wk, on, sizeof on));
	wk->streaming = 0;
	wk->streaming_dest = 0;
	btr_rate_take(d->o->limit_ops, 1);
	struct btr_obj_cb cb = {cb_begin, cb_data, cb_omap, (unsigned)ring_slots(d->o)};
	int r = btr_ceph_read_object_into(wk->io, wk->ns.p, wk->name.p, wk->loc.p, d->o->chunk, &cb, cb_dest, wk);
	if (r == BTR_READ_VANISHED && wk->streaming)
		r = btr_fail(BTR_EXIT_DATA, "%s was deleted while being written out", objname(wk, on, sizeof on));
	if (r == BTR_READ_UNSTABLE)
		r = btr_fail(BTR_EXIT_DATA, "%s (use --snapshot)", btr_errmsg());
	if (r == BTR_READ_VANISHED) { /* deleted since it was listed: not in this backup */
		pthread_mutex_lock(&d->out_mu);
		d->st->vanished++;
		pthread_mutex_unlock(&d->out_mu);
		return 0;
	}
	if (r == 0) {
		if (!wk->streaming)
			r = start_stream(wk);
		if (r == 0)
			r = finish_object(wk);
		if (r == 0 && d->since)
			btr_since_present(d->since, &(struct btr_ident){d->pool, {wk->ns.p, wk->ns.len},
									 {wk->name.p, wk->name.len}, {wk->loc.p, wk->loc.len}});
	}
	if (r < 0) /* before the output is let go, so no other reader writes after a failed write */
		record_failure(d);
	if (wk->streaming) {
		wk->streaming = 0;
		pthread_mutex_unlock(&d->out_mu);
	}
	return r < 0 ? -1 : 0;
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct dump *d = wk->d;
	int r = rados_ioctx_create(d->cl, d->pool, &wk->io);
	if (r < 0) {
		btr_fail(BTR_EXIT_SYS, "cannot open pool \"%s\": %s", d->pool, btr_rados_strerror(r));
		record_failure(d);
		return NULL;
	}
	if (d->use_snap)
		rados_ioctx_snap_set_read(wk->io, d->snap);
	while (!d->failed) {
		if (stopped() < 0 || (r = next_item(wk)) < 0) {
			record_failure(d);
			break;
		}
		if (!r)
			break;
		if (dump_object(wk) < 0) {
			record_failure(d);
			break;
		}
	}
	rados_ioctx_destroy(wk->io);
	return NULL;
}

/* ---- pools ---- */

static int dump_pool(struct dump *d, struct worker *wks, unsigned jobs)
{
	const struct btr_dump_opts *o = d->o;
	rados_object_list_cursor b, e;
	if (d->since) {
		int r = rados_ioctx_create(d->cl, d->pool, &d->sio);
		if (r < 0) {
			btr_fail(BTR_EXIT_SYS, "cannot open pool \"%s\": %s", d->pool, btr_rados_strerror(r));
			record_failure(d);
			return -1;
		}
		if (d->use_snap)
			rados_ioctx_snap_set_read(d->sio, d->snap);
	}
	b = rados_object_list_begin(d->lio);
	e = rados_object_list_end(d->lio);
	if (o->slice_n) {
		/* the slice call writes into cursors it is given */
		d->cur = rados_object_list_begin(d->lio);
		d->end = rados_object_list_begin(d->lio);
		rados_object_list_slice(d->lio, b, e, o->slice_i, o->slice_n, &d->cur, &d->end);
		rados_object_list_cursor_free(d->lio, b);
		rados_object_list_cursor_free(d->lio, e);
	} else {
		d->cur = b;
		d->end = e;
	}
	d->next = rados_object_list_begin(d->lio); /* rados_object_list writes into it */
	d->n = d->pos = 0;
	d->list_done = 0;
	unsigned started = 0;
	for (; started < jobs; started++) {
		wks[started].d = d;
		if (pthread_create(&wks[started].th, NULL, worker_main, &wks[started])) {
			btr_fail(BTR_EXIT_SYS, "cannot start a reader thread");
			record_failure(d);
			break;
		}
	}
	for (unsigned i = 0; i < started; i++)
		pthread_join(wks[i].th, NULL);
	if (d->n)
		rados_object_list_free(d->n, d->items);
	d->n = d->pos = 0;
	rados_object_list_cursor_free(d->lio, d->cur);
	rados_object_list_cursor_free(d->lio, d->next);
	rados_object_list_cursor_free(d->lio, d->end);
	if (d->since)
		rados_ioctx_destroy(d->sio);
	return d->failed ? -1 : 0;
}

static void free_worker(struct worker *wk)
{
	btr_str_free(&wk->ns);
	btr_str_free(&wk->name);
	btr_str_free(&wk->loc);
	free(wk->xa);
	free(wk->xp);
	free(wk->meta);
	free(wk->arena);
	free(wk->oe);
	free(wk->op);
}

static int open_index(const char *path, int *fd)
{
	/* a fifo (the front end passes one) blocks here until its reader is there;
	 * never through a symlink, never into someone else's file (truncated only
	 * once it is known to be ours) */
	struct stat st;
	if ((*fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666)) < 0)
		return btr_fail_errno(errno == ELOOP ? BTR_EXIT_USAGE : BTR_EXIT_SYS, "--index %s%s", path,
				      errno == ELOOP ? " is a symbolic link" : "");
	int rc = 0;
	if (fstat(*fd, &st) < 0)
		rc = btr_fail_errno(BTR_EXIT_SYS, "--index %s", path);
	else if (S_ISREG(st.st_mode) && st.st_uid != geteuid())
		rc = btr_fail(BTR_EXIT_USAGE, "--index %s is owned by uid %u, not by us: refusing to write into it", path,
			      (unsigned)st.st_uid);
	else if (S_ISREG(st.st_mode) && ftruncate(*fd, 0) < 0)
		rc = btr_fail_errno(BTR_EXIT_SYS, "--index %s", path);
	if (rc < 0) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

static void header(Btr__Header *h, const char *content, char *fsid, char **pools, size_t n, char *snap,
		   const struct btr_dump_opts *o, const ProtobufCBinaryData *since, char *host)
{
	btr__header__init(h);
	h->producer = "ceph-dump " BTR_VERSION;
	h->content = (char *)content;
	h->ceph_fsid = fsid;
	h->pools = pools;
	h->n_pools = n;
	h->snapshot = snap;
	h->slice_index = o->slice_i;
	h->slice_count = o->slice_n;
	h->hostname = host;
	if (since) {
		h->since_digest = *since;
	}
}

static int allocate(struct dump *d)
{
	const struct btr_dump_opts *o = d->o;
	d->pio = calloc(o->npools ? o->npools : 1, sizeof *d->pio);
	d->snaps = calloc(o->npools ? o->npools : 1, sizeof *d->snaps);
	d->wks = calloc(o->jobs, sizeof *d->wks);
	if (!d->pio || !d->snaps || !d->wks)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	for (unsigned i = 0; i < o->jobs; i++)
		if (!(d->wks[i].arena = malloc(o->buffer ? o->buffer : 1)))
			return btr_fail(BTR_EXIT_SYS, "out of memory for %u buffers of %zu bytes", o->jobs, o->buffer);
	return 0;
}

/* The cluster's fsid, every pool (all namespaces), the --since index. */
static int open_pools(struct dump *d)
{
	const struct btr_dump_opts *o = d->o;
	gethostname(d->host, sizeof d->host - 1);
	if (btr_ceph_fsid(d->cl, d->fsid) < 0)
		return -1;
	for (; d->opened < o->npools; d->opened++) {
		if (btr_ceph_open_pool(d->cl, o->pools[d->opened], BTR_EXIT_USAGE, NULL, &d->pio[d->opened]) < 0)
			return -1;
		rados_ioctx_set_namespace(d->pio[d->opened], LIBRADOS_ALL_NSPACES);
	}
	if (o->since_path && !(d->since = btr_since_load(o->since_path, d->fsid, o->pools, o->npools, o->slice_i,
							  o->slice_n, o->force)))
		return -1;
	return 0;
}

/* --snapshot: all pools at (nearly) one moment, so the pools agree with each other. */
static int take_snapshots(struct dump *d)
{
	const struct btr_dump_opts *o = d->o;
	if (!o->snapshot)
		return 0;
	btr_snap_name(d->snapname, sizeof d->snapname);
	for (; d->snapped < o->npools; d->snapped++) {
		size_t i = d->snapped;
		if (stopped() < 0 || btr_snap_create(d->pio[i], o->pools[i], d->snapname, &d->snaps[i]) < 0)
			return -1;
		rados_ioctx_snap_set_read(d->pio[i], d->snaps[i]);
	}
	return 0;
}

/* The stream (and the --index) up to their headers; the tool's ready() first. */
static int start_outputs(struct dump *d)
{
	const struct btr_dump_opts *o = d->o;
	const ProtobufCBinaryData *since = d->since ? btr_since_digest(d->since) : NULL;
	Btr__Header h;
	if (o->index_path && open_index(o->index_path, &d->index_fd) < 0)
		return -1;
	if (!(d->w = btr_writer_new(STDOUT_FILENO, "stdout")))
		return -1;
	/* Limited at the pipe: reads follow it, at most --jobs x --buffer ahead. */
	btr_writer_set_rate(d->w, o->limit_rate);
	if (o->ready)
		o->ready(o);
	header(&h, "ceph", d->fsid, o->pools, o->npools, d->snapname, o, since, d->host);
	if (btr_writer_header(d->w, &h) < 0)
		return -1;
	if (d->index_fd < 0)
		return 0;
	if (!(d->iw = btr_writer_new(d->index_fd, o->index_path)))
		return -1;
	header(&h, "index", d->fsid, o->pools, o->npools, d->snapname, o, since, d->host);
	return btr_writer_header(d->iw, &h);
}

static int dump_pools(struct dump *d)
{
	const struct btr_dump_opts *o = d->o;
	int rc = 0;
	btr_progress_init(&d->prog, "ceph-dump", o->progress);
	d->prog.limit_bytes = btr_rate_per_sec(o->limit_rate);
	d->prog.limit_items = btr_rate_per_sec(o->limit_ops);
	for (size_t i = 0; i < o->npools && rc == 0; i++) {
		d->pool = o->pools[i];
		d->lio = d->pio[i];
		d->use_snap = o->snapshot;
		d->snap = d->snaps[i];
		if (dump_pool(d, d->wks, o->jobs) < 0)
			rc = btr_first_raise(&d->first);
	}
	btr_progress_done(&d->prog);
	return rc;
}

/* Deletions (--since), trailers, the index synced and closed: a complete stream. */
static int finish_outputs(struct dump *d)
{
	const struct btr_dump_opts *o = d->o;
	if (stopped() < 0)
		return -1;
	if (d->since && btr_since_finish(d->since, d->w, d->iw, &d->st->deleted) < 0)
		return -1;
	if (btr_writer_trailer(d->w, NULL) < 0 || btr_writer_flush(d->w) < 0)
		return -1;
	if (d->iw && (btr_writer_trailer(d->iw, NULL) < 0 || btr_writer_flush(d->iw) < 0))
		return -1;
	if (d->index_fd < 0)
		return 0;
	int fd = d->index_fd;
	d->index_fd = -1;
	if (btr_fsync_file(fd, o->index_path) < 0) {
		close(fd);
		return -1;
	}
	if (close(fd) < 0)
		return btr_fail_errno(BTR_EXIT_SYS, "--index %s", o->index_path);
	return 0;
}

/* Snapshots go on every path: success, failure, interrupt; the first error stays the
 * one reported, later ones are said. */
static int remove_snapshots(struct dump *d, int rc)
{
	struct btr_first_error fin = BTR_FIRST_ERROR_INIT;
	if (rc < 0 && btr_stop_signal && btr_errcode() != BTR_EXIT_USAGE)
		stopped();
	if (rc < 0)
		btr_first_keep(&fin);
	for (size_t i = 0; i < d->snapped; i++) {
		if (btr_snap_remove(d->pio[i], d->o->pools[i], d->snapname) == 0)
			continue;
		rc = -1;
		if (!btr_first_keep(&fin))
			btr_say(d->o->say, "%s", btr_errmsg());
	}
	btr_first_raise(&fin);
	return rc;
}

static void release(struct dump *d)
{
	if (d->index_fd >= 0)
		close(d->index_fd);
	for (size_t i = 0; i < d->opened; i++)
		rados_ioctx_destroy(d->pio[i]);
	if (d->wks)
		for (unsigned i = 0; i < d->o->jobs; i++)
			free_worker(&d->wks[i]);
	btr_writer_free(d->w);
	btr_writer_free(d->iw);
	btr_since_free(d->since);
	btr_str_free(&d->sns);
	btr_str_free(&d->sname);
	btr_str_free(&d->sloc);
	free(d->wks);
	free(d->pio);
	free(d->snaps);
	pthread_mutex_destroy(&d->out_mu);
	pthread_mutex_destroy(&d->list_mu);
}

int btr_ceph_dump(rados_t cl, const struct btr_dump_opts *o, struct btr_dump_stats *st)
{
	struct dump d = {.o = o, .cl = cl, .st = st, .first = BTR_FIRST_ERROR_INIT, .index_fd = -1};
	pthread_mutex_init(&d.out_mu, NULL);
	pthread_mutex_init(&d.list_mu, NULL);
	int rc = allocate(&d) < 0 || open_pools(&d) < 0 || take_snapshots(&d) < 0 || start_outputs(&d) < 0 ||
			 dump_pools(&d) < 0 || finish_outputs(&d) < 0
		 ? -1
		 : 0;
	rc = remove_snapshots(&d, rc);
	release(&d);
	return rc;
}
