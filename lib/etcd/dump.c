/* etcd-dump's work: one segment holding every key (under a prefix) at one revision. */
#include "etcd.h"
#include "err.h"
#include "progress.h"
#include "rate.h"
#include "stream/stream.h"

#include <string.h>
#include <unistd.h>

int btr_etcd_dump(struct btr_etcd *e, const struct btr_etcd_dump_opts *o, int fd, uint64_t *count)
{
	const char *prefix = o->prefix ? o->prefix : "";
	struct btr_etcd_cursor c;
	struct btr_progress p;
	struct btr_writer *w;
	uint64_t cluster_id = 0;
	int rc = -1, started = 0;
	char host[256] = "";
	*count = 0;
	int64_t db_size = 0;
	if (btr_etcd_status(e, &cluster_id, &db_size) < 0)
		return -1;
	if (btr_etcd_cursor_init(&c, e, (const uint8_t *)prefix, strlen(prefix), o->revision, o->page_size) < 0)
		return -1;
	/* A database this small cannot make a huge first reply: no probing page, which
	 * saves etcd a walk of its whole index. */
	if (db_size > 0 && (uint64_t)db_size <= 4 * (uint64_t)btr_etcd_max_recv(e))
		c.page = c.max_page;
	if (!(w = btr_writer_new(fd, "stdout"))) {
		btr_etcd_cursor_free(&c);
		return -1;
	}
	gethostname(host, sizeof host - 1);
	btr_progress_init(&p, "etcd-dump", o->progress);
	p.limit_items = btr_rate_per_sec(o->limit_keys);
	for (;;) {
		int r = btr_etcd_cursor_next(&c);
		if (r < 0)
			goto out;
		if (!started) {
			/* The first page pins the revision; the header says which. */
			Btr__Header h = BTR__HEADER__INIT;
			h.producer = "etcd-dump " BTR_VERSION;
			h.content = "etcd";
			h.etcd_cluster_id = cluster_id ? cluster_id : c.cluster_id;
			h.etcd_revision = c.revision;
			h.etcd_prefix = (char *)prefix;
			h.hostname = host;
			if (btr_writer_header(w, &h) < 0)
				goto out;
			started = 1;
		}
		if (r == 0)
			break;
		for (size_t i = 0; i < c.resp->n_kvs; i++) {
			const Mvccpb__KeyValue *kv = c.resp->kvs[i];
			Btr__KeyValue out = BTR__KEY_VALUE__INIT;
			out.key = kv->key;
			out.value = kv->value;
			out.create_revision = kv->create_revision;
			out.mod_revision = kv->mod_revision;
			out.version = kv->version;
			out.lease = kv->lease;
			btr_rate_take(o->limit_keys, 1);
			if (btr_writer_kv(w, &out) < 0)
				goto out;
			++*count;
			btr_progress_add(&p, 1, kv->key.len + kv->value.len);
		}
	}
	if (btr_writer_trailer(w, NULL) < 0 || btr_writer_flush(w) < 0)
		goto out;
	rc = 0;
out:
	btr_progress_done(&p);
	btr_writer_free(w);
	btr_etcd_cursor_free(&c);
	return rc;
}
