/* The write window: a FIFO of ops in flight.  Waiting on the oldest op when the
 * window is full keeps this single-threaded (no completion callbacks to lock
 * against); ops complete roughly in order anyway. */
#include "aio.h"
#include "ceph.h"
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	rados_completion_t c;
	rados_write_op_t op;
	uint64_t bytes;
	int flags;
	char what[480];
};

struct btr_aio {
	struct slot *s;
	size_t cap, head, n;
	uint64_t max_bytes, bytes, done_bytes, done_objects;
	int failed;
};

struct btr_aio *btr_aio_new(size_t max_ops, uint64_t max_bytes)
{
	struct btr_aio *a = calloc(1, sizeof *a);
	if (!a || !(a->s = calloc(max_ops ? max_ops : 1, sizeof *a->s))) {
		free(a);
		btr_fail(BTR_EXIT_SYS, "out of memory");
		return NULL;
	}
	a->cap = max_ops ? max_ops : 1;
	a->max_bytes = max_bytes;
	return a;
}

/* Waits for the oldest op and retires it; records the first failure. */
static void reap_one(struct btr_aio *a)
{
	struct slot *s = &a->s[a->head];
	rados_aio_wait_for_complete(s->c);
	int r = rados_aio_get_return_value(s->c);
	rados_aio_release(s->c);
	rados_release_write_op(s->op);
	if (r < 0 && !(r == -ENOENT && (s->flags & BTR_AIO_ENOENT_OK)) && !a->failed) {
		a->failed = 1;
		btr_fail(BTR_EXIT_SYS, "cannot write %s: %s%s", s->what,
			 r == -ENOSPC ? "the cluster is full" : r == -EDQUOT ? "the pool is over its quota" : btr_rados_strerror(r),
			 r == -EFBIG ? " (larger than the OSD's osd_max_object_size)" : "");
	}
	else if (r >= 0 && (s->flags & BTR_AIO_LAST))
		a->done_objects++;
	a->bytes -= s->bytes;
	a->done_bytes += s->bytes;
	a->head = (a->head + 1) % a->cap;
	a->n--;
}

/* Retires ops that have already completed, without waiting. */
static void reap_done(struct btr_aio *a)
{
	while (a->n && rados_aio_is_complete(a->s[a->head].c))
		reap_one(a);
}

int btr_aio_submit(struct btr_aio *a, rados_ioctx_t io, const char *oid, rados_write_op_t op,
		   uint64_t bytes, const char *what, int flags)
{
	reap_done(a);
	while (a->n && (a->n == a->cap || a->bytes + bytes > a->max_bytes))
		reap_one(a);
	if (a->failed) {
		rados_release_write_op(op);
		return -1;
	}
	struct slot *s = &a->s[(a->head + a->n) % a->cap];
	int r = rados_aio_create_completion2(NULL, NULL, &s->c);
	if (r < 0) {
		rados_release_write_op(op);
		return btr_fail(BTR_EXIT_SYS, "cannot create an aio completion: %s", strerror(-r));
	}
	/* FULL_TRY: on a full cluster the op fails at once with ENOSPC (removals still
	 * succeed) instead of waiting, unbounded, for space that may never come. */
	r = rados_aio_write_op_operate(op, io, s->c, oid, NULL, LIBRADOS_OPERATION_FULL_TRY);
	if (r < 0) {
		rados_aio_release(s->c);
		rados_release_write_op(op);
		return btr_fail(BTR_EXIT_SYS, "cannot write %s: %s", what, btr_rados_strerror(r));
	}
	s->op = op;
	s->bytes = bytes;
	s->flags = flags;
	snprintf(s->what, sizeof s->what, "%s", what);
	a->bytes += bytes;
	a->n++;
	return 0;
}

int btr_aio_drain(struct btr_aio *a)
{
	while (a->n)
		reap_one(a);
	return a->failed ? -1 : 0;
}

uint64_t btr_aio_objects_done(const struct btr_aio *a)
{
	return a->done_objects;
}

uint64_t btr_aio_take_done_bytes(struct btr_aio *a)
{
	reap_done(a);
	uint64_t b = a->done_bytes;
	a->done_bytes = 0;
	return b;
}

void btr_aio_free(struct btr_aio *a)
{
	if (!a)
		return;
	a->failed = 1; /* the caller has decided: failures now are not news */
	while (a->n)
		reap_one(a);
	free(a->s);
	free(a);
}
