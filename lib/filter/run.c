/* The btr-filter pass: one record at a time, a whole object kept or dropped at its
 * OBJECT_BEGIN, data chunks passed straight through (never buffered, never hashed
 * twice: the writer keeps the digest the reader verified). */
#include "filter.h"
#include "err.h"
#include "io.h"
#include "progress.h"
#include "stream/stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct run {
	struct btr_filter *f;
	struct btr_writer *w;
	struct btr_filter_stats *st;
	int out_fd, out_open; /* a header written, its trailer not yet */
	int data;             /* data mode: the one kept object's bytes, raw */
};

/* The header of an output segment: the source's fields, its pool list renamed and
 * without the pools nothing can be kept from, the producer noting the filter, and
 * the content "filtered" when the segment no longer holds all it claimed. */
static int header(struct run *x, struct btr_record *rec)
{
	const Btr__Header *in = rec->u.header;
	Btr__Header h = *in;
	char **pools = calloc(in->n_pools + 1, sizeof *pools);
	char *producer = NULL;
	int rc = -1;
	const char *p = in->producer && *in->producer ? in->producer : "unknown";
	if (!pools || asprintf(&producer, "%s | btr-filter %s", p, BTR_VERSION) < 0) {
		producer = NULL;
		btr_fail(BTR_EXIT_SYS, "out of memory");
		goto out;
	}
	h.n_pools = 0;
	for (size_t i = 0; i < in->n_pools; i++) {
		if (!btr_filter_keep_pool(x->f, in->pools[i]))
			continue;
		const char *name = btr_filter_pool(x->f, in->pools[i]);
		size_t j = 0;
		while (j < h.n_pools && strcmp(pools[j], name) != 0)
			j++;
		if (j == h.n_pools) /* two pools renamed into one are listed once */
			pools[h.n_pools++] = (char *)name;
	}
	h.pools = pools;
	h.producer = producer;
	const char *prefix;
	if (!btr_filter_segment_whole(x->f, in, &prefix))
		h.content = "filtered";
	h.etcd_prefix = (char *)prefix;
	if (*prefix) {
		uint8_t *k;
		size_t n;
		int r = btr_filter_key(x->f, (const uint8_t *)prefix, strlen(prefix), &k, &n);
		if (r < 0)
			goto out;
		if (r == 1 && !memchr(k, 0, n))
			h.etcd_prefix = (char *)k;
	}
	rec->u.header = &h;
	rc = btr_writer_record(x->w, rec);
	rec->u.header = (Btr__Header *)in;
	if (rc == 0)
		x->out_open = 1;
	x->st->segments++;
out:
	free(pools);
	free(producer);
	return rc;
}

/* Writes a Ceph entry under its new pool name, restoring the reader's message. */
static int keep_ceph(struct run *x, int kind, const struct btr_record *rec)
{
	struct btr_ident id;
	btr_ident_of(&id, rec);
	return btr_filter_keep_ceph(x->f, kind, &id);
}

/* The pool field of an object, deletion or index record. */
static char **pool_field(struct btr_record *rec)
{
	switch (rec->type) {
	case BTR_OBJECT_BEGIN: return &rec->u.begin->pool;
	case BTR_DELETE: return &rec->u.del->pool;
	default: return &rec->u.index->pool;
	}
}

/* Writes the record with its pool renamed (--rename-pool). */
static int write_renamed(struct run *x, struct btr_record *rec)
{
	char **pool = pool_field(rec);
	char *orig = *pool;
	*pool = (char *)btr_filter_pool(x->f, orig ? orig : "");
	int rc = btr_writer_record(x->w, rec);
	*pool = orig;
	return rc;
}

static int kv(struct run *x, struct btr_record *rec)
{
	Btr__KeyValue *k = rec->u.kv;
	ProtobufCBinaryData orig = k->key;
	x->st->seen[BTR_FK_KV]++;
	if (!btr_filter_keep_kv(x->f, &k->key))
		return 0;
	x->st->kept[BTR_FK_KV]++;
	int r = btr_filter_key(x->f, orig.data, orig.len, &k->key.data, &k->key.len);
	if (r < 0)
		return -1;
	r = btr_writer_record(x->w, rec);
	k->key = orig;
	return r;
}

