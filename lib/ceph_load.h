/* ceph-load's work: restoring, clearing and verifying RADOS objects from a record
 * stream (man/ceph-load.1). */
#ifndef BTR_CEPH_LOAD_H
#define BTR_CEPH_LOAD_H

#include <rados/librados.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "btr.pb-c.h"

/* ---- which pools, and where they go (ceph_poolmap.c) ---- */

struct btr_pool_target {
	char *src, *dst;
	rados_ioctx_t io;       /* dst, opened by btr_poolmap_open */
	uint64_t objects;       /* objects of this pool seen in the stream */
};

struct btr_poolmap {
	rados_t cluster;
	int all;                /* --all-pools: every pool, under its own name */
	struct btr_pool_target *t;
	size_t n;
};

/* Adds "SRC" or "SRC:DST" (usage error, exit 2, on a bad or repeated SRC). */
void btr_poolmap_add(struct btr_poolmap *m, const char *arg);
/* Opens every target pool.  A missing one: exit class 2, `pool "X" does not exist
 * (create it first)`.  Nothing is ever created. */
int btr_poolmap_open(struct btr_poolmap *m, rados_t cluster);
/* The target for objects of pool `src`, or NULL when the pool is not selected.  With
 * --all-pools an unknown pool is added and opened (and may fail: *failed = 1). */
struct btr_pool_target *btr_poolmap_find(struct btr_poolmap *m, const char *src, int *failed);
void btr_poolmap_free(struct btr_poolmap *m);

/* ---- the load ---- */

enum btr_load_mode { BTR_LOAD_WRITE, BTR_LOAD_VERIFY, BTR_LOAD_DRY_RUN };

struct btr_load_opts {
	enum btr_load_mode mode;
	int no_delete;
	int progress;           /* BTR_PROGRESS_* */
	uint64_t atomic_max;    /* largest object restored by one write op */
	uint64_t window_bytes;  /* payload bytes in flight */
	size_t window_ops;      /* ops in flight */
	/* Set (to the signal number) by a signal handler: stop after the current record,
	 * settle what is in flight, remove a partially written object. */
	volatile sig_atomic_t *stop;
};
#define BTR_LOAD_DEFAULT_ATOMIC (16u << 20)
#define BTR_LOAD_DEFAULT_WINDOW_BYTES (48u << 20)
#define BTR_LOAD_DEFAULT_WINDOW_OPS 32

struct btr_load_stats {
	uint64_t restored, skipped;     /* objects (skipped: pools not selected) */
	uint64_t bytes;
	uint64_t deleted, deletes_kept, deletes_skipped;
	uint64_t other;                 /* records of other kinds (etcd keys, index entries) */
	uint64_t differ, extra;         /* --verify */
	int full_dump;                  /* every segment a full, unsliced dump */
};

/* Reads the stream on fd and applies it.  0 when everything was applied (or verified
 * identical); -1 with btr_fail otherwise: class 1 for a damaged or truncated stream
 * (what came before was applied) or a verify difference, 2 for a missing pool, 3 for
 * a cluster failure. */
int btr_ceph_load(struct btr_poolmap *m, const struct btr_load_opts *o, int fd, struct btr_load_stats *st);

/* Removes every object of every target pool, all namespaces, locators included.
 * verbose: one line per object on `list` (pool/namespace/name, escaped). */
int btr_ceph_clear(struct btr_poolmap *m, const struct btr_load_opts *o, FILE *list, uint64_t *removed);

/* ---- object writing and verifying, one object at a time (ceph_write.c, ceph_verify.c) ---- */

/* What the loader knows about the current object: NUL-terminated RADOS names. */
struct btr_obj_id {
	struct btr_pool_target *t;
	const char *oid, *nspace, *locator;
	const char *label;      /* pool/namespace/name, escaped, for messages */
};

struct btr_sink {
	int (*begin)(void *s, const struct btr_obj_id *id, const Btr__ObjectBegin *b);
	int (*data)(void *s, const uint8_t *p, size_t n, uint64_t off);
	int (*omap)(void *s, Btr__OmapEntry *const *e, size_t n);
	/* The object's digest has been checked. */
	int (*end)(void *s, const Btr__ObjectBegin *b);
	/* The load failed inside the object (the stream broke when reader_failed):
	 * undo what can be undone; returns a note for the failure message, or "". */
	const char *(*abort)(void *s, int reader_failed);
	int (*del)(void *s, const struct btr_obj_id *id);
	/* End of input: wait for what is in flight. */
	int (*finish)(void *s);
	void (*free)(void *s);
	/* Bytes applied since the last call, for progress. */
	uint64_t (*progress)(void *s);
};

void *btr_writer_sink_new(const struct btr_load_opts *o, struct btr_load_stats *st, struct btr_sink *ops);
void *btr_verify_sink_new(const struct btr_load_opts *o, struct btr_load_stats *st, struct btr_sink *ops);
/* Lists live objects of the target pools that the stream did not hold. */
int btr_verify_extras(void *verify_sink, struct btr_poolmap *m, uint64_t *extra);

#endif
