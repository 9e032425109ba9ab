/* Old backups as our record stream: etcd records and objects each in segments of
 * their own kind (content "etcd" or "ceph"), so every loader treats them as it
 * treats etcd-dump's and ceph-dump's. */
#include "legacy.h"
#include "err.h"
#include "grow.h"
#include "progress.h"
#include "stream/stream.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct out {
	struct btr_writer *w;
	int seg;                        /* kind of the open segment, 0 for none */
	Btr__Xattr *x;
	Btr__Xattr **xp;
	Btr__OmapEntry *o;
	Btr__OmapEntry **op;
	size_t xcap, xpcap, ocap, opcap;
};

static ProtobufCBinaryData bin(struct btr_legacy_bytes b)
{
	return (ProtobufCBinaryData){.len = b.n, .data = (uint8_t *)b.p};
}

static int start(struct out *o, struct btr_legacy_archive *a, int kind)
{
	Btr__Header h = BTR__HEADER__INIT;
	const char *const *pools;
	if (o->seg == kind)
		return 0;
	if (o->seg && btr_writer_trailer(o->w, NULL) < 0)
		return -1;
	h.producer = "legacy-dump " BTR_VERSION;
	h.content = kind == BTR_LEGACY_ETCD ? "etcd" : "ceph";
	/* So that the same backup always gives the same stream. */
	h.created = (uint64_t)btr_legacy_newest(a);
	if (kind == BTR_LEGACY_OBJECT) {
		h.n_pools = btr_legacy_pools(a, &pools);
		h.pools = (char **)pools;
	}
	o->seg = kind;
	return btr_writer_header(o->w, &h);
}

static int kvs(struct out *o, const struct btr_legacy_item *it, struct btr_legacy_dump_stats *st)
{
	for (size_t i = 0; i < it->n_kvs; i++) {
		Btr__KeyValue kv = BTR__KEY_VALUE__INIT;
		kv.key = bin(it->kvs[i].key);
		kv.value = bin(it->kvs[i].value);
		if (btr_writer_kv(o->w, &kv) < 0)
			return -1;
		st->kvs++;
	}
	return 0;
}

static int object(struct out *o, struct btr_legacy_archive *a, const struct btr_legacy_object *ob, const char *where,
		  struct btr_legacy_dump_stats *st)
{
	Btr__ObjectBegin b = BTR__OBJECT_BEGIN__INIT;
	char *pool = strndup((const char *)ob->pool.p, ob->pool.n);
	int rc = -1;
	if (!pool)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	if (!ob->pool.n || strlen(pool) != ob->pool.n || !ob->name.n) {
		btr_fail(BTR_EXIT_DATA, "%s: an object with an empty name or pool, or a NUL in its pool", where);
		goto out;
	}
	if (btr_grow((void **)&o->x, &o->xcap, ob->n_xattrs + 1, sizeof *o->x) < 0 ||
	    btr_grow((void **)&o->xp, &o->xpcap, ob->n_xattrs + 1, sizeof *o->xp) < 0 ||
	    btr_grow((void **)&o->o, &o->ocap, ob->n_omap + 1, sizeof *o->o) < 0 ||
	    btr_grow((void **)&o->op, &o->opcap, ob->n_omap + 1, sizeof *o->op) < 0)
		goto out;
	for (size_t i = 0; i < ob->n_xattrs; i++) {
		o->x[i] = (Btr__Xattr)BTR__XATTR__INIT;
		o->x[i].name = bin(ob->xattrs[i].key);
		o->x[i].value = bin(ob->xattrs[i].value);
		o->xp[i] = &o->x[i];
	}
	for (size_t i = 0; i < ob->n_omap; i++) {
		o->o[i] = (Btr__OmapEntry)BTR__OMAP_ENTRY__INIT;
		o->o[i].key = bin(ob->omap[i].key);
		o->o[i].value = bin(ob->omap[i].value);
		o->op[i] = &o->o[i];
	}
	b.pool = pool;
	b.namespace_ = bin(ob->ns);
	b.name = bin(ob->name);
	b.size = ob->content.n;
	b.mtime = btr_legacy_mtime(a, ob);
	b.n_xattrs = ob->n_xattrs;
	b.xattrs = o->xp;
	/* Empty objects too: the original's restore dropped those without xattrs or omap. */
	if (btr_writer_object_begin(o->w, &b) < 0 || btr_writer_object_data(o->w, ob->content.p, ob->content.n) < 0 ||
	    (ob->n_omap && btr_writer_object_omap(o->w, o->op, ob->n_omap) < 0) || btr_writer_object_end(o->w, NULL) < 0)
		goto out;
	st->objects++;
	st->bytes += ob->content.n;
	rc = 0;
out:
	free(pool);
	return rc;
}

