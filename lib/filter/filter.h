/* btr-filter: which entries of a record stream to keep, and how to rename them.
 *
 * Entries are objects, deletions and index entries (the Ceph kind: pool,
 * namespace, name, locator) and etcd keys (the etcd kind).  Criteria select:
 *   Ceph: pool (exact), namespace (exact), name (globs, regexes, exact bytes);
 *   etcd: key (prefixes, globs, regexes, exact bytes);
 *   both: a listing (btr-inspect -l lines).
 * Several criteria of one kind (two --pool, or a glob and a regex on the name) are
 * alternatives: any may match.  Criteria of different kinds must all hold.  An
 * entry whose kind has no criterion of its own is selected only when no criterion
 * at all was given (so `--pool hot` keeps no keys and `--key-prefix g/` no
 * objects).  --invert keeps what is not selected; --only restricts the kind
 * whatever the rest says.  Everything is decided on the names as read; the
 * renames apply to what is kept. */
#ifndef BTR_FILTER_AREA_H
#define BTR_FILTER_AREA_H
#include <stdint.h>
#include <sys/types.h>

#include "btr.pb-c.h"
#include "stream/stream.h"

enum btr_fcrit {
	BTR_F_POOL,          /* pool, written as btr-inspect -l prints it */
	BTR_F_NAMESPACE,     /* namespace, likewise ("-" is the default namespace) */
	BTR_F_OBJECT_GLOB,   /* object name, the glob syntax below */
	BTR_F_OBJECT_REGEX,  /* object name, POSIX extended regex (unanchored) */
	BTR_F_OBJECT_HEX,    /* object name, exactly these bytes in hex */
	BTR_F_KEY_PREFIX,    /* key prefix, with btr_escape escapes */
	BTR_F_KEY_GLOB,
	BTR_F_KEY_REGEX,
	BTR_F_KEY_HEX,
};

enum btr_fkind { BTR_FK_OBJECT, BTR_FK_DELETE, BTR_FK_INDEX, BTR_FK_KV, BTR_FK_N };

struct btr_filter;
struct btr_filter *btr_filter_new(void);
void btr_filter_free(struct btr_filter *f);
/* Each returns 0, or -1 with btr_fail (exit class 2 for a bad argument). */
int btr_filter_add(struct btr_filter *f, enum btr_fcrit c, const char *arg);
int btr_filter_only(struct btr_filter *f, const char *kind);    /* "ceph" or "etcd" */
void btr_filter_invert(struct btr_filter *f);
int btr_filter_rename_pool(struct btr_filter *f, const char *spec);   /* OLD:NEW */
int btr_filter_rename_prefix(struct btr_filter *f, const char *spec); /* OLD:NEW */
int btr_filter_from_list(struct btr_filter *f, const char *path);

/* Decisions, on the names as read. */
int btr_filter_keep_ceph(struct btr_filter *f, enum btr_fkind kind, const struct btr_ident *id);
int btr_filter_keep_kv(struct btr_filter *f, const ProtobufCBinaryData *key);
/* Whether a pool named in a segment header may still have entries kept (it stays
 * in the header's pool list). */
int btr_filter_keep_pool(struct btr_filter *f, const char *pool);
/* Whether a segment with this header still holds everything its header claims
 * (every entry of each pool it keeps listing; every key under its etcd prefix).
 * When not, btr_filter_run writes its content as "filtered", so that no loader
 * takes an entry left out for one deleted.  *prefix: the etcd prefix the segment
 * now holds whole (narrowed by a single --key-prefix), or the header's own. */
int btr_filter_segment_whole(const struct btr_filter *f, const Btr__Header *h, const char **prefix);
/* The pool's name after --rename-pool (the argument itself when not renamed). */
const char *btr_filter_pool(const struct btr_filter *f, const char *pool);
/* The key after --rename-prefix: returns 1 and its new length with the bytes in
 * *out (a buffer of the filter, valid until the next call), 0 when not renamed,
 * -1 on failure. */
