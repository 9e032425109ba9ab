/* Connecting to a Ceph cluster the way the `rados` CLI does: -c/--conf (or CEPH_CONF),
 * --id or -n/--name, --keyring, plus bounded timeouts so a dead monitor or OSD is an
 * error within the configured time, never a hang. */
#ifndef BTR_CEPH_AREA_H
#define BTR_CEPH_AREA_H

#include <getopt.h>
#include <rados/librados.h>
#include <stddef.h>
#include "err.h"
#include "stream/stream.h"

struct btr_ceph_opts {
	const char *conf;       /* NULL: CEPH_CONF, then the default search path */
	const char *id;         /* "admin" for client.admin */
	const char *name;       /* "client.admin"; wins over id */
	const char *keyring;
	unsigned timeout;       /* seconds for OSD and monitor ops; 0: default */
};

/* getopt_long entries for the options above; short options "c:n:".  Put
 * BTR_CEPH_LONGOPTS into a tool's option table and hand every option to
 * btr_ceph_opt(), which returns 1 when it was one of these. */
enum { BTR_OPT_CEPH_ID = 0x1c00, BTR_OPT_CEPH_KEYRING, BTR_OPT_CEPH_TIMEOUT };
#define BTR_CEPH_LONGOPTS \
	{"conf", required_argument, NULL, 'c'}, {"id", required_argument, NULL, BTR_OPT_CEPH_ID}, \
	{"name", required_argument, NULL, 'n'}, {"keyring", required_argument, NULL, BTR_OPT_CEPH_KEYRING}, \
	{"timeout", required_argument, NULL, BTR_OPT_CEPH_TIMEOUT}
#define BTR_CEPH_SHORTOPTS "c:n:"
#define BTR_CEPH_USAGE \
	"  -c, --conf FILE      ceph.conf (default: $CEPH_CONF, then Ceph's search path)\n" \
	"      --id ID          client id (client.ID; default admin)\n" \
	"  -n, --name NAME      client name (client.admin)\n" \
	"      --keyring FILE   keyring (default: as ceph.conf says)\n" \
	"      --timeout SECS   give up on an unresponsive monitor or OSD after SECS (default 60)\n"
#define BTR_CEPH_DEFAULT_TIMEOUT 60

/* 1 when c was a Ceph connection option (stored in o), 0 otherwise; -1 with btr_fail
 * (exit class 2) for a bad value. */
int btr_ceph_opt(struct btr_ceph_opts *o, int c, const char *arg);

/* Connects.  0, or -1 with btr_fail (exit class 3) naming the cause, e.g. a missing
 * keyring, refused cephx authentication, or no monitor answering in time. */
int btr_ceph_connect(const struct btr_ceph_opts *o, rados_t *out);

/* Shuts down a handle from btr_ceph_connect.  A handle still open when the process
 * exits (a tool dying on an error) is shut down by an exit handler: exiting with
 * librados' threads still running can crash in its static destructors. */
void btr_ceph_shutdown(rados_t c);

/* The cluster fsid as text (37 bytes with the NUL). */
int btr_ceph_fsid(rados_t c, char out[37]);

/* Opens a pool.  A pool that does not exist fails with `code` and the message
 * `pool "NAME" does not exist` + hint (e.g. " (create it first)"). */
int btr_ceph_open_pool(rados_t c, const char *pool, int code, const char *hint, rados_ioctx_t *out);

/* All pool names, sorted; free with btr_ceph_free_pools. */
int btr_ceph_list_pools(rados_t c, char ***names, size_t *n);
void btr_ceph_free_pools(char **names, size_t n);

/* strerror(-err) with a hint for the errors operators meet: cephx caps (EACCES, EPERM),
 * timeouts.  `err` is a negative librados return value. */
const char *btr_rados_strerror(int err);

/* librados' C API copies every write into a fresh buffer of its own (and each read
 * out of one): with glibc's defaults a 16 MiB buffer is mmap'd, page-faulted and zeroed
 * by the kernel every time.  This keeps such buffers on the heap to be reused (measured
 * on 1.6 GiB of 16 MiB objects: ceph-load 1.30 -> 1.03 s of CPU, the same peak RSS: the
 * heap never holds more than was in use at once).  Call once, before connecting. */
void btr_ceph_reuse_buffers(void);

/* ---- reading one object (read.c) ---- */
/* Reading one RADOS object completely and consistently, in bounded memory: used by
 * ceph-dump (to write it out) and by ceph-load --verify (to hash it). */

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
	/* Data reads in flight while dest (below) gives memory: 0 means 2, at most
	 * BTR_CEPH_READ_DEPTH.  A big object is then read as that many extents at once. */
	unsigned depth;
};
#define BTR_CEPH_READ_DEPTH 16

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
 * been delivered yet: with cb->depth reads in flight, the last depth ranges asked for
 * must not overlap.  Data is delivered in offset order whatever order reads end in. */
typedef void *(*btr_obj_dest)(void *ctx, uint64_t off, size_t len);
int btr_ceph_read_object_into(rados_ioctx_t io, const char *nspace, const char *name, const char *locator,
			      size_t chunk, const struct btr_obj_cb *cb, btr_obj_dest dest, void *ctx);

