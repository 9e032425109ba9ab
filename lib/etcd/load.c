/* etcd-load's work: keys from a record stream into etcd in Txn batches, clearing,
 * and verifying a stream against the live cluster. */
#include "etcd.h"
#include "err.h"
#include "progress.h"
#include "rate.h"
#include "stream/stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SHOWN 10

struct item {
	uint8_t *key, *value;
	size_t klen, vlen;
};

/* Transactions in flight at once (--in-flight, default 4): etcd commits concurrent
 * proposals together, so a few in flight go faster than one at a time.  Memory:
 * this many batches of --txn-bytes. */
#define IN_FLIGHT BTR_ETCD_MAX_IN_FLIGHT

struct batch {
	struct item *items;
	size_t n;
	uint64_t bytes;
	struct btr_etcd_pending *p;
};

struct loader {
	struct btr_etcd *e;
	const struct btr_etcd_load_opts *o;
	struct btr_etcd_load_stats *st;
	struct btr_progress p;
	struct batch cur;
	struct batch fly[IN_FLIGHT];   /* a ring: nfly batches from first */
	size_t first, nfly, window;
	/* verify: a cursor over the cluster beside the current segment */
	struct btr_etcd_cursor cur_c;
	int cur_open, seg_is_etcd;
	size_t cur_i;
	uint8_t *last;             /* previous stream key of the segment */
	size_t last_len, last_cap;
	const char *seg_prefix;
};

static int keycmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	return c ? c : (an > bn) - (an < bn);
}

static int wanted(const struct btr_etcd_load_opts *o, const uint8_t *k, size_t n)
{
	if (!o->nprefixes)
		return 1;
	for (size_t i = 0; i < o->nprefixes; i++)
		if (btr_etcd_has_prefix(k, n, (const uint8_t *)o->prefixes[i], strlen(o->prefixes[i])))
			return 1;
	return 0;
}

static void drop_items(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->items[i].key);
		free(b->items[i].value);
	}
	b->n = 0;
	b->bytes = 0;
}

static int too_big(const struct btr_etcd *e)
{
	grpc_status_code st = btr_etcd_last_status(e);
	const char *d = btr_etcd_last_details(e);
	return st == GRPC_STATUS_RESOURCE_EXHAUSTED ||
	       (st == GRPC_STATUS_INVALID_ARGUMENT && (strstr(d, "too large") || strstr(d, "too many operations")));
}

