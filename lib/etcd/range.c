/* Key ranges: prefix ends, the paged cursor at a pinned revision, and the checks
 * every Range reply passes before we trust it. */
#include "etcd.h"
#include "err.h"
#include "stream/stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t btr_etcd_prefix_end(const uint8_t *prefix, size_t n, uint8_t *out)
{
	while (n && prefix[n - 1] == 0xff)
		n--;
	if (!n) {
		out[0] = 0;
		return 1;
	}
	memcpy(out, prefix, n);
	out[n - 1]++;
	return n;
}

int btr_etcd_has_prefix(const uint8_t *key, size_t klen, const uint8_t *prefix, size_t plen)
{
	return klen >= plen && (plen == 0 || memcmp(key, prefix, plen) == 0);
}

static int keycmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	return c ? c : (an > bn) - (an < bn);
}

/* "\0" as range_end means "no upper bound". */
static int unbounded(const uint8_t *end, size_t n)
{
	return n == 1 && end[0] == 0;
}

Etcdserverpb__RangeResponse *btr_etcd_range_parse(const uint8_t *p, size_t n, const uint8_t *from,
					      size_t from_len, const uint8_t *end, size_t end_len)
{
	Etcdserverpb__RangeResponse *r = etcdserverpb__range_response__unpack(NULL, n, p);
	const char *why = NULL;
	char key[80];
	size_t i = 0;
	key[0] = '\0';
	if (!r) {
		btr_fail(BTR_EXIT_SYS, "etcd sent a Range reply that does not decode");
		return NULL;
	}
	if (!r->header) {
		why = "it has no header";
		goto bad;
	}
	if (r->header->revision <= 0) {
		why = "its revision is not positive";
		goto bad;
	}
	for (i = 0; i < r->n_kvs; i++) {
		const Mvccpb__KeyValue *kv = r->kvs[i];
		if (!kv->key.len) {
			why = "a key is empty";
			goto bad;
		}
		if (i ? keycmp(kv->key.data, kv->key.len, r->kvs[i - 1]->key.data, r->kvs[i - 1]->key.len) <= 0
		      : from && keycmp(kv->key.data, kv->key.len, from, from_len) < 0) {
			why = "keys are out of order at";
			goto bad;
		}
		if (end && !unbounded(end, end_len) && keycmp(kv->key.data, kv->key.len, end, end_len) >= 0) {
			why = "a key is outside the requested range:";
			goto bad;
		}
		if (kv->mod_revision > r->header->revision || kv->create_revision > kv->mod_revision) {
			why = "revisions are inconsistent at";
			goto bad;
		}
	}
	if (r->more && !r->n_kvs) {
		why = "it claims more keys but holds none";
		goto bad;
	}
	return r;
bad:
	if (i < r->n_kvs && r->kvs[i]->key.len)
		btr_escape(r->kvs[i]->key.data, r->kvs[i]->key.len, key, sizeof key);
	btr_fail(BTR_EXIT_SYS, "etcd sent an invalid Range reply: %s%s%s", why, key[0] ? " " : "", key[0] ? key : "");
	etcdserverpb__range_response__free_unpacked(r, NULL);
	return NULL;
}

/* Sets key/range_end for prefix (every key when empty); buffers are malloc'd. */
static int set_range(const uint8_t *prefix, size_t plen, uint8_t **key, size_t *klen, uint8_t **end, size_t *elen)
{
	*key = malloc(plen ? plen : 1);
	*end = malloc(plen ? plen : 1);
	if (!*key || !*end) {
		free(*key);
		free(*end);
		*key = *end = NULL;
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	}
	if (plen) {
		memcpy(*key, prefix, plen);
		*klen = plen;
	} else {
		(*key)[0] = 0;
		*klen = 1;
	}
	*elen = btr_etcd_prefix_end(prefix, plen, *end);
	return 0;
}

int btr_etcd_cursor_init(struct btr_etcd_cursor *c, struct btr_etcd *e, const uint8_t *prefix, size_t plen,
		     int64_t revision, long page)
{
	/* The first page is small: it tells how large keys and values are, before a
	 * page of many large values makes the server build a huge reply. */
	*c = (struct btr_etcd_cursor){.e = e, .revision = revision, .page = page < 10000 ? page : 10000, .max_page = page,
				  .page_bytes = btr_etcd_max_recv(e) / 2};
	return set_range(prefix, plen, &c->next, &c->next_len, &c->end, &c->end_len);
}

