/* ceph-readobj -c CONF POOL NAME [NAMESPACE [LOCATOR [CHUNK]]]: reads one object with
 * btr_ceph_read_object and prints "size version xattrs omap_entries begins digest-hex";
 * exit 4 when the object does not exist. */
#include "ceph/ceph.h"
#include "err.h"
#include "tool.h"
#include "stream/stream.h"

#include <stdio.h>
#include <stdlib.h>

struct h {
	struct btr_objhash oh;
	uint64_t size, version;
	size_t xattrs, begins;
	uint64_t off;
};

static int b(void *c, const Btr__ObjectBegin *bg)
{
	struct h *h = c;
	btr_objhash_begin(&h->oh, BTR_FORMAT_VERSION, bg);
	h->size = bg->size;
	h->version = bg->version;
	h->xattrs = bg->n_xattrs;
	h->begins++;
	h->off = 0;
	return 0;
}

static int d(void *c, const void *p, size_t n)
{
	struct h *h = c;
	btr_objhash_data(&h->oh, p, n);
	h->off += n;
	if (getenv("READOBJ_DATA"))
		fwrite(p, 1, n, stderr);
	return 0;
}

static int o(void *c, Btr__OmapEntry *const *e, size_t n)
{
	struct h *h = c;
	for (size_t i = 0; i < n; i++)
		btr_objhash_omap(&h->oh, e[i]);
	return 0;
}

int main(int argc, char **argv)
{
	struct btr_ceph_opts co = {0};
	rados_t cl;
	rados_ioctx_t io;
	struct h h = {0};
	struct btr_obj_cb cb = {b, d, o, 0};
	uint8_t dg[BTR_DIGEST_LEN];
	btr_init(argv[0]);
	if (argc < 5 || argv[1][0] != '-' || argv[1][1] != 'c')
		btr_usage_error("usage: ceph-readobj -c CONF POOL NAME [NAMESPACE [LOCATOR [CHUNK]]]");
	co.conf = argv[2];
	if (btr_ceph_connect(&co, &cl) < 0 || btr_ceph_open_pool(cl, argv[3], 2, NULL, &io) < 0)
		btr_die_last();
	int r = btr_ceph_read_object(io, argc > 5 ? argv[5] : "", argv[4], argc > 6 ? argv[6] : NULL,
				     argc > 7 ? strtoul(argv[7], NULL, 0) : 0, &cb, &h);
	if (r < 0)
		btr_die_last();
	if (r == BTR_READ_VANISHED) {
		fprintf(stderr, "ceph-readobj: no such object\n");
		return 4;
	}
	if (r == BTR_READ_UNSTABLE)
		btr_die_last();
	size_t dl = btr_objhash_final(&h.oh, dg);
	printf("%llu %llu %zu %llu %zu ", (unsigned long long)h.size, (unsigned long long)h.version, h.xattrs,
	       (unsigned long long)h.oh.omap_entries, h.begins);
	for (size_t i = 0; i < dl; i++)
		printf("%02x", dg[i]);
	printf("\n");
	rados_ioctx_destroy(io);
	rados_shutdown(cl);
	return h.off == h.size ? 0 : 1;
}
