/* A bounded window of asynchronous librados write ops.  The caller builds ops on one
 * thread and submits them here; at most `max_ops` ops and `max_bytes` payload bytes
 * are in flight, so memory stays bounded whatever the data size (librados copies the
 * payload into the op, and keeps it until the op completes).  Ops on one object are
 * ordered by RADOS (one client, one object), so an object's chunks can be in flight
 * together.  The first failure stops the window: later submits and the drain
 * report it (exit class 3, naming the object). */
#ifndef BTR_CEPH_AIO_H
#define BTR_CEPH_AIO_H

#include <rados/librados.h>
#include <stddef.h>
#include <stdint.h>

struct btr_aio;

struct btr_aio *btr_aio_new(size_t max_ops, uint64_t max_bytes);
/* Waits for everything in flight, then frees. */
void btr_aio_free(struct btr_aio *a);

enum {
	BTR_AIO_ENOENT_OK = 1,  /* a missing object is success (removals) */
	BTR_AIO_LAST = 2,       /* the op completes an object: count it when it succeeds */
};
/* Submits op (ownership passes here) on io for object oid (as the ioctx's current
 * namespace and locator say; librados copies them at submission).  `bytes` counts
 * against the window; `what` names the object in a failure message.  Waits for room
 * first.  0, or -1 with btr_fail when this or an earlier op failed. */
int btr_aio_submit(struct btr_aio *a, rados_ioctx_t io, const char *oid, rados_write_op_t op,
		   uint64_t bytes, const char *what, int flags);
/* Waits for every op in flight.  0, or -1 with btr_fail on the first failure. */
int btr_aio_drain(struct btr_aio *a);
/* Objects completed (ops submitted with BTR_AIO_LAST that succeeded). */
uint64_t btr_aio_objects_done(const struct btr_aio *a);
/* Bytes of completed ops since the last call (for progress). */
uint64_t btr_aio_take_done_bytes(struct btr_aio *a);

#endif
