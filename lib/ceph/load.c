/* The load loop: reads the stream, picks the objects of the selected pools, and
 * hands each to a sink (the writer, or the verifier).  The stream reader hands out
 * an OBJECT_END only once the object's digest matched, so the sink commits there;
 * a reader failure inside an object is an abort, and everything already committed
 * is waited for before the failure is reported. */
#include "ceph.h"
#include "err.h"
#include "grow.h"
#include "progress.h"
#include "rate.h"
#include "stream/stream.h"
#include "tool.h"

#include <stdlib.h>
#include <string.h>

/* RADOS names are C strings: any byte but NUL. */
static int cstr_set(struct btr_str *c, const ProtobufCBinaryData *b, const char *what, const char *pool,
		    const ProtobufCBinaryData *name)
{
	if (b->len && memchr(b->data, 0, b->len)) {
		char e[320];
		btr_escape(name->data, name->len, e, sizeof e);
		return btr_fail(BTR_EXIT_DATA, "%s/%s: its %s contains a NUL byte, which RADOS cannot store", pool, e, what);
	}
	return btr_str_set(c, b->data, b->len);
}

struct loop {
	struct btr_poolmap *m;
	const struct btr_load_opts *o;
	struct btr_load_stats *st;
	struct btr_sink sink;
	void *s;
	struct btr_str oid, ns, loc;
	char label[512];
	struct btr_obj_id id;
	int in_obj;     /* a selected object is open in the sink */
};

/* Fills l->id for an object or deletion of pool `pool`; 0 selected, 1 not selected. */
static int identify(struct loop *l, const char *pool, const ProtobufCBinaryData *ns,
		    const ProtobufCBinaryData *name, const ProtobufCBinaryData *loc)
{
	int failed;
	struct btr_pool_target *t = btr_poolmap_find(l->m, pool ? pool : "", &failed);
	if (failed)
		return -1;
	if (!t)
		return 1;
	if (!name->len)
		return btr_fail(BTR_EXIT_DATA, "pool %s: an object with an empty name", t->dst);
	if (cstr_set(&l->oid, name, "name", t->dst, name) < 0 || cstr_set(&l->ns, ns, "namespace", t->dst, name) < 0 ||
	    cstr_set(&l->loc, loc, "locator", t->dst, name) < 0)
		return -1;
	btr_ceph_objname(t->dst, l->ns.p, l->oid.p, l->label, sizeof l->label);
	l->id.t = t;
	l->id.oid = l->oid.p;
	l->id.nspace = l->ns.p;
	l->id.locator = l->loc.p;
	l->id.label = l->label;
	return 0;
}

/* --all-pools: every pool a segment names is checked before its objects are written. */
static int check_header(struct loop *l, const Btr__Header *h)
{
	int failed;
	/* A segment btr-filter cut down ("filtered") lacks objects of its pools that still
	 * exist; one that lists no pool (an etcd segment) says nothing about them. */
	if (h->since_digest.len || h->slice_count || (h->n_pools && h->content && !strcmp(h->content, "filtered")))
		l->st->full_dump = 0;
	if (!l->m->all)
		return 0;
	for (size_t i = 0; i < h->n_pools; i++)
		if (!btr_poolmap_find(l->m, h->pools[i], &failed) && failed)
			return -1;
	return 0;
}

