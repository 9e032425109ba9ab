#include "args.h"
#include "ceph.h"
#include "err.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int btr_ceph_opt(struct btr_ceph_opts *o, int c, const char *arg)
{
	unsigned long v;
	switch (c) {
	case 'c': o->conf = arg; return 1;
	case 'n': o->name = arg; return 1;
	case BTR_OPT_CEPH_ID: o->id = arg; return 1;
	case BTR_OPT_CEPH_KEYRING: o->keyring = arg; return 1;
	case BTR_OPT_CEPH_TIMEOUT:
		if (btr_parse_ulong(arg, 1, 86400, &v) < 0)
			return btr_fail(BTR_EXIT_USAGE, "--timeout wants seconds from 1 to 86400, not '%s'", arg);
		o->timeout = (unsigned)v;
		return 1;
	}
	return 0;
}

const char *btr_rados_strerror(int err)
{
	static _Thread_local char buf[160];
	int e = err < 0 ? -err : err;
	switch (e) {
	case EACCES:
	case EPERM:
		snprintf(buf, sizeof buf, "%s (check the client's cephx caps)", strerror(e));
		return buf;
	case ETIMEDOUT:
		return "timed out (is the cluster up? see --timeout)";
	}
	return strerror(e);
}

static int set(rados_t c, const char *k, const char *v)
{
	int r = rados_conf_set(c, k, v);
	if (r < 0)
		return btr_fail(BTR_EXIT_SYS, "ceph option %s=%s: %s", k, v, strerror(-r));
	return 0;
}

static rados_t open_handle;

static void shutdown_last_handle(void)
{
	if (open_handle) {
		rados_t c = open_handle;
		open_handle = NULL;
		rados_shutdown(c);
	}
}

void btr_ceph_shutdown(rados_t c)
{
	if (c == open_handle)
		open_handle = NULL;
	rados_shutdown(c);
}

int btr_ceph_connect(const struct btr_ceph_opts *o, rados_t *out)
{
	static int registered;
	char name[256], t[16];
	rados_t c;
	int r;
	if (o->name)
		snprintf(name, sizeof name, "%s", o->name);
	else
		snprintf(name, sizeof name, "client.%s", o->id ? o->id : "admin");
	if ((r = rados_create2(&c, "ceph", name, 0)) < 0)
		return btr_fail(BTR_EXIT_SYS, "cannot create a ceph handle for %s: %s", name, strerror(-r));
	/* NULL reads $CEPH_CONF, then /etc/ceph/ceph.conf and the rest of the search path. */
	if ((r = rados_conf_read_file(c, o->conf)) < 0) {
		rados_shutdown(c);
		if (o->conf)
			return btr_fail(BTR_EXIT_SYS, "cannot read ceph config %s: %s", o->conf, strerror(-r));
		return btr_fail(BTR_EXIT_SYS, "no ceph config found (use -c FILE or set CEPH_CONF): %s", strerror(-r));
	}
	rados_conf_parse_env(c, NULL); /* CEPH_ARGS, as the rados CLI honours it */
	snprintf(t, sizeof t, "%u", o->timeout ? o->timeout : BTR_CEPH_DEFAULT_TIMEOUT);
	if ((o->keyring && set(c, "keyring", o->keyring) < 0) ||
	    set(c, "rados_osd_op_timeout", t) < 0 || set(c, "rados_mon_op_timeout", t) < 0 ||
	    set(c, "client_mount_timeout", t) < 0) {
		rados_shutdown(c);
		return -1;
	}
	if ((r = rados_connect(c)) < 0) {
		rados_shutdown(c);
		if (r == -ENOENT)
			return btr_fail(BTR_EXIT_SYS, "cannot connect to ceph as %s: no keyring found (use --keyring)", name);
		return btr_fail(BTR_EXIT_SYS, "cannot connect to ceph as %s: %s", name, btr_rados_strerror(r));
	}
	if (!registered)
		registered = !atexit(shutdown_last_handle);
	open_handle = c;
	*out = c;
	return 0;
}

int btr_ceph_fsid(rados_t c, char out[37])
{
	int r = rados_cluster_fsid(c, out, 37);
	if (r < 0)
		return btr_fail(BTR_EXIT_SYS, "cannot read the cluster fsid: %s", btr_rados_strerror(r));
	return 0;
}

int btr_ceph_open_pool(rados_t c, const char *pool, int code, const char *hint, rados_ioctx_t *out)
{
	int r = rados_ioctx_create(c, pool, out);
	if (r == -ENOENT)
		return btr_fail(code, "pool \"%s\" does not exist%s", pool, hint ? hint : "");
	if (r < 0)
		return btr_fail(BTR_EXIT_SYS, "cannot open pool \"%s\": %s", pool, btr_rados_strerror(r));
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int btr_ceph_list_pools(rados_t c, char ***names, size_t *n)
{
	size_t len = 4096;
	char *buf = NULL;
	int r;
	/* The call reports the size it needs when the buffer is short. */
	for (;;) {
		char *nb = realloc(buf, len);
		if (!nb) {
			free(buf);
			return btr_fail(BTR_EXIT_SYS, "out of memory listing pools");
		}
		buf = nb;
		r = rados_pool_list(c, buf, len);
		if (r < 0) {
			free(buf);
			return btr_fail(BTR_EXIT_SYS, "cannot list pools: %s", btr_rados_strerror(r));
		}
		if ((size_t)r <= len)
			break;
		len = (size_t)r;
	}
	size_t cnt = 0;
	for (const char *p = buf; *p; p += strlen(p) + 1)
		cnt++;
	char **v = calloc(cnt ? cnt : 1, sizeof *v);
	if (!v) {
		free(buf);
		return btr_fail(BTR_EXIT_SYS, "out of memory listing pools");
	}
	size_t i = 0;
	for (const char *p = buf; *p; p += strlen(p) + 1)
		if (!(v[i++] = strdup(p))) {
			btr_ceph_free_pools(v, i - 1);
			free(buf);
			return btr_fail(BTR_EXIT_SYS, "out of memory listing pools");
		}
	free(buf);
	qsort(v, cnt, sizeof *v, cmp_str);
	*names = v;
	*n = cnt;
	return 0;
}

void btr_ceph_free_pools(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void btr_ceph_reuse_buffers(void)
{
	mallopt(M_MMAP_THRESHOLD, 32 << 20); /* glibc's largest; above a 16 MiB object */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
}
