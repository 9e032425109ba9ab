/* -p SRC[:DST] and --all-pools: which pools of a stream are restored, and where. */
#include "args.h"
#include "ceph.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

static struct btr_pool_target *lookup(struct btr_poolmap *m, const char *src)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->t[i].src, src) == 0)
			return &m->t[i];
	return NULL;
}

static struct btr_pool_target *add(struct btr_poolmap *m, const char *src, size_t srclen, const char *dst)
{
	struct btr_pool_target *t = realloc(m->t, (m->n + 1) * sizeof *t);
	if (!t)
		return NULL;
	m->t = t;
	t = &m->t[m->n];
	memset(t, 0, sizeof *t);
	if (!(t->src = strndup(src, srclen)) || !(t->dst = strdup(dst))) {
		free(t->src);
		return NULL;
	}
	m->n++;
	return t;
}

int btr_poolmap_add(struct btr_poolmap *m, const char *arg)
{
	size_t srclen;
	const char *dst;
	if (btr_parse_pool_spec(arg, &srclen, &dst) < 0)
		return btr_fail(BTR_EXIT_USAGE, "-p wants POOL or SRC:DST, not '%s'", arg);
	char *src = strndup(arg, srclen);
	int rc = 0;
	if (!src)
		rc = btr_fail(BTR_EXIT_SYS, "out of memory");
	else if (lookup(m, src))
		rc = btr_fail(BTR_EXIT_USAGE, "pool '%s' is named twice", src);
	else if (!add(m, src, srclen, dst))
		rc = btr_fail(BTR_EXIT_SYS, "out of memory");
	free(src);
	return rc;
}

int btr_poolmap_open(struct btr_poolmap *m, rados_t cluster)
{
	m->cluster = cluster;
	for (size_t i = 0; i < m->n; i++)
		if (!m->t[i].io &&
		    btr_ceph_open_pool(cluster, m->t[i].dst, BTR_EXIT_USAGE, " (create it first)", &m->t[i].io) < 0)
			return -1;
	return 0;
}

struct btr_pool_target *btr_poolmap_find(struct btr_poolmap *m, const char *src, int *failed)
{
	struct btr_pool_target *t = lookup(m, src);
	*failed = 0;
	if (t || !m->all)
		return t;
	if (!*src) {
		*failed = 1;
		btr_fail(BTR_EXIT_DATA, "an object without a pool name in the stream");
		return NULL;
	}
	if (!(t = add(m, src, strlen(src), src))) {
		*failed = 1;
		btr_fail(BTR_EXIT_SYS, "out of memory");
		return NULL;
	}
	if (btr_ceph_open_pool(m->cluster, t->dst, BTR_EXIT_USAGE, " (create it first)", &t->io) < 0) {
		*failed = 1;
		return NULL;
	}
	return t;
}

void btr_poolmap_free(struct btr_poolmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		if (m->t[i].io)
			rados_ioctx_destroy(m->t[i].io);
		free(m->t[i].src);
		free(m->t[i].dst);
	}
	free(m->t);
	m->t = NULL;
	m->n = 0;
}
