/* The original BTrDB backup tool's archives, read strictly (man/legacy-dump.1).
 *
 * A backup is a directory: ARCHIVE00000.bin, ARCHIVE00001.bin, ..., METADATA.bin and
 * pools.txt.  Each file is frames: a 32-byte header (sentinel bd db 55 aa, u32be type,
 * u64be ciphertext length, 16-byte nonce), then AES-256-GCM ciphertext with its tag;
 * the plaintext is snappy-compressed MessagePack.  The nonce is 8 bytes fixed per
 * backup and a u64be counter from 1 that runs across the pieces and ends in
 * METADATA.bin, so a dropped, repeated, reordered or foreign frame shows.
 *
 * Nothing here prints or exits: failures are recorded with btr_fail (exit class 1 for
 * damaged or wrong data, 3 for I/O) and name the file and the frame number. */
#ifndef BTR_LEGACY_AREA_H
#define BTR_LEGACY_AREA_H

#include <stddef.h>
#include <stdint.h>

#define BTR_LEGACY_HEADER 32
#define BTR_LEGACY_NONCE 16
#define BTR_LEGACY_TAG 16
#define BTR_LEGACY_KEY 32
#define BTR_LEGACY_MAX_FRAME (1ull << 30)   /* the original reader's limit on a frame */
#define BTR_LEGACY_MAX_PLAIN (1ull << 30)   /* and ours on what one frame decompresses to */

enum btr_legacy_type { BTR_LEGACY_ETCD = 10, BTR_LEGACY_OBJECT = 20, BTR_LEGACY_META = 30 };

/* ---- the key (key.c) ---- */

/* PBKDF2-HMAC-SHA3-512 of the passphrase with the original's fixed salt, 200,000
 * rounds; key receives the first 32 of its 40 bytes.  0, or -1 (btr_fail). */
int btr_legacy_derive_key(const char *pass, size_t len, uint8_t key[BTR_LEGACY_KEY]);

/* ---- frames (frame.c) ---- */

struct btr_legacy_frame {
	uint32_t type;
	uint64_t len;                   /* ciphertext bytes, tag included */
	uint8_t nonce[BTR_LEGACY_NONCE];
	uint64_t counter;               /* the nonce's last 8 bytes */
};

/* Checks a frame header: the sentinel, a length that holds a tag, is at most
 * BTR_LEGACY_MAX_FRAME and fits in the `left` bytes after the header.  `where` names the
 * file and frame in messages ("old/ARCHIVE00000.bin: frame 3"). */
int btr_legacy_frame_parse(const uint8_t h[BTR_LEGACY_HEADER], uint64_t left, struct btr_legacy_frame *f, const char *where);

struct btr_legacy_cipher;
/* The key schedule is set up here; the caller may wipe key afterwards. */
struct btr_legacy_cipher *btr_legacy_cipher_new(const uint8_t key[BTR_LEGACY_KEY]);
void btr_legacy_cipher_free(struct btr_legacy_cipher *c);
/* Authenticates and decrypts f->len bytes of ct in place; *plen is what is left
 * without the tag.  Nothing in ct is meaningful unless this returns 0. */
int btr_legacy_frame_open(struct btr_legacy_cipher *c, const struct btr_legacy_frame *f, uint8_t *ct, size_t *plen,
		      const char *where);
/* ---- the payloads (payload.c) ---- */

/* Snappy's block format into *out (grown as needed, *cap its size), refusing more
 * than BTR_LEGACY_MAX_PLAIN and any malformed input before allocating. */
int btr_legacy_unsnappy(const uint8_t *p, size_t n, uint8_t **out, size_t *cap, size_t *outlen, const char *where);

struct btr_legacy_bytes {
	const uint8_t *p;
	size_t n;
};
struct btr_legacy_pair {
	struct btr_legacy_bytes key, value;
};
struct btr_legacy_object {
	struct btr_legacy_bytes pool, ns, name, content;
	struct btr_legacy_pair *xattrs, *omap;
	size_t n_xattrs, n_omap;
};
struct btr_legacy_stamp {
	struct btr_legacy_bytes pool, ns, oid;
	int64_t mtime_ns;
};
struct btr_legacy_meta {
	uint64_t nfiles;
	struct btr_legacy_stamp *stamps;
	size_t n_stamps;
};

