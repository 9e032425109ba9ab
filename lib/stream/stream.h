/* The record stream (man/btr-stream.5): writing and reading, with every check.
 *
 * A stream is segments; a segment is MAGIC, a Header frame, records, a Trailer frame.
 * A frame is u32le payload length, u8 record type, payload (protobuf, proto/btr.proto).
 * The writer computes every digest and count itself; the reader checks framing,
 * order, offsets, sizes, digests and counts, and hands out a record only once what
 * it claims has been checked (an OBJECT_END only when the object digest matched, a
 * TRAILER only when the segment digest and every count matched). */
#ifndef BTR_STREAM_AREA_H
#define BTR_STREAM_AREA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "btr.pb-c.h"

#define BTR_STREAM_MAGIC "BTRSTRM\x01"
#define BTR_STREAM_MAGIC_LEN 8
#define BTR_FRAME_HEADER 5
#define BTR_MAX_PAYLOAD (32u << 20)     /* largest frame payload a reader accepts */
#define BTR_MAX_CHUNK (8u << 20)        /* largest data chunk a writer emits */
#define BTR_DEFAULT_CHUNK (1u << 20)
#define BTR_DIGEST_LEN 32               /* room for the longest digest (format 1's) */
#define BTR_FORMAT_VERSION 2            /* what writers write; readers also take 1 */
#define BTR_FORMAT_OLDEST 1

enum btr_rtype {
	BTR_HEADER = BTR__RECORD_TYPE__RECORD_HEADER,
	BTR_TRAILER = BTR__RECORD_TYPE__RECORD_TRAILER,
	BTR_OBJECT_BEGIN = BTR__RECORD_TYPE__RECORD_OBJECT_BEGIN,
	BTR_OBJECT_DATA = BTR__RECORD_TYPE__RECORD_OBJECT_DATA,
	BTR_OBJECT_OMAP = BTR__RECORD_TYPE__RECORD_OBJECT_OMAP,
	BTR_OBJECT_END = BTR__RECORD_TYPE__RECORD_OBJECT_END,
	BTR_KV = BTR__RECORD_TYPE__RECORD_KV,
	BTR_DELETE = BTR__RECORD_TYPE__RECORD_DELETE,
	BTR_INDEX = BTR__RECORD_TYPE__RECORD_INDEX,
};
const char *btr_rtype_name(int type);

/* ---- writing (write.c) ---- */

struct btr_writer;
/* `what` names the output in messages ("stdout").  The fd is not closed by free. */
struct btr_writer *btr_writer_new(int fd, const char *what);
void btr_writer_free(struct btr_writer *w);
/* Data chunk size for btr_writer_object_data (default 1 MiB, at most BTR_MAX_CHUNK). */
void btr_writer_set_chunk(struct btr_writer *w, size_t chunk);
/* Every write to fd first takes its byte count from r (--limit-rate); NULL: none. */
struct btr_rate;
void btr_writer_set_rate(struct btr_writer *w, struct btr_rate *r);

/* Starts a segment: magic + header.  format_version and created are filled in when 0;
 * a header of format 1 (passed on by a filter) makes a format-1 segment, whose
 * object digests the caller hands over as they were read. */
int btr_writer_header(struct btr_writer *w, Btr__Header *h);
int btr_writer_object_begin(struct btr_writer *w, const Btr__ObjectBegin *b);
/* Appends object data (split into chunks as needed); offsets are tracked here. */
int btr_writer_object_data(struct btr_writer *w, const void *p, size_t n);
/* Appends omap entries (split into batches that fit a frame). */
int btr_writer_object_omap(struct btr_writer *w, Btr__OmapEntry *const *e, size_t n);
/* Ends the object: checks data bytes == size, writes the digest; digest_out may be NULL
 * (it gets btr_digest_len(format) bytes). */
int btr_writer_object_end(struct btr_writer *w, uint8_t digest_out[BTR_DIGEST_LEN]);
int btr_writer_kv(struct btr_writer *w, const Btr__KeyValue *kv);
int btr_writer_delete(struct btr_writer *w, const Btr__Delete *d);
int btr_writer_index(struct btr_writer *w, const Btr__IndexEntry *e);
/* Ends the segment with counts and digest; digest_out may be NULL. */
int btr_writer_trailer(struct btr_writer *w, uint8_t digest_out[BTR_DIGEST_LEN]);
/* Writes out what is buffered. */
int btr_writer_flush(struct btr_writer *w);
/* Bytes written so far (including buffered). */
uint64_t btr_writer_offset(const struct btr_writer *w);

struct btr_record;
/* Re-emits a record read by btr_reader_next (for filters).  Data chunks are copied
 * without re-hashing and OBJECT_END keeps the reader-verified digest (the object
 * digest does not cover the pool, so renaming a pool keeps it valid); HEADER starts
 * a new segment, TRAILER is recomputed.  Messages may be modified before the call. */
int btr_writer_record(struct btr_writer *w, const struct btr_record *r);

/* ---- reading (read.c) ---- */