static int one(struct out *o, struct btr_legacy_archive *a, struct btr_progress *p, struct btr_legacy_dump_stats *st)
{
	struct btr_legacy_item it;
	int r;
	while ((r = btr_legacy_next(a, &it)) == 1) {
		if (start(o, a, it.type) < 0)
			return -1;
		if (it.type == BTR_LEGACY_ETCD ? kvs(o, &it, st) < 0 : object(o, a, &it.obj, btr_legacy_where(a), st) < 0)
			return -1;
		btr_progress_add(p, it.type == BTR_LEGACY_OBJECT, it.frame_bytes);
	}
	if (r < 0)
		return -1;
	/* A backup with nothing in it is still one (empty) segment. */
	if (!o->seg && start(o, a, BTR_LEGACY_OBJECT) < 0)
		return -1;
	if (btr_writer_trailer(o->w, NULL) < 0)
		return -1;
	o->seg = 0;
	return 0;
}

/* The union of every backup's pools, for the summary. */
static int note_pools(struct btr_legacy_dump_stats *st, struct btr_legacy_archive *a)
{
	const char *const *p;
	size_t n = btr_legacy_pools(a, &p);
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < st->n_pools && strcmp(st->pools[j], p[i]))
			j++;
		if (j < st->n_pools)
			continue;
		char **q = realloc(st->pools, (st->n_pools + 1) * sizeof *q);
		if (!q || !(q[st->n_pools] = strdup(p[i]))) {
			if (q)
				st->pools = q;
			return btr_fail(BTR_EXIT_SYS, "out of memory");
		}
		st->pools = q;
		st->n_pools++;
	}
	return 0;
}

void btr_legacy_dump_stats_free(struct btr_legacy_dump_stats *st)
{
	for (size_t i = 0; i < st->n_pools; i++)
		free(st->pools[i]);
	free(st->pools);
	st->pools = NULL;
	st->n_pools = 0;
}

int btr_legacy_dump(const char *const *dirs, size_t n, const uint8_t key[BTR_LEGACY_KEY], int fd, int progress,
		struct btr_legacy_dump_stats *st)
{
	struct btr_legacy_archive **a = calloc(n + 1, sizeof *a);
	struct out o = {0};
	struct btr_progress p;
	int rc = -1;
	memset(st, 0, sizeof *st);
	if (!a)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	/* Every METADATA.bin first: a wrong passphrase or a missing piece writes nothing. */
	for (size_t i = 0; i < n; i++)
		if (!(a[i] = btr_legacy_open(dirs[i], key)) || note_pools(st, a[i]) < 0)
			goto out;
	if (!(o.w = btr_writer_new(fd, "stdout")))
		goto out;
	/* Bytes are the pieces' (the total is known); items are objects. */
	btr_progress_init(&p, "legacy-dump", progress);
	for (size_t i = 0; i < n; i++)
		p.total_bytes += btr_legacy_size(a[i]);
	for (size_t i = 0; i < n; i++) {
		if (one(&o, a[i], &p, st) < 0) {
			/* What was authenticated goes out; no trailer follows it. */
			int code = btr_errcode();
			char msg[1024];
			snprintf(msg, sizeof msg, "%s", btr_errmsg());
			btr_writer_flush(o.w);
			btr_progress_done(&p);
			btr_fail(code, "%s", msg);
			goto out;
		}
		btr_legacy_close(a[i]);
		a[i] = NULL;
	}
	rc = btr_writer_flush(o.w);
	btr_progress_done(&p);
out:
	btr_writer_free(o.w);
	for (size_t i = 0; i < n; i++)
		btr_legacy_close(a[i]);
	free(a);
	free(o.x);
	free(o.xp);
	free(o.o);
	free(o.op);
	return rc;
}
