/* ceph-dump's engine: every object of the chosen pools as a record stream, read by
 * parallel workers, incremental against an earlier index, from pool snapshots, by slice.
 *
 * Memory: each of `jobs` workers has a buffer of `buffer` bytes: an object whose data
 * and omap fit is read into it whole (the data straight from librados), then written
 * out; a larger object streams through the buffer's two halves (two reads of `chunk`
 * bytes in flight, or the reader's own chunk buffer when the buffer is too small).
 * So at most jobs x (buffer + 2 x chunk), plus the 1 MiB output buffer and librados'
 * own.  With --since, the base index costs 25 bytes per slot, at most 1/0.7 slots
 * per entry: ~36 bytes per object of the base index. */
#ifndef BTR_CEPH_DUMP_H
#define BTR_CEPH_DUMP_H

#include <rados/librados.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "btr.pb-c.h"

#define BTR_DUMP_DEFAULT_JOBS 4
#define BTR_DUMP_MAX_JOBS 64
#define BTR_DUMP_DEFAULT_BUFFER (8u << 20)
#define BTR_DUMP_DEFAULT_CHUNK (2u << 20)
#define BTR_SNAP_PREFIX "btr-dump-"

struct btr_dump_opts {
	char **pools;            /* the pools to dump, in order (already checked to exist) */
	size_t npools;
	unsigned jobs;
	size_t buffer, chunk;
	unsigned slice_i, slice_n; /* slice_n 0: whole pools */
	int snapshot;
	int progress;            /* BTR_PROGRESS_* */
	int quiet;
	const char *index_path;  /* NULL: no index */
	const char *since_path;  /* NULL: full dump */
	int force;               /* accept a --since index of another cluster or pool set */
	/* called once everything is checked (pools, --since, snapshots), before the first byte */
	void (*ready)(const struct btr_dump_opts *o);
};

struct btr_dump_stats {
	uint64_t objects, skipped, deleted, vanished, bytes;
};

/* Set from a signal handler; workers stop at the next op boundary. */
extern volatile sig_atomic_t btr_dump_stop_signal;

/* Runs the dump to fd 1.  0, or -1 with btr_fail (2: refused --since index; 3: cluster
 * or output failure; 1: an object that kept changing or a name librados cannot read). */
int btr_ceph_dump(rados_t cl, const struct btr_dump_opts *o, struct btr_dump_stats *st);

/* ---- the base index of an incremental dump (ceph_since.c) ---- */
struct btr_since;
/* Reads and verifies the index at path (a file or a fifo: a fifo is copied to a
 * temporary file for the second pass), checks it was made of this cluster and pool set
 * (exit 2 unless force) and builds the lookup table. */
struct btr_since *btr_since_load(const char *path, const char *fsid, char **pools, size_t npools,
				 unsigned slice_i, unsigned slice_n, int force);
void btr_since_free(struct btr_since *s);
/* Trailer digest of the base index (the new header's since_digest). */
const uint8_t *btr_since_digest(const struct btr_since *s);
/* 1 when the object is in the base index with this version, size and mtime (and marks
 * it unchanged and present); 0 otherwise.  Thread-safe for distinct objects. */
int btr_since_check(struct btr_since *s, const char *pool, const char *ns, size_t nslen, const char *name,
		    size_t namelen, const char *loc, size_t loclen, uint64_t version, uint64_t size, int64_t mtime);
/* Marks an object as present (dumped again, so not deleted). */
void btr_since_present(struct btr_since *s, const char *pool, const char *ns, size_t nslen, const char *name,
		       size_t namelen, const char *loc, size_t loclen);
/* Second pass over the base index: entries marked unchanged go to `index` (may be
 * NULL) as they were; entries of the dumped pools not present now go to `del` as
 * deletions.  Counts deletions in *deleted. */
struct btr_writer;
int btr_since_finish(struct btr_since *s, struct btr_writer *out, struct btr_writer *index, uint64_t *deleted);

/* ---- pool snapshots (ceph_snap.c) ---- */
/* A name that says who made it: btr-dump-HOST-PID-UNIXTIME. */
void btr_snap_name(char *out, size_t outlen);
/* Creates the snapshot on the pool; a pool in self-managed snapshot mode (RBD) is a
 * clear error (exit 2). */
int btr_snap_create(rados_ioctx_t io, const char *pool, const char *name, rados_snap_t *id);
int btr_snap_remove(rados_ioctx_t io, const char *pool, const char *name);
/* Removes every snapshot named btr-dump-* on the pool except those of a ceph-dump
 * still running on this host; prints each removal unless quiet.  Counts in *n. */
int btr_snap_cleanup(rados_ioctx_t io, const char *pool, int quiet, unsigned *n);

#endif
