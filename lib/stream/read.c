/* Reading a record stream, trusting nothing: every length is bounded, every record
 * must come in its place, object data offsets must be contiguous and add up to the
 * object's size, and the object and segment digests and trailer counts must match
 * what was actually read.  Errors name the byte offset of the offending frame. */
#include "stream.h"
#include "budget.h"
#include "err.h"
#include "size.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RBUF (4u << 20)

static size_t default_budget = BTR_DECODE_BUDGET;

struct btr_reader {
	int fd;
	const char *what;
	uint8_t *buf;
	size_t cap, start, end;
	uint64_t base;          /* input offset of buf[0] */
	int eof;
	int trust_objects;      /* btr_reader_trust_object_digests */
	uint64_t segments;      /* complete segments */
	int in_segment, header_seen, in_object, omap_started;
	ProtobufCMessage *msg;  /* unpacked message handed out last */
	Btr__ObjectBegin *begin;/* current object's begin (owned) */
	uint64_t obj_data;
	uint32_t format;        /* the segment's format version: its digests */
	struct btr_objhash oh;
	struct btr_hash seg;
	Btr__Trailer seen;
	struct btr_budget mem;      /* every unpacked message (and the held begin) lives here */
};

struct btr_reader *btr_reader_new(int fd, const char *what)
{
	struct btr_reader *r = calloc(1, sizeof *r);
	if (!r || !(r->buf = malloc(RBUF))) {
		free(r);
		btr_fail(BTR_EXIT_SYS, "out of memory");
		return NULL;
	}
	r->cap = RBUF;
	btr_budget_init(&r->mem, default_budget);
	r->fd = fd;
	r->what = what;
	return r;
}

static void drop_msg(struct btr_reader *r)
{
	if (r->msg)
		protobuf_c_message_free_unpacked(r->msg, &r->mem.a);
	r->msg = NULL;
}

void btr_reader_free(struct btr_reader *r)
{
	if (!r)
		return;
	drop_msg(r);
	if (r->begin)
		btr__object_begin__free_unpacked(r->begin, &r->mem.a);
	free(r->buf);
	free(r);
}

void btr_reader_default_budget(size_t bytes)
{
	default_budget = bytes;
}

size_t btr_reader_decode_peak(const struct btr_reader *r)
{
	return r->mem.peak;
}

uint64_t btr_reader_offset(const struct btr_reader *r)
{
	return r->base + r->start;
}

void btr_reader_trust_object_digests(struct btr_reader *r, int trust)
{
	r->trust_objects = trust;
}

int btr_reader_in_segment(const struct btr_reader *r)
{
	return r->in_segment;
}

