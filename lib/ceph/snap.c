/* Pool snapshots for a consistent dump, named so that a crash's leftovers can be found. */
#include "ceph.h"
#include "err.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void host(char *h, size_t n)
{
	if (gethostname(h, n) < 0)
		snprintf(h, n, "unknown");
	h[n - 1] = 0;
	for (char *p = h; *p; p++) /* the pid is found after the last '-': keep the host free of it */
		if (*p == '-' || *p == '/' || (unsigned char)*p <= ' ')
			*p = '_';
}

void btr_snap_name(char *out, size_t outlen)
{
	char h[64];
	host(h, sizeof h);
	snprintf(out, outlen, BTR_SNAP_PREFIX "%s-%ld-%lld", h, (long)getpid(), (long long)time(NULL));
}

int btr_snap_create(rados_ioctx_t io, const char *pool, const char *name, rados_snap_t *id)
{
	int r = rados_ioctx_snap_create(io, name);
	if (r == -EINVAL)
		return btr_fail(BTR_EXIT_USAGE, "pool \"%s\" uses self-managed snapshots (RBD?): --snapshot cannot be used on it",
				pool);
	if (r < 0)
		return btr_fail(BTR_EXIT_SYS, "cannot create snapshot %s of pool \"%s\": %s", name, pool, btr_rados_strerror(r));
	if ((r = rados_ioctx_snap_lookup(io, name, id)) < 0) {
		rados_ioctx_snap_remove(io, name);
		return btr_fail(BTR_EXIT_SYS, "snapshot %s of pool \"%s\" vanished: %s", name, pool, btr_rados_strerror(r));
	}
	return 0;
}

int btr_snap_remove(rados_ioctx_t io, const char *pool, const char *name)
{
	int r = rados_ioctx_snap_remove(io, name);
	if (r < 0 && r != -ENOENT)
		return btr_fail(BTR_EXIT_SYS, "cannot remove snapshot %s of pool \"%s\": %s (remove it with ceph-dump --cleanup-snapshots)",
				name, pool, btr_rados_strerror(r));
	return 0;
}

/* A snapshot of a ceph-dump that still runs here must not be pulled from under it. */
static int still_running(const char *name)
{
	char h[64], mine[80];
	host(h, sizeof h);
	snprintf(mine, sizeof mine, BTR_SNAP_PREFIX "%s-", h);
	if (strncmp(name, mine, strlen(mine)))
		return 0;
	char *end;
	long pid = strtol(name + strlen(mine), &end, 10);
	if (*end != '-' || pid <= 0 || pid == (long)getpid())
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

int btr_snap_cleanup(rados_ioctx_t io, const char *pool, btr_say_fn say, unsigned *n)
{
	rados_snap_t snaps[1024];
	int cnt = rados_ioctx_snap_list(io, snaps, 1024);
	if (cnt < 0)
		return btr_fail(BTR_EXIT_SYS, "cannot list snapshots of pool \"%s\": %s", pool, btr_rados_strerror(cnt));
	for (int i = 0; i < cnt; i++) {
		char name[512];
		if (rados_ioctx_snap_get_name(io, snaps[i], name, sizeof name) < 0)
			continue;
		if (strncmp(name, BTR_SNAP_PREFIX, strlen(BTR_SNAP_PREFIX)) || still_running(name))
			continue;
		if (btr_snap_remove(io, pool, name) < 0)
			return -1;
		btr_say(say, "removed snapshot %s of pool %s", name, pool);
		(*n)++;
	}
	return 0;
}