/* Data mode: only the data of the one kept object goes out. */
static int data_record(struct run *x, const struct btr_record *rec, int keep)
{
	if (rec->type == BTR_OBJECT_BEGIN && keep && x->st->kept[BTR_FK_OBJECT] > 1) {
		char n[256];
		btr_escape(rec->u.begin->name.data, rec->u.begin->name.len, n, sizeof n);
		return btr_fail(BTR_EXIT_DATA, "--data: a second object matches (%s/%s); the output holds the first only",
				rec->u.begin->pool, n);
	}
	if (rec->type == BTR_OBJECT_DATA && keep)
		return btr_write_or_fail(x->out_fd, rec->data, rec->data_len, "stdout");
	return 0;
}

/* Leaves the output inside an open segment, so that whatever reads it fails. */
static void poison(struct run *x)
{
	if (x->data)
		return; /* raw data: the exit status is all there is */
	int code = btr_errcode();
	char *msg = strdup(btr_errmsg());
	if (btr_writer_flush(x->w) == 0 && !x->out_open)
		(void)btr_write_full(x->out_fd, BTR_STREAM_MAGIC, BTR_STREAM_MAGIC_LEN);
	btr_fail(code, "%s", msg ? msg : "out of memory");
	free(msg);
}

static int pass(struct run *x, struct btr_reader *r, struct btr_progress *p)
{
	struct btr_record rec;
	int rc, keep = 0, w = 0;
	while ((rc = btr_reader_next(r, &rec)) == 1) {
		if (x->data) {
			if (rec.type == BTR_OBJECT_BEGIN) {
				x->st->seen[BTR_FK_OBJECT]++;
				keep = keep_ceph(x, BTR_FK_OBJECT, &rec);
				x->st->kept[BTR_FK_OBJECT] += (uint64_t)keep;
			} else if (rec.type == BTR_OBJECT_DATA && keep) {
				x->st->bytes_kept += rec.data_len;
			}
			if ((w = data_record(x, &rec, keep)) < 0)
				break;
			continue;
		}
		switch (rec.type) {
		case BTR_HEADER:
			w = header(x, &rec);
			break;
		case BTR_TRAILER:
			if ((w = btr_writer_record(x->w, &rec)) == 0)
				x->out_open = 0;
			break;
		case BTR_OBJECT_BEGIN:
			x->st->seen[BTR_FK_OBJECT]++;
			keep = keep_ceph(x, BTR_FK_OBJECT, &rec);
			if (keep) {
				x->st->kept[BTR_FK_OBJECT]++;
				w = write_renamed(x, &rec);
			}
			btr_progress_add(p, 1, 0);
			break;
		case BTR_OBJECT_DATA:
			x->st->bytes_seen += rec.data_len;
			btr_progress_add(p, 0, rec.data_len);
			if (keep) {
				x->st->bytes_kept += rec.data_len;
				w = btr_writer_record(x->w, &rec);
			}
			break;
		case BTR_OBJECT_OMAP:
		case BTR_OBJECT_END:
			if (keep)
				w = btr_writer_record(x->w, &rec);
			break;
		case BTR_KV:
			w = kv(x, &rec);
			btr_progress_add(p, 1, 0);
			break;
		case BTR_DELETE:
		case BTR_INDEX: {
			int k = rec.type == BTR_DELETE ? BTR_FK_DELETE : BTR_FK_INDEX;
			x->st->seen[k]++;
			if (keep_ceph(x, k, &rec)) {
				x->st->kept[k]++;
				w = write_renamed(x, &rec);
			}
			break;
		}
		}
		if (w < 0)
			break;
	}
	if (rc < 0 || w < 0) {
		poison(x);
		return -1;
	}
	if (x->data && x->st->kept[BTR_FK_OBJECT] == 0)
		return btr_fail(BTR_EXIT_DATA, "--data: no object matches (%llu objects read)",
				(unsigned long long)x->st->seen[BTR_FK_OBJECT]);
	return btr_writer_flush(x->w);
}

int btr_filter_run(struct btr_filter *f, int in_fd, int out_fd, int progress, struct btr_filter_stats *st)
{
	struct run x = {.f = f, .st = st, .out_fd = out_fd, .data = btr_filter_in_data_mode(f)};
	struct btr_reader *r = btr_reader_new(in_fd, "stdin");
	struct btr_progress p;
	int rc = -1;
	memset(st, 0, sizeof *st);
	if (r && (x.w = btr_writer_new(out_fd, "stdout"))) {
		btr_reader_trust_object_digests(r, btr_filter_trusts_objects(f));
		btr_progress_init(&p, "filter", progress);
		rc = pass(&x, r, &p);
		btr_progress_done(&p);
	}
	btr_writer_free(x.w);
	btr_reader_free(r);
	return rc;
}