/* Starts one Txn putting items[0..n). */
static struct btr_etcd_pending *start_puts(struct loader *l, const struct item *items, size_t n)
{
	Etcdserverpb__RequestOp *ops = calloc(n, sizeof *ops), **opp = calloc(n, sizeof *opp);
	Etcdserverpb__PutRequest *puts = calloc(n, sizeof *puts);
	Etcdserverpb__TxnRequest req = ETCDSERVERPB__TXN_REQUEST__INIT;
	struct btr_etcd_pending *p = NULL;
	if (!ops || !opp || !puts) {
		btr_fail(BTR_EXIT_SYS, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		etcdserverpb__put_request__init(&puts[i]);
		puts[i].key.data = items[i].key;
		puts[i].key.len = items[i].klen;
		puts[i].value.data = items[i].value;
		puts[i].value.len = items[i].vlen;
		etcdserverpb__request_op__init(&ops[i]);
		ops[i].request_case = ETCDSERVERPB__REQUEST_OP__REQUEST_REQUEST_PUT;
		ops[i].request_put = &puts[i];
		opp[i] = &ops[i];
	}
	req.n_success = n;
	req.success = opp;
	/* The request is packed here: the arrays are not needed afterwards. */
	p = btr_etcd_call_start(l->e, "/etcdserverpb.KV/Txn", &req.base);
out:
	free(ops);
	free(opp);
	free(puts);
	return p;
}

/* Finishes the Txn for items[0..n); one the server finds too large is sent again
 * in halves. */
static int finish_puts(struct loader *l, struct btr_etcd_pending *p, const struct item *items, size_t n)
{
	Etcdserverpb__TxnResponse *resp = NULL;
	if (!p)
		return -1;
	if (btr_etcd_call_finish(l->e, p, &etcdserverpb__txn_response__descriptor, (ProtobufCMessage **)&resp) == 0) {
		int ok = resp->succeeded;
		etcdserverpb__txn_response__free_unpacked(resp, NULL);
		if (!ok)
			return btr_fail(BTR_EXIT_SYS, "etcd %s: a Txn without conditions did not succeed", btr_etcd_endpoint(l->e));
		l->st->restored += n;
		btr_progress_add(&l->p, n, 0);
		return 0;
	}
	if (too_big(l->e) && n > 1) {
		size_t h = n / 2;
		if (finish_puts(l, start_puts(l, items, h), items, h) < 0)
			return -1;
		return finish_puts(l, start_puts(l, items + h, n - h), items + h, n - h);
	}
	if (too_big(l->e)) {
		char k[80];
		btr_escape(items[0].key, items[0].klen, k, sizeof k);
		return btr_fail(BTR_EXIT_DATA, "key '%s' (%zu bytes with its value) is too large for etcd %s (raise its --max-request-bytes): %s",
				k, items[0].klen + items[0].vlen, btr_etcd_endpoint(l->e), btr_etcd_last_details(l->e));
	}
	return -1;
}

static int finish_oldest(struct loader *l)
{
	struct batch *b = &l->fly[l->first];
	int rc = finish_puts(l, b->p, b->items, b->n);
	b->p = NULL;
	drop_items(b);
	l->first = (l->first + 1) % IN_FLIGHT;
	l->nfly--;
	return rc;
}

/* Waits for every transaction in flight. */
static int drain(struct loader *l)
{
	while (l->nfly)
		if (finish_oldest(l) < 0)
			return -1;
	return 0;
}

/* Sends the current batch; waits for the oldest when IN_FLIGHT are out. */
static int flush(struct loader *l)
{
	if (!l->cur.n)
		return 0;
	if (l->o->dry_run) {
		l->st->restored += l->cur.n;
		drop_items(&l->cur);
		return 0;
	}
	if (l->nfly == l->window && finish_oldest(l) < 0)
		return -1;
	struct batch *b = &l->fly[(l->first + l->nfly) % IN_FLIGHT];
	struct item *spare = b->items;
	*b = l->cur;
	l->nfly++;
	l->cur = (struct batch){.items = spare};
	if (!(b->p = start_puts(l, b->items, b->n)))
		return -1;
	return 0;
}

static int in_batch(const struct batch *b, const uint8_t *k, size_t n)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->items[i].klen == n && !memcmp(b->items[i].key, k, n))
			return 1;
	return 0;
}

static int add_put(struct loader *l, const Btr__KeyValue *kv)
{
	/* A key written twice (concatenated streams may) must be written in order:
	 * etcd refuses it twice in one Txn, and Txns in flight may apply in any order. */
	int dup = in_batch(&l->cur, kv->key.data, kv->key.len);
	for (size_t i = 0; !dup && i < l->nfly; i++)
		dup = in_batch(&l->fly[(l->first + i) % IN_FLIGHT], kv->key.data, kv->key.len);
	if (dup && (flush(l) < 0 || drain(l) < 0))
		return -1;
	uint64_t sz = kv->key.len + kv->value.len;
	if (l->cur.n && ((long)l->cur.n >= l->o->txn_ops || l->cur.bytes + sz > l->o->txn_bytes) && flush(l) < 0)
		return -1;
	struct item *it = &l->cur.items[l->cur.n];
	it->key = malloc(kv->key.len);
	it->value = malloc(kv->value.len ? kv->value.len : 1);
	if (!it->key || !it->value) {
		free(it->key);
		free(it->value);
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	}
	memcpy(it->key, kv->key.data, kv->key.len);
	if (kv->value.len)
		memcpy(it->value, kv->value.data, kv->value.len);
	it->klen = kv->key.len;
	it->vlen = kv->value.len;
	l->cur.n++;
	l->cur.bytes += sz;
	return 0;
}

/* ---- verify ---- */

static void difference(struct loader *l, const char *what, const uint8_t *k, size_t n)
{
	char buf[200];
	if (l->st->differences++ < MAX_SHOWN)
		btr_say(l->o->say, "%s: %s", what, btr_escape(k, n, buf, sizeof buf));
	else if (l->st->differences == MAX_SHOWN + 1)
		btr_say(l->o->say, "(more differences not shown)");
}