/* btr_ident_format of C strings: "pool/namespace/name", escaped, for messages. */
char *btr_ceph_objname(const char *pool, const char *nspace, const char *name, char *out, size_t outlen);

/* ---- dumping (dump.c) ---- */
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

#include <rados/librados.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "btr.pb-c.h"

#define BTR_DUMP_DEFAULT_JOBS 4
#define BTR_DUMP_MAX_JOBS 64
#define BTR_DUMP_DEFAULT_BUFFER (8u << 20)
#define BTR_DUMP_DEFAULT_CHUNK (1u << 20)
#define BTR_SNAP_PREFIX "btr-dump-"

struct btr_rate;
struct btr_dump_opts {
	char **pools;            /* the pools to dump, in order (already checked to exist) */
	size_t npools;
	unsigned jobs;
	size_t buffer, chunk;
	unsigned slice_i, slice_n; /* slice_n 0: whole pools */
	int snapshot;
	int progress;            /* BTR_PROGRESS_* */
	int quiet;
	btr_say_fn say;          /* failures after the first (snapshots left behind) */
	const char *index_path;  /* NULL: no index */
	const char *since_path;  /* NULL: full dump */
	int force;               /* accept a --since index of another cluster or pool set */
	struct btr_rate *limit_rate; /* bytes written to stdout per second; NULL: no limit */
	struct btr_rate *limit_ops;  /* objects read per second; NULL: no limit */
	/* called once everything is checked (pools, --since, snapshots), before the first byte */
	void (*ready)(const struct btr_dump_opts *o);
};

struct btr_dump_stats {
	uint64_t objects, skipped, deleted, vanished, bytes;
};

/* Runs the dump to fd 1.  0, or -1 with btr_fail (2: refused --since index; 3: cluster
 * or output failure; 1: an object that kept changing or a name librados cannot read). */
int btr_ceph_dump(rados_t cl, const struct btr_dump_opts *o, struct btr_dump_stats *st);

/* ---- the base index of an incremental dump (since.c) ---- */
struct btr_since;
/* Reads and verifies the index at path (a file or a fifo: a fifo is copied to a
 * temporary file for the second pass), checks it was made of this cluster and pool set
 * (exit 2 unless force) and builds the lookup table. */
struct btr_since *btr_since_load(const char *path, const char *fsid, char **pools, size_t npools,
				 unsigned slice_i, unsigned slice_n, int force);
void btr_since_free(struct btr_since *s);
/* Trailer digest of the base index (the new header's since_digest; 32 bytes for a
 * format-1 index, 16 for format 2). */
const ProtobufCBinaryData *btr_since_digest(const struct btr_since *s);
/* 1 when the object is in the base index with this version, size and mtime (and marks
 * it unchanged and present); 0 otherwise.  Thread-safe for distinct objects. */
int btr_since_check(struct btr_since *s, const struct btr_ident *id, uint64_t version, uint64_t size, int64_t mtime);
/* Marks an object as present (dumped again, so not deleted). */
void btr_since_present(struct btr_since *s, const struct btr_ident *id);
/* Second pass over the base index: entries marked unchanged go to `index` (may be
 * NULL) as they were; entries of the dumped pools not present now go to `del` as
 * deletions.  Counts deletions in *deleted. */
struct btr_writer;
int btr_since_finish(struct btr_since *s, struct btr_writer *out, struct btr_writer *index, uint64_t *deleted);

/* ---- pool snapshots (snap.c) ---- */
/* A name that says who made it: btr-dump-HOST-PID-UNIXTIME. */
void btr_snap_name(char *out, size_t outlen);
/* Creates the snapshot on the pool; a pool in self-managed snapshot mode (RBD) is a
 * clear error (exit 2). */
int btr_snap_create(rados_ioctx_t io, const char *pool, const char *name, rados_snap_t *id);
int btr_snap_remove(rados_ioctx_t io, const char *pool, const char *name);
/* Removes every snapshot named btr-dump-* on the pool except those of a ceph-dump
 * still running on this host; says each removal (NULL: quiet).  Counts in *n. */
int btr_snap_cleanup(rados_ioctx_t io, const char *pool, btr_say_fn say, unsigned *n);

/* ---- loading, clearing, verifying (load.c, clear.c) ---- */
/* ceph-load's work: restoring, clearing and verifying RADOS objects from a record
 * stream (man/ceph-load.1). */

#include <rados/librados.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "btr.pb-c.h"

/* ---- which pools, and where they go (poolmap.c) ---- */

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

/* Adds "SRC" or "SRC:DST"; -1 with btr_fail (exit class 2 for a bad or repeated SRC). */
int btr_poolmap_add(struct btr_poolmap *m, const char *arg);
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
	struct btr_rate *limit_rate; /* bytes sent to the cluster per second; NULL: no limit */
	struct btr_rate *limit_ops;  /* write ops per second; NULL: no limit */
	btr_say_fn say;         /* --verify: one line per difference */
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

/* ---- object writing and verifying, one object at a time (write.c, verify.c) ---- */

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
