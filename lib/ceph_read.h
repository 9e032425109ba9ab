/* Reading one RADOS object completely and consistently, in bounded memory: used by
 * ceph-dump (to write it out) and by ceph-load --verify (to hash it). */
#ifndef BTR_CEPH_READ_H
#define BTR_CEPH_READ_H

#include <rados/librados.h>
#include <stddef.h>
#include <stdint.h>

#include "btr.pb-c.h"

/* Everything handed to a callback is valid only during that call (it points into
 * librados' or the reader's memory): copy what you keep.  A callback returns 0 to go
 * on, -1 (after btr_fail) to stop the read, which then returns -1.
 *
 * begin RESTARTS the object: when the object changed between two of the reader's
 * ops it is read again from the start, so a callback may see begin, data..., then
 * begin again; everything seen before the latest begin belongs to an older version
 * and must be dropped.  After the last begin: data in order (offsets 0, n1, n1+n2...,
 * each chunk <= the chunk size, the total equal to b->size), then omap pages in key
 * order, then the read returns 0. */
struct btr_obj_cb {
	/* b has pool unset; namespace, name, locator, size, mtime, version, xattrs filled */
	int (*begin)(void *ctx, const Btr__ObjectBegin *b);
	int (*data)(void *ctx, const void *p, size_t n);
	int (*omap)(void *ctx, Btr__OmapEntry *const *e, size_t n);
};

#define BTR_CEPH_READ_CHUNK (4u << 20)  /* default data bytes per read op */
#define BTR_CEPH_OMAP_PAGE 1024         /* omap entries asked for per op (the OSD may cap lower) */
#define BTR_CEPH_READ_ATTEMPTS 5        /* reads of an object that keeps changing */

enum {
	BTR_READ_DONE = 0,
	BTR_READ_VANISHED = 1,  /* the object does not exist (deleted before or while read) */
	BTR_READ_UNSTABLE = 2,  /* it changed on every one of BTR_CEPH_READ_ATTEMPTS reads */
};

/* Reads one object: stat + version + xattrs + first data chunk + first omap page in one
 * read op, then further chunks and omap pages, each op asserting the version the first
 * op saw, so an object that changes while being read is detected by the OSD and read
 * again from the start (a bounded number of times).
 *
 * `io` is the caller's ioctx of the object's pool (with its snapshot read context, if
 * any); its namespace and locator key are set here and left set.  `name` and `nspace`
 * must not contain NUL bytes (the C API cannot name such objects); `locator` may be
 * NULL or "" for none.  chunk 0 means BTR_CEPH_READ_CHUNK.
 *
 * Returns BTR_READ_DONE, BTR_READ_VANISHED (possibly after a begin: drop what was
 * seen), BTR_READ_UNSTABLE (btr_errmsg() says why; drop what was seen), or -1 with
 * btr_fail (exit class 3 for cluster errors such as timeouts and cephx refusals, or
 * whatever a callback recorded). */
int btr_ceph_read_object(rados_ioctx_t io, const char *nspace, const char *name,
			 const char *locator, size_t chunk, const struct btr_obj_cb *cb, void *ctx);

/* The same, reading data straight into memory the caller provides: dest(ctx, off, len)
 * returns where the object's bytes [off, off+len) are to go (it may be asked for offset
 * 0 before begin, and again after a restart), or NULL to use the reader's own buffer;
 * data() is then called with p pointing there.  Saves a copy of every byte, and lets
 * two reads be in flight: dest may be asked for the next range before data() was
 * called for the previous one, so it must not return memory of a range that has not
 * been delivered yet. */
typedef void *(*btr_obj_dest)(void *ctx, uint64_t off, size_t len);
int btr_ceph_read_object_into(rados_ioctx_t io, const char *nspace, const char *name, const char *locator,
			      size_t chunk, const struct btr_obj_cb *cb, btr_obj_dest dest, void *ctx);

/* Object name for messages: "pool/namespace/name" with non-printing bytes escaped. */
char *btr_ceph_objname(const char *pool, const char *nspace, const char *name, char *out, size_t outlen);

#endif