/* The cluster's next key that counts (leases and --prefix as for the stream). */
static const Mvccpb__KeyValue *peek_cluster(struct loader *l, int *err)
{
	*err = 0;
	for (;;) {
		if (l->cur_c.resp && l->cur_i < l->cur_c.resp->n_kvs) {
			const Mvccpb__KeyValue *kv = l->cur_c.resp->kvs[l->cur_i];
			if ((kv->lease && !l->o->with_leased) || !wanted(l->o, kv->key.data, kv->key.len)) {
				l->cur_i++;
				continue;
			}
			return kv;
		}
		int r = btr_etcd_cursor_next(&l->cur_c);
		if (r <= 0) {
			*err = r < 0;
			return NULL;
		}
		l->cur_i = 0;
	}
}

static int open_cursor(struct loader *l)
{
	const char *p = l->seg_prefix ? l->seg_prefix : "";
	if (btr_etcd_cursor_init(&l->cur_c, l->e, (const uint8_t *)p, strlen(p), 0, l->o->page_size) < 0)
		return -1;
	l->cur_open = 1;
	l->cur_i = 0;
	l->last_len = 0;
	return 0;
}

static int verify_kv(struct loader *l, const Btr__KeyValue *kv)
{
	const Mvccpb__KeyValue *c;
	int err;
	if (!l->cur_open && open_cursor(l) < 0)
		return -1;
	if (l->last_len && keycmp(kv->key.data, kv->key.len, l->last, l->last_len) <= 0) {
		char k[80];
		return btr_fail(BTR_EXIT_DATA, "stream keys are not in order at '%s': --verify needs keys in etcd's order, as etcd-dump writes them",
				btr_escape(kv->key.data, kv->key.len, k, sizeof k));
	}
	if (kv->key.len > l->last_cap) {
		uint8_t *n = realloc(l->last, kv->key.len);
		if (!n)
			return btr_fail(BTR_EXIT_SYS, "out of memory");
		l->last = n;
		l->last_cap = kv->key.len;
	}
	memcpy(l->last, kv->key.data, kv->key.len);
	l->last_len = kv->key.len;
	while ((c = peek_cluster(l, &err)) && keycmp(c->key.data, c->key.len, kv->key.data, kv->key.len) < 0) {
		difference(l, "only in the cluster", c->key.data, c->key.len);
		l->cur_i++;
	}
	if (err)
		return -1;
	l->st->compared++;
	btr_progress_add(&l->p, 1, 0);
	if (!c || keycmp(c->key.data, c->key.len, kv->key.data, kv->key.len) != 0) {
		difference(l, "missing from the cluster", kv->key.data, kv->key.len);
		return 0;
	}
	if (c->value.len != kv->value.len || (kv->value.len && memcmp(c->value.data, kv->value.data, kv->value.len)))
		difference(l, "value differs", kv->key.data, kv->key.len);
	l->cur_i++;
	return 0;
}

/* At a segment's trailer: what is left in the cluster is missing from the stream. */
static int verify_end(struct loader *l)
{
	const Mvccpb__KeyValue *c;
	int err = 0;
	if (l->seg_is_etcd && !l->cur_open && open_cursor(l) < 0)
		return -1;
	if (l->cur_open) {
		while ((c = peek_cluster(l, &err))) {
			difference(l, "only in the cluster", c->key.data, c->key.len);
			l->cur_i++;
		}
		btr_etcd_cursor_free(&l->cur_c);
		l->cur_open = 0;
	}
	return err ? -1 : 0;
}

/* ---- the stream ---- */

static int clear(struct loader *l)
{
	const struct btr_etcd_load_opts *o = l->o;
	size_t n = o->nprefixes ? o->nprefixes : 1;
	for (size_t i = 0; i < n; i++) {
		const char *p = o->nprefixes ? o->prefixes[i] : "";
		int64_t d = 0;
		int rc = o->dry_run ? btr_etcd_count_prefix(l->e, (const uint8_t *)p, strlen(p), &d)
				    : btr_etcd_delete_prefix(l->e, (const uint8_t *)p, strlen(p), &d);
		if (rc < 0)
			return -1;
		l->st->deleted += (uint64_t)d;
	}
	return 0;
}