struct btr_record {
	int type;                       /* enum btr_rtype */
	uint64_t offset;                /* byte offset of the frame in the input */
	uint64_t segment;               /* 0-based segment number */
	union {
		Btr__Header *header;
		Btr__Trailer *trailer;
		Btr__ObjectBegin *begin;
		Btr__ObjectOmap *omap;
		Btr__ObjectEnd *end;
		Btr__KeyValue *kv;
		Btr__Delete *del;
		Btr__IndexEntry *index;
	} u;
	/* OBJECT_DATA is not unpacked: these point into the reader's buffer. */
	uint64_t data_offset;
	const uint8_t *data;
	size_t data_len;
	/* The current object's Begin while inside an object (DATA, OMAP, END), else NULL. */
	const Btr__ObjectBegin *object;
};

/* Decoding memory: every message a reader unpacks (and the object begin it holds
 * while inside an object) comes out of this budget, whatever the content decodes to;
 * a record that needs more is refused as damaged data (exit 1, naming its offset).
 * A legal frame of 32 MiB of real bytes fits; 32 MiB of empty repeated entries
 * (a million allocations) does not.  Besides this the reader holds its input buffer
 * (4 MiB, or twice the largest frame). */
#define BTR_DECODE_BUDGET (64u << 20)

struct btr_reader;
struct btr_reader *btr_reader_new(int fd, const char *what);
/* The budget of readers created after the call (tests and fuzz targets use a small one). */
void btr_reader_default_budget(size_t bytes);
/* The most decoding memory the reader has held at once, in budget bytes. */
size_t btr_reader_decode_peak(const struct btr_reader *r);
void btr_reader_free(struct btr_reader *r);
/* 1: *rec holds the next record, valid until the next call.
 * 0: clean end of input, after at least one complete segment.
 * -1: failure recorded with btr_fail (exit class 1 for damaged data, 3 for I/O);
 *     the message names the byte offset.  Empty input is a failure (no segment). */
int btr_reader_next(struct btr_reader *r, struct btr_record *rec);
/* trust = 1: do not hash objects, so OBJECT_END digests are not checked (everything
 * else still is: framing, order, offsets, sizes, counts, the segment digest, which
 * covers each OBJECT_END's digest).  Only for a filter whose output carries those
 * digests on unchanged, so that the next reader checks them: data bytes are then
 * neither hashed here nor ever trusted downstream. */
void btr_reader_trust_object_digests(struct btr_reader *r, int trust);
/* Bytes consumed so far. */
uint64_t btr_reader_offset(const struct btr_reader *r);
/* 1 while inside a segment (a header seen, its trailer not yet). */
int btr_reader_in_segment(const struct btr_reader *r);

/* ---- digests (objdigest.c; shared by reader and writer; see man/btr-stream.5) ---- */
/* Format 2: XXH3-128 (16 bytes), fast enough that hashing costs next to nothing beside
 * the I/O; format 1: BLAKE2b-256 (32 bytes), still read.  Either finds damage in
 * transit and at rest; neither stops forgery: authenticity is btr-seal's job. */

#include <sodium.h>
#include "xxh128.h"
struct btr_hash {
	union {
		crypto_generichash_state b2;
		struct btr_xxh128 xxh;
	} u;
	uint32_t format;
	uint8_t len;
};
/* The digest length of a stream format: 32 (1), 16 (2), 0 for a format not known. */
size_t btr_digest_len(uint32_t format);
/* Starts the digest of format 1 or 2 (any other value is a caller's bug: it gets 2). */
void btr_hash_init(struct btr_hash *h, uint32_t format);
/* BLAKE2b of len bytes (16 to 32), keyed when key is not NULL (for in-memory tables
 * that hostile input must not steer). */
void btr_hash_init_keyed(struct btr_hash *h, const uint8_t *key, size_t keylen, size_t len);
void btr_hash_update(struct btr_hash *h, const void *p, size_t n);
/* Writes h->len bytes to out and returns that length. */
size_t btr_hash_final(struct btr_hash *h, uint8_t out[BTR_DIGEST_LEN]);
/* The digests' building blocks: u64(x) as 8 little-endian bytes, and lp(b) = u64(len) b. */
void btr_hash_u64(struct btr_hash *h, uint64_t v);
void btr_hash_lp(struct btr_hash *h, const void *p, size_t n);

struct btr_objhash {
	struct btr_hash st;
	uint64_t data_bytes, omap_entries;
};
void btr_objhash_begin(struct btr_objhash *h, uint32_t format, const Btr__ObjectBegin *b);
void btr_objhash_data(struct btr_objhash *h, const void *p, size_t n);
void btr_objhash_omap(struct btr_objhash *h, const Btr__OmapEntry *e);
/* Returns the digest's length. */
size_t btr_objhash_final(struct btr_objhash *h, uint8_t out[BTR_DIGEST_LEN]);

/* ---- object identity (ident.c) ---- */

/* What names an object: pool, namespace, name and locator key.  The bytes are not
 * copied (they point into a record, a listing or C strings) and need no NUL. */