static int record(struct loop *l, const struct btr_record *rec)
{
	int r;
	switch (rec->type) {
	case BTR_HEADER:
		return check_header(l, rec->u.header);
	case BTR_OBJECT_BEGIN: {
		const Btr__ObjectBegin *b = rec->u.begin;
		if ((r = identify(l, b->pool, &b->namespace_, &b->name, &b->locator)) < 0)
			return -1;
		if (r == 1) {
			l->st->skipped++;
			return 0;
		}
		l->id.t->objects++;
		if (l->sink.begin(l->s, &l->id, b) < 0)
			return -1;
		l->in_obj = 1;
		return 0;
	}
	case BTR_OBJECT_DATA:
		return l->in_obj ? l->sink.data(l->s, rec->data, rec->data_len, rec->data_offset) : 0;
	case BTR_OBJECT_OMAP:
		return l->in_obj ? l->sink.omap(l->s, rec->u.omap->entries, rec->u.omap->n_entries) : 0;
	case BTR_OBJECT_END:
		if (!l->in_obj)
			return 0;
		if (l->sink.end(l->s, rec->object) < 0)
			return -1;
		l->in_obj = 0;
		l->st->restored++;
		l->st->bytes += rec->object->size;
		return 0;
	case BTR_DELETE: {
		const Btr__Delete *d = rec->u.del;
		if ((r = identify(l, d->pool, &d->namespace_, &d->name, &d->locator)) < 0)
			return -1;
		if (r == 1)
			l->st->deletes_skipped++;
		else if (l->o->no_delete)
			l->st->deletes_kept++;
		else if (l->sink.del(l->s, &l->id) < 0)
			return -1;
		else
			l->st->deleted++;
		return 0;
	}
	case BTR_TRAILER:
		return 0;
	}
	l->st->other++;
	return 0;
}

int btr_ceph_load(struct btr_poolmap *m, const struct btr_load_opts *o, int fd, struct btr_load_stats *st)
{
	struct loop l = {.m = m, .o = o, .st = st};
	struct btr_progress p;
	struct btr_record rec;
	int rc;
	memset(st, 0, sizeof *st);
	st->full_dump = 1;
	l.s = o->mode == BTR_LOAD_VERIFY ? btr_verify_sink_new(o, st, &l.sink) : btr_writer_sink_new(o, st, &l.sink);
	if (!l.s)
		return -1;
	struct btr_reader *r = btr_reader_new(fd, "stdin");
	if (!r) {
		l.sink.free(l.s);
		return -1;
	}
	btr_progress_init(&p, o->mode == BTR_LOAD_VERIFY ? "verify" : "restore", o->progress);
	p.limit_bytes = btr_rate_per_sec(o->limit_rate);
	p.limit_items = btr_rate_per_sec(o->limit_ops);
	uint64_t objs = 0;
	int reader_failed = 0;
	while ((rc = btr_reader_next(r, &rec)) == 1) {
		if (record(&l, &rec) < 0)
			break;
		/* btr_catch_stop's signal: settle what is in flight, remove a partly written object */
		if (btr_stop_signal) {
			btr_fail(BTR_EXIT_SYS, "interrupted by signal %d", (int)btr_stop_signal);
			reader_failed = 1; /* like a broken stream: undo the object in progress */
			break;
		}
		btr_progress_add(&p, st->restored - objs, l.sink.progress(l.s));
		objs = st->restored;
	}
	if (rc < 0)
		reader_failed = 1;
	else if (rc == 1)
		rc = -1; /* the record failed */
	/* The first failure is the one to report: keep it while the rest settles. */
	struct btr_first_error first = BTR_FIRST_ERROR_INIT;
	char note[600] = ""; /* as large as the sink's own */
	if (rc < 0) {
		btr_first_keep(&first);
		if (l.in_obj)
			snprintf(note, sizeof note, "%s", l.sink.abort(l.s, reader_failed));
	}
	if (rc == 0 && o->mode == BTR_LOAD_VERIFY && st->full_dump && btr_verify_extras(l.s, m, &st->extra) < 0)
		rc = -1;
	int fin = l.sink.finish(l.s);
	if (rc == 0 && fin < 0)
		rc = -1;
	btr_progress_done(&p);
	if (btr_first_raise(&first) < 0 && note[0])
		btr_fail_append("; %s", note);
	l.sink.free(l.s);
	btr_reader_free(r);
	btr_str_free(&l.oid);
	btr_str_free(&l.ns);
	btr_str_free(&l.loc);
	return rc < 0 ? -1 : 0;
}