int btr_etcd_cursor_next(struct btr_etcd_cursor *c)
{
	if (c->resp) {
		etcdserverpb__range_response__free_unpacked(c->resp, NULL);
		c->resp = NULL;
	}
	if (c->done)
		return 0;
	Etcdserverpb__RangeRequest req = ETCDSERVERPB__RANGE_REQUEST__INIT;
	req.key.data = c->next;
	req.key.len = c->next_len;
	req.range_end.data = c->end;
	req.range_end.len = c->end_len;
	req.revision = c->revision;
	struct btr_etcd_reply rep;
	for (;;) {
		req.limit = c->page;
		if (btr_etcd_call_raw(c->e, "/etcdserverpb.KV/Range", &req.base, &rep) == 0)
			break;
		grpc_status_code st = btr_etcd_last_status(c->e);
		const char *d = btr_etcd_last_details(c->e);
		if (st == GRPC_STATUS_RESOURCE_EXHAUSTED && c->page > 1) {
			/* A page too large for the receive limit: fewer keys per page. */
			c->page /= 2;
			continue;
		}
		if (st == GRPC_STATUS_RESOURCE_EXHAUSTED) {
			char k[80];
			btr_escape(c->next, c->next_len, k, sizeof k);
			return btr_fail(BTR_EXIT_SYS, "etcd %s: the key at or after '%s' is larger than the receive limit (raise --max-recv-bytes): %s",
					btr_etcd_endpoint(c->e), k, d);
		}
		if (st == GRPC_STATUS_OUT_OF_RANGE && strstr(d, "compacted"))
			return btr_fail(BTR_EXIT_SYS, "etcd %s: revision %lld has been compacted%s; the dump is incomplete (run it again)",
					btr_etcd_endpoint(c->e), (long long)c->revision,
					c->cluster_id ? " while reading" : "");
		if (st == GRPC_STATUS_OUT_OF_RANGE && strstr(d, "future revision"))
			return btr_fail(BTR_EXIT_USAGE, "etcd %s: revision %lld is newer than the cluster's",
					btr_etcd_endpoint(c->e), (long long)c->revision);
		return -1;
	}
	/* The first page starts at the range's start; later ones at next (inclusive). */
	c->resp = btr_etcd_range_parse(rep.p, rep.n, c->next, c->next_len, c->end, c->end_len);
	size_t len = rep.n;
	btr_etcd_reply_free(&rep);
	if (!c->resp)
		return btr_fail(BTR_EXIT_SYS, "etcd %s: %s", btr_etcd_endpoint(c->e), btr_errmsg());
	if (!c->revision)
		c->revision = c->resp->header->revision;
	if (!c->cluster_id)
		c->cluster_id = c->resp->header->cluster_id;
	if (c->resp->more) {
		const Mvccpb__KeyValue *last = c->resp->kvs[c->resp->n_kvs - 1];
		uint8_t *n = realloc(c->next, last->key.len + 1);
		if (!n)
			return btr_fail(BTR_EXIT_SYS, "out of memory");
		memcpy(n, last->key.data, last->key.len);
		n[last->key.len] = 0; /* the smallest key after the last one */
		c->next = n;
		c->next_len = last->key.len + 1;
	} else {
		c->done = 1;
	}
	/* Size the next page from this one's bytes per key: etcd 3.4 walks its index to
	 * the end of the range on every request, so few large pages are much faster
	 * than many small ones, while memory follows the bytes of a page. */
	if (c->resp->n_kvs) {
		size_t per_key = len / c->resp->n_kvs + 1;
		size_t want = c->page_bytes / per_key;
		c->page = want < 1 ? 1 : want > (size_t)c->max_page ? c->max_page : (long)want;
	}
	return 1;
}

void btr_etcd_cursor_free(struct btr_etcd_cursor *c)
{
	if (c->resp)
		etcdserverpb__range_response__free_unpacked(c->resp, NULL);
	free(c->next);
	free(c->end);
	c->resp = NULL;
	c->next = c->end = NULL;
}

/* DeleteRange, or a counting Range, over the keys under prefix. */
static int prefix_op(struct btr_etcd *e, const uint8_t *prefix, size_t plen, int del, int64_t *n)
{
	Etcdserverpb__DeleteRangeRequest dreq = ETCDSERVERPB__DELETE_RANGE_REQUEST__INIT;
	Etcdserverpb__RangeRequest rreq = ETCDSERVERPB__RANGE_REQUEST__INIT;
	ProtobufCMessage *resp;
	uint8_t *k, *end;
	size_t klen, elen;
	int rc;
	if (set_range(prefix, plen, &k, &klen, &end, &elen) < 0)
		return -1;
	dreq.key.data = rreq.key.data = k;
	dreq.key.len = rreq.key.len = klen;
	dreq.range_end.data = rreq.range_end.data = end;
	dreq.range_end.len = rreq.range_end.len = elen;
	rreq.count_only = 1;
	if (del)
		rc = btr_etcd_call(e, "/etcdserverpb.KV/DeleteRange", &dreq.base,
			       &etcdserverpb__delete_range_response__descriptor, &resp);
	else
		rc = btr_etcd_call(e, "/etcdserverpb.KV/Range", &rreq.base, &etcdserverpb__range_response__descriptor, &resp);
	free(k);
	free(end);
	if (rc < 0)
		return -1;
	*n = del ? ((Etcdserverpb__DeleteRangeResponse *)resp)->deleted : ((Etcdserverpb__RangeResponse *)resp)->count;
	protobuf_c_message_free_unpacked(resp, NULL);
	return 0;
}

int btr_etcd_delete_prefix(struct btr_etcd *e, const uint8_t *prefix, size_t plen, int64_t *deleted)
{
	return prefix_op(e, prefix, plen, 1, deleted);
}

int btr_etcd_count_prefix(struct btr_etcd *e, const uint8_t *prefix, size_t plen, int64_t *count)
{
	return prefix_op(e, prefix, plen, 0, count);
}

int btr_etcd_status(struct btr_etcd *e, uint64_t *cluster_id, int64_t *db_size)
{
	Etcdserverpb__StatusRequest req = ETCDSERVERPB__STATUS_REQUEST__INIT;
	Etcdserverpb__StatusResponse *resp;
	if (btr_etcd_call(e, "/etcdserverpb.Maintenance/Status", &req.base, &etcdserverpb__status_response__descriptor,
		      (ProtobufCMessage **)&resp) < 0)
		return -1;
	*cluster_id = resp->header ? resp->header->cluster_id : 0;
	*db_size = resp->db_size;
	etcdserverpb__status_response__free_unpacked(resp, NULL);
	return 0;
}