int btr_filter_key(struct btr_filter *f, const uint8_t *key, size_t len, uint8_t **out, size_t *out_len);
/* Entries of --from-list that the stream did not hold (0 without a list). */
uint64_t btr_filter_list_missing(const struct btr_filter *f, uint64_t *listed);

/* ---- --from-list: the identities of listed entries (list.c) ---- */
struct btr_flist;
/* Reads btr-inspect -l lines; NULL with btr_fail naming FILE:LINE (exit 2). */
struct btr_flist *btr_flist_load(const char *path);
void btr_flist_free(struct btr_flist *l);
/* 1 when listed (and notes that it was seen), else 0.  For BTR_FK_KV the key is
 * id->name and the rest does not count. */
int btr_flist_has(struct btr_flist *l, enum btr_fkind kind, const struct btr_ident *id);
/* 1 when some listed Ceph entry is in this pool. */
int btr_flist_has_pool(const struct btr_flist *l, const char *pool);
uint64_t btr_flist_count(const struct btr_flist *l);
uint64_t btr_flist_unseen(const struct btr_flist *l);

/* ---- the stream pass (run.c) ---- */
struct btr_filter_stats {
	uint64_t segments;
	uint64_t seen[BTR_FK_N], kept[BTR_FK_N];
	uint64_t bytes_seen, bytes_kept;
};
/* Reads a stream from in_fd and writes what is kept to out_fd: every segment
 * stays (an emptied one is still a valid segment, so a filter that keeps nothing
 * writes a valid empty stream), its header keeps the source's fields with the
 * pool list renamed and narrowed and " | btr-filter VERSION" added to the
 * producer; data chunks of kept objects go straight through.  When the input is
 * damaged or truncated the output is left inside an open segment (no trailer),
 * so no downstream reader takes it for complete.  progress: BTR_PROGRESS_*.
 * In data mode only the data of the one object kept is written; a second kept
 * object, none at all, or a digest that does not match is a failure (class 1).
 * Returns 0, or -1 with btr_fail (1 damaged input, 3 I/O). */
int btr_filter_run(struct btr_filter *f, int in_fd, int out_fd, int progress, struct btr_filter_stats *st);
/* Write the data of the one object kept, raw, instead of a stream (--data). */
void btr_filter_data_mode(struct btr_filter *f);
int btr_filter_in_data_mode(const struct btr_filter *f);
/* By default object digests are passed on unchecked for the next reader to check
 * (btr_reader_trust_object_digests); --verify, and --data, check them here. */
void btr_filter_verify_objects(struct btr_filter *f);
int btr_filter_trusts_objects(const struct btr_filter *f);

/* ---- name patterns (glob.c) ---- */
/* Shell-style patterns over arbitrary bytes (names and keys may hold NUL).
 *
 * fnmatch(3) semantics with no flags (`*` also matches `/` and a leading dot):
 * `*` any run of bytes, `?` one byte, `[...]` one byte of a set (`!` or `^` first
 * negates, `]` first is literal, ranges `a-z`, classes `[:digit:]` in the C locale).
 * A backslash writes a byte the way btr_escape does: `\xHH`, `\\`, `\n`, `\t`, `\0`;
 * before any other character it makes that character literal (`\*`).  Unlike
 * fnmatch, a pattern that does not parse (an unterminated `[`, `\x` without two
 * hex digits, a trailing backslash) is refused rather than taken literally.
 * Matching is iterative, O(pattern x name) at worst: no exponential backtracking. */
#include <stddef.h>

struct btr_glob;
/* NULL with btr_fail (exit class 2) naming the pattern and the problem. */
struct btr_glob *btr_glob_compile(const char *pattern);
void btr_glob_free(struct btr_glob *g);
/* 1 when the whole name matches, else 0. */
int btr_glob_match(const struct btr_glob *g, const void *name, size_t len);

#endif