static int on_record(struct loader *l, const struct btr_record *r)
{
	const struct btr_etcd_load_opts *o = l->o;
	switch (r->type) {
	case BTR_HEADER:
		l->seg_is_etcd = r->u.header->content && !strcmp(r->u.header->content, "etcd");
		free((char *)l->seg_prefix);
		l->seg_prefix = r->u.header->etcd_prefix && *r->u.header->etcd_prefix ? strdup(r->u.header->etcd_prefix) : NULL;
		return 0;
	case BTR_TRAILER:
		return o->verify ? verify_end(l) : 0;
	case BTR_KV: {
		const Btr__KeyValue *kv = r->u.kv;
		if (!kv->key.len)
			return btr_fail(BTR_EXIT_DATA, "stdin: byte %llu: an etcd record with an empty key",
					(unsigned long long)r->offset);
		if (!wanted(o, kv->key.data, kv->key.len)) {
			l->st->outside_prefix++;
			return 0;
		}
		if (kv->lease && !o->with_leased) {
			l->st->leased++;
			return 0;
		}
		btr_rate_take(o->limit_keys, 1);
		return o->verify ? verify_kv(l, kv) : add_put(l, kv);
	}
	case BTR_OBJECT_BEGIN:
	case BTR_DELETE:
	case BTR_INDEX:
		l->st->other_records++;
		return 0;
	default:
		return 0; /* the rest of an object */
	}
}

int btr_etcd_load(struct btr_etcd *e, const struct btr_etcd_load_opts *o, int fd, struct btr_etcd_load_stats *st)
{
	struct loader l = {.e = e, .o = o, .st = st,
			   .window = o->in_flight < 1 ? 1 : o->in_flight > IN_FLIGHT ? IN_FLIGHT : (size_t)o->in_flight};
	struct btr_reader *r = NULL;
	struct btr_record rec;
	int rc = -1, got;
	*st = (struct btr_etcd_load_stats){0};
	btr_progress_init(&l.p, o->verify ? "etcd-load verify" : "etcd-load", o->progress);
	l.p.limit_items = btr_rate_per_sec(o->limit_keys);
	if (o->clear_only) {
		rc = clear(&l);
		goto out;
	}
	if (!(l.cur.items = calloc((size_t)o->txn_ops, sizeof *l.cur.items))) {
		btr_fail(BTR_EXIT_SYS, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < IN_FLIGHT; i++)
		if (!(l.fly[i].items = calloc((size_t)o->txn_ops, sizeof *l.fly[i].items))) {
			btr_fail(BTR_EXIT_SYS, "out of memory");
			goto out;
		}
	if (!(r = btr_reader_new(fd, "stdin")))
		goto out;
	/* Nothing is cleared before the input is known to start like a stream. */
	got = btr_reader_next(r, &rec);
	if (got <= 0)
		goto out;
	if (o->clear && !o->verify && clear(&l) < 0)
		goto out;
	do {
		if (on_record(&l, &rec) < 0)
			goto out;
	} while ((got = btr_reader_next(r, &rec)) == 1);
	if (got < 0) {
		/* Truncated or damaged: what was read is applied, and the failure stands. */
		int code = btr_errcode();
		char msg[512];
		snprintf(msg, sizeof msg, "%s", btr_errmsg());
		if (!o->verify && (flush(&l) < 0 || drain(&l) < 0))
			goto out;
		btr_fail(code, "%s; %llu keys read before it were %s", msg, (unsigned long long)st->restored,
			 o->verify ? "compared" : o->dry_run ? "counted" : "restored");
		goto out;
	}
	if (flush(&l) < 0 || drain(&l) < 0)
		goto out;
	if (o->verify && st->differences) {
		btr_fail(BTR_EXIT_DATA, "verify: %llu differences (%llu keys compared)", (unsigned long long)st->differences,
			 (unsigned long long)st->compared);
		goto out;
	}
	rc = 0;
out:
	btr_progress_done(&l.p);
	/* After a failure: what is still in flight is cancelled, not waited for. */
	for (; l.nfly; l.nfly--, l.first = (l.first + 1) % IN_FLIGHT)
		if (l.fly[l.first].p)
			btr_etcd_call_abandon(e, l.fly[l.first].p);
	for (size_t i = 0; i < IN_FLIGHT; i++) {
		drop_items(&l.fly[i]);
		free(l.fly[i].items);
	}
	drop_items(&l.cur);
	free(l.cur.items);
	if (l.cur_open)
		btr_etcd_cursor_free(&l.cur_c);
	free(l.last);
	free((char *)l.seg_prefix);
	btr_reader_free(r);
	return rc;
}
