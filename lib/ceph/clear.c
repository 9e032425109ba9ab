/* --clear and --clear-only: remove every object of the target pools, in every
 * namespace and under its locator key, through the same bounded write window. */
#include "aio.h"
#include "ceph.h"
#include "err.h"

#include <errno.h>
#include <string.h>

static int clear_pool(struct btr_poolmap *m, struct btr_pool_target *t, struct btr_aio *a, int dry,
		      FILE *list, uint64_t *removed)
{
	rados_ioctx_t lio;
	rados_list_ctx_t ctx;
	int r;
	if (btr_ceph_open_pool(m->cluster, t->dst, BTR_EXIT_USAGE, " (create it first)", &lio) < 0)
		return -1;
	rados_ioctx_set_namespace(lio, LIBRADOS_ALL_NSPACES);
	if ((r = rados_nobjects_list_open(lio, &ctx)) < 0) {
		rados_ioctx_destroy(lio);
		return btr_fail(BTR_EXIT_SYS, "cannot list pool \"%s\": %s", t->dst, btr_rados_strerror(r));
	}
	for (;;) {
		const char *oid, *key, *ns;
		size_t oidlen, keylen, nslen; /* RADOS names are C strings: the lengths add nothing */
		char label[512];
		r = rados_nobjects_list_next2(ctx, &oid, &key, &ns, &oidlen, &keylen, &nslen);
		if (r == -ENOENT) {
			r = 0;
			break;
		}
		if (r < 0) {
			btr_fail(BTR_EXIT_SYS, "cannot list pool \"%s\": %s", t->dst, btr_rados_strerror(r));
			break;
		}
		btr_ceph_objname(t->dst, ns, oid, label, sizeof label);
		(*removed)++;
		if (dry) {
			if (list)
				fprintf(list, "would remove %s\n", label);
			continue;
		}
		rados_write_op_t op = rados_create_write_op();
		if (!op) {
			r = btr_fail(BTR_EXIT_SYS, "out of memory");
			break;
		}
		rados_write_op_remove(op);
		rados_ioctx_set_namespace(t->io, ns ? ns : "");
		rados_ioctx_locator_set_key(t->io, key && *key ? key : NULL);
		if ((r = btr_aio_submit(a, t->io, oid, op, 0, label, BTR_AIO_ENOENT_OK)) < 0)
			break;
		if (list)
			fprintf(list, "removed %s\n", label);
	}
	rados_nobjects_list_close(ctx);
	rados_ioctx_destroy(lio);
	return r < 0 ? -1 : 0;
}

int btr_ceph_clear(struct btr_poolmap *m, const struct btr_load_opts *o, FILE *list, uint64_t *removed)
{
	struct btr_aio *a = btr_aio_new(o->window_ops, o->window_bytes);
	int rc = 0;
	*removed = 0;
	if (!a)
		return -1;
	for (size_t i = 0; i < m->n && rc == 0; i++)
		rc = clear_pool(m, &m->t[i], a, o->mode == BTR_LOAD_DRY_RUN, list, removed);
	/* After a failure, the first message stands; the drain only settles. */
	if (rc == 0)
		rc = btr_aio_drain(a);
	btr_aio_free(a);
	return rc;
}