/* Decodes one payload.  What it hands out points into p (which must outlive it) and
 * into the decoder, valid until its next decode.  Unknown map keys are ignored;
 * missing or mistyped fields, trailing bytes, and containers that claim more
 * entries than the bytes left could hold are refused (so memory stays a small
 * multiple of the payload). */
struct btr_legacy_decoder;
struct btr_legacy_decoder *btr_legacy_decoder_new(void);
void btr_legacy_decoder_free(struct btr_legacy_decoder *d);
int btr_legacy_decode_etcd(struct btr_legacy_decoder *d, const uint8_t *p, size_t n, const struct btr_legacy_pair **kvs,
		       size_t *n_kvs, const char *where);
int btr_legacy_decode_object(struct btr_legacy_decoder *d, const uint8_t *p, size_t n, struct btr_legacy_object *o,
			 const char *where);
/* The stamps are copied out (they point into p), so the decoder can be reused. */
int btr_legacy_decode_meta(struct btr_legacy_decoder *d, const uint8_t *p, size_t n, struct btr_legacy_meta *m,
		       const char *where);
void btr_legacy_meta_free(struct btr_legacy_meta *m);

/* ---- a backup directory (archive.c) ---- */

struct btr_legacy_archive;
/* Opens DIR and authenticates METADATA.bin (a wrong passphrase fails here), then
 * checks that exactly NumberOfFiles pieces are there.  Nothing is written yet. */
struct btr_legacy_archive *btr_legacy_open(const char *dir, const uint8_t key[BTR_LEGACY_KEY]);
void btr_legacy_close(struct btr_legacy_archive *a);
/* The pools the backup names: pools.txt's lines, then any other pool of METADATA. */
size_t btr_legacy_pools(const struct btr_legacy_archive *a, const char *const **pools);
/* The newest mtime METADATA.bin records, in seconds (0 without any): the nearest
 * thing to the backup's time that the original kept. */
int64_t btr_legacy_newest(const struct btr_legacy_archive *a);
/* The bytes of all its pieces (for progress). */
uint64_t btr_legacy_size(const struct btr_legacy_archive *a);
/* The object's mtime in seconds from METADATA, or 0 when it is not listed. */
int64_t btr_legacy_mtime(const struct btr_legacy_archive *a, const struct btr_legacy_object *o);

struct btr_legacy_item {
	int type;                                       /* BTR_LEGACY_ETCD or BTR_LEGACY_OBJECT */
	const struct btr_legacy_pair *kvs;                  /* BTR_LEGACY_ETCD */
	size_t n_kvs;
	struct btr_legacy_object obj;                       /* BTR_LEGACY_OBJECT */
	uint64_t frame_bytes;                           /* the frame's size in its piece */
};
/* "PIECE: frame N (counter C)": the frame btr_legacy_next read last, for messages. */
const char *btr_legacy_where(const struct btr_legacy_archive *a);
/* The next frame, authenticated, in order (nonce checked), decoded.
 * 1: *it is valid until the next call; 0: the end, with METADATA.bin's counter
 * right after the last frame; -1: failure naming the piece and the frame. */
int btr_legacy_next(struct btr_legacy_archive *a, struct btr_legacy_item *it);

/* ---- into our record stream (dump.c) ---- */

struct btr_writer;
struct btr_legacy_dump_stats {
	uint64_t objects, kvs, bytes;
	char **pools;                   /* the pools the backups name (btr_legacy_pools) */
	size_t n_pools;
};
void btr_legacy_dump_stats_free(struct btr_legacy_dump_stats *st);
/* Writes the backups of dirs[0..n), in that order (a full backup, then its
 * incrementals), as record stream segments: etcd records and objects each in
 * their own segments, with headers and trailers.  Every METADATA.bin is
 * authenticated before the first byte goes out; a frame that fails midway ends
 * the output without a trailer. */
int btr_legacy_dump(const char *const *dirs, size_t n, const uint8_t key[BTR_LEGACY_KEY], int fd, int progress,
		struct btr_legacy_dump_stats *st);

#endif
