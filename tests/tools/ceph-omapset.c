/* ceph-omapset POOL NAME N [NAMESPACE]: sets N omap entries key%06d -> val%d on the object
 * (creating it), in one write op; every 700th key has a NUL byte inside.  Connects
 * with $CEPH_CONF as client.admin.  For tests: the rados CLI sets one key per process. */
#include <rados/librados.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	rados_t c;
	rados_ioctx_t io;
	if (argc < 4) {
		fprintf(stderr, "usage: ceph-omapset POOL NAME N [NAMESPACE]\n");
		return 2;
	}
	if (rados_create(&c, NULL) < 0 || rados_conf_read_file(c, getenv("CEPH_CONF")) < 0 || rados_connect(c) < 0 ||
	    rados_ioctx_create(c, argv[1], &io) < 0) {
		fprintf(stderr, "ceph-omapset: cannot connect or open pool %s\n", argv[1]);
		return 3;
	}
	if (argc > 4)
		rados_ioctx_set_namespace(io, argv[4]);
	int n = atoi(argv[3]);
	rados_write_op_t op = rados_create_write_op();
	rados_write_op_create(op, LIBRADOS_CREATE_IDEMPOTENT, NULL);
	for (int i = 0; i < n; i++) {
		char k[32], v[32];
		size_t kl = (size_t)snprintf(k, sizeof k, "key%06d", i);
		if (i % 700 == 5)
			k[3] = 0;
		snprintf(v, sizeof v, "val%d", i);
		const char *ks[1] = {k}, *vs[1] = {v};
		size_t kls[1] = {kl}, vls[1] = {strlen(v)};
		rados_write_op_omap_set2(op, ks, vs, kls, vls, 1);
	}
	int r = rados_write_op_operate(op, io, argv[2], NULL, 0);
	rados_release_write_op(op);
	rados_ioctx_destroy(io);
	rados_shutdown(c);
	if (r < 0) {
		fprintf(stderr, "ceph-omapset: %s\n", strerror(-r));
		return 3;
	}
	return 0;
}