struct btr_bytes {
	const char *p;
	size_t n;
};
struct btr_ident {
	const char *pool;               /* NUL-terminated, "" when none */
	struct btr_bytes ns, name, loc;
};
/* From an OBJECT_BEGIN, DELETE or INDEX record, or the object a DATA, OMAP or END
 * record belongs to; -1 for other records. */
int btr_ident_of(struct btr_ident *id, const struct btr_record *rec);
/* From C strings (NULL as ""). */
struct btr_ident btr_ident_str(const char *pool, const char *ns, const char *name, const char *loc);
/* "pool/namespace/name" ("pool/name" in the default namespace), escaped, for messages. */
char *btr_ident_format(const struct btr_ident *id, char *out, size_t outlen);
/* BLAKE2b of the four fields, each length-prefixed so no two identities run together
 * alike; keyed (key may be NULL) where hostile input could pick collisions. */
#define BTR_IDENT_HASH_LEN 16
void btr_ident_hash(const struct btr_ident *id, const uint8_t *key, size_t keylen, uint8_t out[BTR_IDENT_HASH_LEN]);
int btr_ident_equal(const struct btr_ident *a, const struct btr_ident *b);

/* Printable, reversible form of arbitrary bytes for listings and messages:
 * printable ASCII except backslash as is, everything else as \xHH (and \\).
 * Writes at most outlen-1 chars plus NUL; returns out.  Truncates with "..." when short. */
char *btr_escape(const void *p, size_t n, char *out, size_t outlen);
/* One byte in that form; returns the length written to out (1, 2 or 4, no NUL). */
size_t btr_escape_byte(uint8_t c, char out[5]);
/* Reverse of btr_escape (also accepts \n \t \0 \\).  Returns the length, or -1 on a
 * malformed escape; out must have room for strlen(s) bytes. */
ssize_t btr_unescape(const char *s, uint8_t *out);
/* One escape: s points just after the backslash.  Stores the byte and returns how
 * many characters it took, or -1 when s does not start a known escape. */
int btr_unescape_one(const char *s, uint8_t *out);

/* ---- the report of btr-inspect (inspect.c) ---- */
/* What btr-inspect reports: totals per stream, per pool and per namespace, the
 * listing line of each entry, and the summary in text or JSON. */
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct btr_inspect_pool {
	char *name;
	uint64_t objects, bytes, deletions;
	char **ns;      /* distinct namespaces, escaped, at most BTR_INSPECT_MAX_NS */
	size_t n_ns;
	int ns_more;    /* more namespaces than listed */
};

struct btr_inspect {
	uint64_t segments, objects, bytes, omap_entries, xattrs, kvs, kv_bytes, leased;
	uint64_t deletions, index_entries;
	struct btr_inspect_pool *pools;
	size_t n_pools;
	int pools_more;
	int64_t etcd_revision;
	char producer[64];
	unsigned sample_pct;    /* btr_inspect_sample_start: 1-100; 0: every object digest */
	int trusting;           /* the current object's digest is not checked */
	uint64_t digests_checked;
};

void btr_inspect_init(struct btr_inspect *s);
void btr_inspect_free(struct btr_inspect *s);
/* Accounts one record (already verified by the reader). */
int btr_inspect_add(struct btr_inspect *s, const struct btr_record *rec);
/* One listing line per entry (object at its end, key, deletion, index entry):
 *   KIND POOL NAMESPACE NAME SIZE [key=value ...]
 * fields never truncated, escaped with btr_escape (so no field holds white space),
 * an empty field as "-" (a literal "-" as \x2d); objects, deletions and index
 * entries with a locator key carry locator=ESCAPED.
 * json: one JSON object per line instead.  Does nothing for other records. */
void btr_inspect_list(FILE *f, const struct btr_record *rec, int json);
void btr_inspect_report(FILE *f, const struct btr_inspect *s);
void btr_inspect_report_json(FILE *f, const struct btr_inspect *s);
/* A sampled check: the object digests of a random pct percent of the objects only
 * (each object drawn on its own).  Everything else is still checked: framing, order,
 * sizes, counts and every segment digest, which covers every byte of every frame, the
 * unchecked objects' data included; what is saved is the second hash over their
 * data and metadata.  Start before the first record, step after each. */
void btr_inspect_sample_start(struct btr_inspect *s, struct btr_reader *r, unsigned pct);
void btr_inspect_sample_step(struct btr_inspect *s, struct btr_reader *r, const struct btr_record *rec);
/* Escaped field as used in listings, into a buffer (truncated with "..." when short). */
char *btr_list_field(const void *p, size_t n, char *out, size_t outlen);
/* The same, written whole to f. */
void btr_list_field_write(FILE *f, const void *p, size_t n);
/* Reverse of a listing field ("-" is empty).  out needs strlen(s) bytes.
 * Returns the length or -1 on a malformed escape. */
ssize_t btr_list_field_parse(const char *s, uint8_t *out);

#endif