static int bad(struct btr_reader *r, uint64_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(struct btr_reader *r, uint64_t off, const char *fmt, ...)
{
	char m[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	return btr_fail(BTR_EXIT_DATA, "%s: byte %llu: %s", r->what, (unsigned long long)off, m);
}

/* Makes n bytes available at buf+start.  Returns 1, 0 on EOF before n bytes
 * (fewer may be available), -1 on I/O failure.  The buffer grows only as bytes
 * arrive, so a frame header's claimed length alone costs no memory. */
static int fill(struct btr_reader *r, size_t n)
{
	while (r->end - r->start < n) {
		if (r->eof)
			return 0;
		if (r->start + n > r->cap && r->start > 0) {
			size_t have = r->end - r->start;
			memmove(r->buf, r->buf + r->start, have);
			r->base += r->start;
			r->start = 0;
			r->end = have;
		}
		if (r->end == r->cap) { /* full, and n > cap: the frame is bigger */
			size_t cap = r->cap * 2 < n ? r->cap * 2 : n;
			uint8_t *nb = realloc(r->buf, cap);
			if (!nb)
				return btr_fail(BTR_EXIT_SYS, "out of memory");
			r->buf = nb;
			r->cap = cap;
		}
		ssize_t k = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return btr_fail_errno(BTR_EXIT_SYS, "read %s", r->what);
		}
		if (k == 0)
			r->eof = 1;
		r->end += (size_t)k;
	}
	return 1;
}

/* Shrinks a buffer that grew for one huge frame back to its normal size.  One that
 * grew for data chunks (at most BTR_MAX_CHUNK) stays: it will be needed again at
 * once, and reallocating it for every chunk costs two copies of the chunk. */
static void shrink(struct btr_reader *r)
{
	size_t have = r->end - r->start;
	if (r->cap <= 2 * (size_t)BTR_MAX_CHUNK || have > RBUF)
		return;
	uint8_t *nb = malloc(RBUF);
	if (!nb)
		return;
	memcpy(nb, r->buf + r->start, have);
	free(r->buf);
	r->buf = nb;
	r->cap = RBUF;
	r->base += r->start;
	r->start = 0;
	r->end = have;
}

static int read_varint(const uint8_t **p, const uint8_t *e, uint64_t *v)
{
	uint64_t x = 0;
	for (int s = 0; s < 64 && *p < e; s += 7) {
		uint8_t b = *(*p)++;
		x |= (uint64_t)(b & 0x7f) << s;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* ObjectData is parsed in place, without copying the chunk. */
static int parse_data(const uint8_t *p, size_t n, uint64_t *off, const uint8_t **data, size_t *len)
{
	const uint8_t *e = p + n;
	int have_data = 0;
	*off = 0;
	while (p < e) {
		uint64_t key, v;
		if (read_varint(&p, e, &key) < 0)
			return -1;
		switch (key & 7) {
		case 0:
			if (read_varint(&p, e, &v) < 0)
				return -1;
			if (key >> 3 == 1)
				*off = v;
			break;
		case 1:
			if (e - p < 8)
				return -1;
			p += 8;
			break;
		case 5:
			if (e - p < 4)
				return -1;
			p += 4;
			break;
		case 2:
			if (read_varint(&p, e, &v) < 0 || v > (uint64_t)(e - p))
				return -1;
			if (key >> 3 == 2) {
				*data = p;
				*len = (size_t)v;
				have_data = 1;
			}
			p += v;
			break;
		default:
			return -1;
		}
		if (key >> 3 == 0)
			return -1;
	}
	if (!have_data) {
		*data = p;
		*len = 0;
	}
	return 0;
}

static const ProtobufCMessageDescriptor *descriptor(int type)
{
	switch (type) {
	case BTR_HEADER: return &btr__header__descriptor;
	case BTR_TRAILER: return &btr__trailer__descriptor;
	case BTR_OBJECT_BEGIN: return &btr__object_begin__descriptor;
	case BTR_OBJECT_OMAP: return &btr__object_omap__descriptor;
	case BTR_OBJECT_END: return &btr__object_end__descriptor;
	case BTR_KV: return &btr__key_value__descriptor;
	case BTR_DELETE: return &btr__delete__descriptor;
	case BTR_INDEX: return &btr__index_entry__descriptor;
	}
	return NULL;
}

#define CHECK_COUNT(field, label)                                                              \
	if (t->field != r->seen.field)                                                        \
		return bad(r, off, "trailer says %llu " label ", the segment has %llu",           \
			   (unsigned long long)t->field, (unsigned long long)r->seen.field)

static int check_trailer(struct btr_reader *r, uint64_t off, const Btr__Trailer *t)
{
	uint8_t d[BTR_DIGEST_LEN];
	size_t dl;
	CHECK_COUNT(records, "records");
	CHECK_COUNT(objects, "objects");
	CHECK_COUNT(data_bytes, "data bytes");
	CHECK_COUNT(omap_entries, "omap entries");
	CHECK_COUNT(xattrs, "xattrs");
	CHECK_COUNT(kvs, "key-values");
	CHECK_COUNT(deletions, "deletions");
	CHECK_COUNT(index_entries, "index entries");
	dl = btr_hash_final(&r->seg, d);
	if (t->digest.len != dl || sodium_memcmp(d, t->digest.data, dl) != 0)
		return bad(r, off, "segment digest mismatch: the segment was altered");
	return 0;
}

static void object_name(const Btr__ObjectBegin *b, char *out, size_t len)
{
	struct btr_record rec = {.type = BTR_OBJECT_BEGIN, .u.begin = (Btr__ObjectBegin *)b};
	struct btr_ident id;
	btr_ident_of(&id, &rec);
	btr_ident_format(&id, out, len);
}

/* A new segment: its magic.  Returns 1 when one starts, 0 at a clean end of input
 * (after at least one segment), -1 on error. */
static int start_segment(struct btr_reader *r)
{
	int f = fill(r, BTR_STREAM_MAGIC_LEN);
	if (f < 0)
		return -1;
	uint64_t off = btr_reader_offset(r);
	size_t have = r->end - r->start;
	if (f == 0 && have == 0) {
		if (r->segments == 0)
			return bad(r, off, "empty input: no stream segment (did the producer fail?)");
		return 0;
	}
	const uint8_t *p = r->buf + r->start;
	if (have >= 7 && memcmp(p, "BTRSEAL", 7) == 0)
		return bad(r, off, "this is a sealed stream: unseal it first (btr-unseal)");
	if (f == 0 || memcmp(p, BTR_STREAM_MAGIC, BTR_STREAM_MAGIC_LEN) != 0) {
		/* p[7] only when it was read: 7 bytes are a magic cut short. */
		if (have >= BTR_STREAM_MAGIC_LEN && memcmp(p, BTR_STREAM_MAGIC, 7) == 0)
			return bad(r, off, "unsupported stream format version %u", p[7]);
		if (f == 0 && memcmp(p, BTR_STREAM_MAGIC, have) == 0)
			return bad(r, off, "stream truncated: the input ends inside the stream magic");
		return bad(r, off, r->segments ? "data after the end of the stream (not a segment)"
					       : "not a btr record stream (bad magic)");
	}
	r->start += BTR_STREAM_MAGIC_LEN;
	/* the segment digest starts at the header, which says which one it is */
	btr__trailer__init(&r->seen);
	r->in_segment = 1;
	r->header_seen = 0;
	r->in_object = 0;
	return 1;
}

/* The next frame, whole in the buffer: its type, payload and length. */
static int read_frame(struct btr_reader *r, uint64_t off, int *type, const uint8_t **frame, uint32_t *len)
{
	int f = fill(r, BTR_FRAME_HEADER);
	if (f < 0)
		return -1;
	if (f == 0)
		return bad(r, off, "stream truncated: the input ends inside a segment (no trailer)");
	const uint8_t *h = r->buf + r->start;
	*len = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
	*type = h[4];
	if (*len > BTR_MAX_PAYLOAD)
		return bad(r, off, "frame length %u exceeds the limit of %u bytes", *len, BTR_MAX_PAYLOAD);
	if (*type < BTR_HEADER || *type > BTR_INDEX)
		return bad(r, off, "unknown record type %d", *type);
	f = fill(r, BTR_FRAME_HEADER + (size_t)*len);
	if (f < 0)
		return -1;
	if (f == 0)
		return bad(r, off, "stream truncated: a %s record of %u bytes is cut short", btr_rtype_name(*type), *len);
	*frame = r->buf + r->start;
	r->start += BTR_FRAME_HEADER + (size_t)*len;
	return 0;
}

/* Where a record may stand. */
static int check_place(struct btr_reader *r, uint64_t off, int type)
{
	int in_obj = type == BTR_OBJECT_DATA || type == BTR_OBJECT_OMAP || type == BTR_OBJECT_END;
	if (type == BTR_HEADER) {
		if (r->header_seen)
			return bad(r, off, "a header record inside a segment");
		r->header_seen = 1;
	} else if (!r->header_seen) {
		return bad(r, off, "segment does not start with a header record (found %s)", btr_rtype_name(type));
	} else if (r->in_object && !in_obj) {
		return bad(r, off, "%s record inside an object (object end missing)", btr_rtype_name(type));
	} else if (!r->in_object && in_obj) {
		return bad(r, off, "%s record outside an object", btr_rtype_name(type));
	}
	return 0;
}

/* An object's data chunk, handed out in place. */
static int take_data(struct btr_reader *r, uint64_t off, const uint8_t *payload, uint32_t len, struct btr_record *rec)
{
	char nm[512];
	object_name(r->begin, nm, sizeof nm);
	if (parse_data(payload, len, &rec->data_offset, &rec->data, &rec->data_len) < 0)
		return bad(r, off, "malformed object data record for %s", nm);
	if (r->omap_started)
		return bad(r, off, "object data after omap for %s", nm);
	if (rec->data_len == 0)
		return bad(r, off, "empty data chunk for %s", nm);
	if (rec->data_offset != r->obj_data)
		return bad(r, off, "data chunk at offset %llu for %s, expected offset %llu (chunks missing or reordered)",
			   (unsigned long long)rec->data_offset, nm, (unsigned long long)r->obj_data);
	if (rec->data_len > r->begin->size - r->obj_data)
		return bad(r, off, "object %s has more data than its size of %llu bytes", nm,
			   (unsigned long long)r->begin->size);
	r->obj_data += rec->data_len;
	r->seen.data_bytes += rec->data_len;
	if (!r->trust_objects)
		btr_objhash_data(&r->oh, rec->data, rec->data_len);
	rec->object = r->begin;
	return 1;
}

/* Any other record: decoded within the reader's memory budget. */
static int unpack(struct btr_reader *r, uint64_t off, int type, const uint8_t *payload, uint32_t len,
		  struct btr_record *rec)
{
	r->mem.refused = r->mem.nomem = 0;
	ProtobufCMessage *m = protobuf_c_message_unpack(descriptor(type), &r->mem.a, len, payload);
	if (!m && r->mem.nomem)
		return btr_fail(BTR_EXIT_SYS, "%s: byte %llu: out of memory decoding a %s record", r->what,
				(unsigned long long)off, btr_rtype_name(type));
	if (!m && r->mem.refused) {
		char lim[32];
		btr_fmt_size(r->mem.limit, lim, sizeof lim);
		return bad(r, off, "%s record of %u bytes needs more than %s to decode (the reader's memory budget)",
			   btr_rtype_name(type), len, lim);
	}
	if (!m)
		return bad(r, off, "malformed %s record (%u bytes)", btr_rtype_name(type), len);
	r->msg = m;
	rec->u.header = (Btr__Header *)m; /* every union member is a message pointer */
	return 0;
}

static int on_header(struct btr_reader *r, uint64_t off, const uint8_t *frame, uint32_t len, const Btr__Header *h)
{
	r->format = h->format_version;
	if (r->format < BTR_FORMAT_OLDEST || r->format > BTR_FORMAT_VERSION)
		return bad(r, off, "unsupported stream format version %u", r->format);
	btr_hash_init(&r->seg, r->format);
	btr_hash_update(&r->seg, BTR_STREAM_MAGIC, BTR_STREAM_MAGIC_LEN);
	btr_hash_update(&r->seg, frame, BTR_FRAME_HEADER + (size_t)len);
	return 0;
}

static int on_begin(struct btr_reader *r, uint64_t off, Btr__ObjectBegin *b)
{
	/* The reader keeps the begin for the object's lifetime; hand out the same pointer. */
	r->begin = b;
	r->msg = NULL;
	r->in_object = 1;
	r->omap_started = 0;
	r->obj_data = 0;
	r->seen.objects++;
	r->seen.xattrs += b->n_xattrs;
	if (!r->trust_objects)
		btr_objhash_begin(&r->oh, r->format, b);
	if (b->size > (UINT64_C(1) << 50))
		return bad(r, off, "object size %llu is implausible", (unsigned long long)b->size);
	return 0;
}

static int on_omap(struct btr_reader *r, uint64_t off, const Btr__ObjectOmap *o)
{
	char nm[512];
	object_name(r->begin, nm, sizeof nm);
	if (o->n_entries == 0)
		return bad(r, off, "empty omap record for %s", nm);
	if (r->obj_data != r->begin->size)
		return bad(r, off, "omap record for %s before all of its data", nm);
	r->omap_started = 1;
	for (size_t i = 0; i < o->n_entries && !r->trust_objects; i++)
		btr_objhash_omap(&r->oh, o->entries[i]);
	r->seen.omap_entries += o->n_entries;
	return 0;
}

static int on_end(struct btr_reader *r, uint64_t off, const Btr__ObjectEnd *e)
{
	char nm[512];
	uint8_t d[BTR_DIGEST_LEN];
	size_t dl = btr_digest_len(r->format);
	object_name(r->begin, nm, sizeof nm);
	if (r->obj_data != r->begin->size)
		return bad(r, off, "object %s ends after %llu of its %llu bytes", nm,
			   (unsigned long long)r->obj_data, (unsigned long long)r->begin->size);
	if (e->digest.len != dl)
		return bad(r, off, "object end for %s without a %zu-byte digest", nm, dl);
	if (!r->trust_objects)
		btr_objhash_final(&r->oh, d);
	if (!r->trust_objects && sodium_memcmp(d, e->digest.data, dl) != 0)
		return bad(r, off, "object digest mismatch for %s: its data or metadata was altered", nm);
	r->in_object = 0;
	return 0;
}

/* What a decoded record does to the reader's state. */
static int on_record(struct btr_reader *r, uint64_t off, int type, const uint8_t *frame, uint32_t len,
		     struct btr_record *rec)
{
	switch (type) {
	case BTR_HEADER: return on_header(r, off, frame, len, rec->u.header);
	case BTR_TRAILER:
		if (check_trailer(r, off, rec->u.trailer) < 0)
			return -1;
		r->in_segment = 0;
		r->segments++;
		return 0;
	case BTR_OBJECT_BEGIN: return on_begin(r, off, rec->u.begin);
	case BTR_OBJECT_OMAP: return on_omap(r, off, rec->u.omap);
	case BTR_OBJECT_END: return on_end(r, off, rec->u.end);
	case BTR_KV: r->seen.kvs++; return 0;
	case BTR_DELETE: r->seen.deletions++; return 0;
	case BTR_INDEX: r->seen.index_entries++; return 0;
	}
	return 0;
}

int btr_reader_next(struct btr_reader *r, struct btr_record *rec)
{
	drop_msg(r);
	if (!r->in_object && r->begin) {
		btr__object_begin__free_unpacked(r->begin, &r->mem.a);
		r->begin = NULL;
	}
	shrink(r);
	memset(rec, 0, sizeof *rec);
	if (!r->in_segment) {
		int s = start_segment(r);
		if (s <= 0)
			return s;
	}

	uint64_t off = btr_reader_offset(r);
	const uint8_t *frame = NULL;
	uint32_t len = 0;
	int type = 0;
	if (read_frame(r, off, &type, &frame, &len) < 0 || check_place(r, off, type) < 0)
		return -1;
	rec->type = type;
	rec->offset = off;
	rec->segment = r->segments;
	if (type != BTR_TRAILER && type != BTR_OBJECT_DATA && type != BTR_HEADER)
		btr_hash_update(&r->seg, frame, BTR_FRAME_HEADER + (size_t)len);
	if (type != BTR_HEADER && type != BTR_TRAILER)
		r->seen.records++;

	const uint8_t *payload = frame + BTR_FRAME_HEADER;
	if (type == BTR_OBJECT_DATA)
		return take_data(r, off, payload, len, rec);
	if (unpack(r, off, type, payload, len, rec) < 0 || on_record(r, off, type, frame, len, rec) < 0)
		return -1;
	if (type == BTR_OBJECT_OMAP || type == BTR_OBJECT_END || type == BTR_OBJECT_BEGIN)
		rec->object = r->begin;
	return 1;
}
