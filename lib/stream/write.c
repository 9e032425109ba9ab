/* Writing a record stream.  Small frames are packed into one buffer; a data chunk
 * goes out with writev straight from the caller's memory (its protobuf wrapping is a
 * few bytes we encode by hand), so object data is copied once, by the kernel. */
#include "stream.h"
#include "err.h"
#include "io.h"
#include "rate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define WBUF (1u << 20)

struct btr_writer {
	int fd;
	const char *what;
	uint8_t *buf;
	size_t len;
	uint64_t offset;
	size_t chunk;
	struct btr_rate *rate;
	int in_segment, in_object, object_trusted, omap_started;
	const Btr__ObjectBegin *begin; /* borrowed only during object_begin */
	uint64_t obj_size, obj_written;
	uint32_t format;               /* the segment's: which digests */
	struct btr_objhash oh;
	struct btr_hash seg;
	Btr__Trailer counts;
};

struct btr_writer *btr_writer_new(int fd, const char *what)
{
	struct btr_writer *w = calloc(1, sizeof *w);
	if (!w || !(w->buf = malloc(WBUF))) {
		free(w);
		btr_fail(BTR_EXIT_SYS, "out of memory");
		return NULL;
	}
	w->fd = fd;
	w->what = what;
	w->chunk = BTR_DEFAULT_CHUNK;
	return w;
}

void btr_writer_free(struct btr_writer *w)
{
	if (!w)
		return;
	free(w->buf);
	free(w);
}

void btr_writer_set_chunk(struct btr_writer *w, size_t chunk)
{
	if (chunk == 0)
		chunk = BTR_DEFAULT_CHUNK;
	w->chunk = chunk > BTR_MAX_CHUNK ? BTR_MAX_CHUNK : chunk;
}

void btr_writer_set_rate(struct btr_writer *w, struct btr_rate *r)
{
	w->rate = r;
}

uint64_t btr_writer_offset(const struct btr_writer *w)
{
	return w->offset;
}

static int writev_all(struct btr_writer *w, struct iovec *iov, int n);

int btr_writer_flush(struct btr_writer *w)
{
	struct iovec iov = {w->buf, w->len};
	if (w->rate && w->len && writev_all(w, &iov, 1) < 0)
		return -1;
	if (!w->rate && w->len && btr_write_or_fail(w->fd, w->buf, w->len, w->what) < 0)
		return -1;
	w->len = 0;
	return 0;
}

/* Limited, the writes are sliced this small, so that no one-second window of the
 * output holds more than a slice over the limit. */
#define RATE_SLICE (256u << 10)

/* n <= 3 */
static int writev_all(struct btr_writer *w, struct iovec *iov, int n)
{
	while (n > 0) {
		struct iovec part[3];
		int k = 0;
		size_t room = w->rate ? RATE_SLICE : (size_t)-1, len = 0;
		for (; k < n && room; k++) {
			size_t l = iov[k].iov_len < room ? iov[k].iov_len : room;
			part[k] = (struct iovec){iov[k].iov_base, l};
			room -= l;
			len += l;
		}
		btr_rate_take(w->rate, len);
		ssize_t r = writev(w->fd, part, k);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE)
				return btr_fail(BTR_EXIT_SYS, "write %s: the reader went away (broken pipe)", w->what);
			return btr_fail_errno(BTR_EXIT_SYS, "write %s", w->what);
		}
		while (n > 0 && (size_t)r >= iov->iov_len) {
			r -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return 0;
}

static void frame_header(uint8_t h[BTR_FRAME_HEADER], size_t len, int type)
{
	h[0] = (uint8_t)len;
	h[1] = (uint8_t)(len >> 8);
	h[2] = (uint8_t)(len >> 16);
	h[3] = (uint8_t)(len >> 24);
	h[4] = (uint8_t)type;
}

/* Packs one message as a frame into the buffer; hashes it into the segment digest
 * unless it is the trailer. */
static int put_msg(struct btr_writer *w, int type, const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	if (n > BTR_MAX_PAYLOAD)
		return btr_fail(BTR_EXIT_DATA, "%s record of %zu bytes exceeds the %u-byte frame limit",
				btr_rtype_name(type), n, BTR_MAX_PAYLOAD);
	if (w->len + BTR_FRAME_HEADER + n > WBUF && btr_writer_flush(w) < 0)
		return -1;
	uint8_t *f;
	uint8_t *big = NULL;
	if (BTR_FRAME_HEADER + n > WBUF) {
		if (!(big = malloc(BTR_FRAME_HEADER + n)))
			return btr_fail(BTR_EXIT_SYS, "out of memory");
		f = big;
	} else {
		f = w->buf + w->len;
	}
	frame_header(f, n, type);
	protobuf_c_message_pack(m, f + BTR_FRAME_HEADER);
	if (type != BTR_TRAILER) {
		btr_hash_update(&w->seg, f, BTR_FRAME_HEADER + n);
		w->counts.records++;
	}
	w->offset += BTR_FRAME_HEADER + n;
	if (big) {
		int rc = btr_write_or_fail(w->fd, big, BTR_FRAME_HEADER + n, w->what);
		free(big);
		return rc;
	}
	w->len += BTR_FRAME_HEADER + n;
	return 0;
}

static int need(struct btr_writer *w, int seg, int obj, const char *what)
{
	if (w->in_segment != seg || w->in_object != obj)
		return btr_fail(BTR_EXIT_SYS, "internal: %s written %s", what,
				!w->in_segment ? "outside a segment" : w->in_object ? "inside an object" : "outside an object");
	return 0;
}

int btr_writer_header(struct btr_writer *w, Btr__Header *h)
{
	if (w->in_segment)
		return btr_fail(BTR_EXIT_SYS, "internal: header written inside a segment");
	if (!h->format_version)
		h->format_version = BTR_FORMAT_VERSION;
	if (!btr_digest_len(h->format_version))
		return btr_fail(BTR_EXIT_DATA, "cannot write stream format version %u", h->format_version);
	w->format = h->format_version;
	if (!h->created)
		h->created = (uint64_t)time(NULL);
	if (w->len + BTR_STREAM_MAGIC_LEN > WBUF && btr_writer_flush(w) < 0)
		return -1;
	memcpy(w->buf + w->len, BTR_STREAM_MAGIC, BTR_STREAM_MAGIC_LEN);
	w->len += BTR_STREAM_MAGIC_LEN;
	w->offset += BTR_STREAM_MAGIC_LEN;
	btr_hash_init(&w->seg, w->format);
	btr_hash_update(&w->seg, BTR_STREAM_MAGIC, BTR_STREAM_MAGIC_LEN);
	btr__trailer__init(&w->counts);
	w->in_segment = 1;
	int rc = put_msg(w, BTR_HEADER, &h->base);
	w->counts.records = 0; /* the header itself is not counted */
	return rc;
}

static int begin_object(struct btr_writer *w, const Btr__ObjectBegin *b, int trusted)
{
	if (need(w, 1, 0, "object begin") < 0)
		return -1;
	if (put_msg(w, BTR_OBJECT_BEGIN, &b->base) < 0)
		return -1;
	w->in_object = 1;
	w->object_trusted = trusted;
	w->omap_started = 0;
	w->obj_size = b->size;
	w->obj_written = 0;
	if (!trusted)
		btr_objhash_begin(&w->oh, w->format, b);
	w->counts.objects++;
	w->counts.xattrs += b->n_xattrs;
	return 0;
}

int btr_writer_object_begin(struct btr_writer *w, const Btr__ObjectBegin *b)
{
	return begin_object(w, b, 0);
}

static size_t varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* One data frame: ObjectData{offset=1 (varint), data=2 (bytes)} encoded by hand. */
static int put_data(struct btr_writer *w, const void *p, size_t n)
{
	uint8_t h[BTR_FRAME_HEADER + 24];
	size_t k = BTR_FRAME_HEADER;
	if (w->obj_written) { /* proto3 omits a zero offset */
		h[k++] = 0x08;
		k += varint(h + k, w->obj_written);
	}
	h[k++] = 0x12;
	k += varint(h + k, n);
	size_t payload = k - BTR_FRAME_HEADER + n;
	frame_header(h, payload, BTR_OBJECT_DATA);
	if (w->len + k + n <= WBUF && n < 65536) {
		memcpy(w->buf + w->len, h, k);
		memcpy(w->buf + w->len + k, p, n);
		w->len += k + n;
	} else {
		struct iovec iov[3] = {{w->buf, w->len}, {h, k}, {(void *)p, n}};
		if (writev_all(w, iov, 3) < 0)
			return -1;
		w->len = 0;
	}
	w->offset += k + n;
	w->counts.records++;
	w->counts.data_bytes += n;
	w->obj_written += n;
	return 0;
}

int btr_writer_object_data(struct btr_writer *w, const void *p, size_t n)
{
	if (need(w, 1, 1, "object data") < 0)
		return -1;
	if (w->omap_started)
		return btr_fail(BTR_EXIT_SYS, "internal: object data written after omap");
	if (w->obj_written + n > w->obj_size)
		return btr_fail(BTR_EXIT_DATA, "object grew while being read (more than its %llu bytes)",
				(unsigned long long)w->obj_size);
	const uint8_t *s = p;
	while (n > 0) {
		size_t c = n < w->chunk ? n : w->chunk;
		if (!w->object_trusted)
			btr_objhash_data(&w->oh, s, c);
		if (put_data(w, s, c) < 0)
			return -1;
		s += c;
		n -= c;
	}
	return 0;
}

int btr_writer_object_omap(struct btr_writer *w, Btr__OmapEntry *const *e, size_t n)
{
	if (need(w, 1, 1, "omap") < 0)
		return -1;
	w->omap_started = 1;
	/* Batches of at most ~1 MiB payload (one big entry goes alone). */
	size_t i = 0;
	while (i < n) {
		size_t j = i, bytes = 0;
		while (j < n && (j == i || bytes + e[j]->key.len + e[j]->value.len + 16 <= (1u << 20))) {
			bytes += e[j]->key.len + e[j]->value.len + 16;
			j++;
		}
		Btr__ObjectOmap m = BTR__OBJECT_OMAP__INIT;
		m.n_entries = j - i;
		m.entries = (Btr__OmapEntry **)(e + i);
		if (put_msg(w, BTR_OBJECT_OMAP, &m.base) < 0)
			return -1;
		for (size_t k = i; k < j; k++)
			if (!w->object_trusted)
				btr_objhash_omap(&w->oh, e[k]);
		w->counts.omap_entries += j - i;
		i = j;
	}
	return 0;
}

/* given: a digest read (or computed) elsewhere, of given_len bytes. */
static int end_object(struct btr_writer *w, const uint8_t *given, size_t given_len, uint8_t *out)
{
	size_t dl = btr_digest_len(w->format);
	if (need(w, 1, 1, "object end") < 0)
		return -1;
	if (w->obj_written != w->obj_size)
		return btr_fail(BTR_EXIT_DATA, "object has %llu bytes of data, its size says %llu (changed while read?)",
				(unsigned long long)w->obj_written, (unsigned long long)w->obj_size);
	uint8_t d[BTR_DIGEST_LEN];
	if (given && given_len != dl)
		return btr_fail(BTR_EXIT_DATA, "an object digest of %zu bytes in a format-%u segment (wants %zu)",
				given_len, w->format, dl);
	if (given)
		memcpy(d, given, dl);
	else if (w->object_trusted)
		return btr_fail(BTR_EXIT_SYS, "internal: passed-through object ended without its digest");
	else
		btr_objhash_final(&w->oh, d);
	Btr__ObjectEnd m = BTR__OBJECT_END__INIT;
	m.digest.data = d;
	m.digest.len = dl;
	if (put_msg(w, BTR_OBJECT_END, &m.base) < 0)
		return -1;
	w->in_object = 0;
	if (out)
		memcpy(out, d, dl);
	return 0;
}

int btr_writer_object_end(struct btr_writer *w, uint8_t digest_out[BTR_DIGEST_LEN])
{
	return end_object(w, NULL, 0, digest_out);
}

int btr_writer_kv(struct btr_writer *w, const Btr__KeyValue *kv)
{
	if (need(w, 1, 0, "key-value") < 0 || put_msg(w, BTR_KV, &kv->base) < 0)
		return -1;
	w->counts.kvs++;
	return 0;
}

int btr_writer_delete(struct btr_writer *w, const Btr__Delete *d)
{
	if (need(w, 1, 0, "deletion") < 0 || put_msg(w, BTR_DELETE, &d->base) < 0)
		return -1;
	w->counts.deletions++;
	return 0;
}

int btr_writer_index(struct btr_writer *w, const Btr__IndexEntry *e)
{
	if (need(w, 1, 0, "index entry") < 0 || put_msg(w, BTR_INDEX, &e->base) < 0)
		return -1;
	w->counts.index_entries++;
	return 0;
}

int btr_writer_trailer(struct btr_writer *w, uint8_t digest_out[BTR_DIGEST_LEN])
{
	if (need(w, 1, 0, "trailer") < 0)
		return -1;
	uint8_t d[BTR_DIGEST_LEN];
	size_t dl = btr_hash_final(&w->seg, d);
	w->counts.digest.data = d;
	w->counts.digest.len = dl;
	if (put_msg(w, BTR_TRAILER, &w->counts.base) < 0)
		return -1;
	w->in_segment = 0;
	if (digest_out)
		memcpy(digest_out, d, dl);
	return 0;
}

int btr_writer_record(struct btr_writer *w, const struct btr_record *r)
{
	switch (r->type) {
	case BTR_HEADER:
		return btr_writer_header(w, r->u.header);
	case BTR_TRAILER:
		return btr_writer_trailer(w, NULL);
	case BTR_OBJECT_BEGIN:
		return begin_object(w, r->u.begin, 1);
	case BTR_OBJECT_DATA:
		if (need(w, 1, 1, "object data") < 0)
			return -1;
		if (!w->object_trusted)
			btr_objhash_data(&w->oh, r->data, r->data_len);
		return put_data(w, r->data, r->data_len);
	case BTR_OBJECT_OMAP:
		return btr_writer_object_omap(w, r->u.omap->entries, r->u.omap->n_entries);
	case BTR_OBJECT_END:
		if (r->u.end->digest.len != btr_digest_len(w->format))
			return btr_fail(BTR_EXIT_DATA, "object end without a %zu-byte digest", btr_digest_len(w->format));
		return end_object(w, w->object_trusted ? r->u.end->digest.data : NULL, r->u.end->digest.len, NULL);
	case BTR_KV:
		return btr_writer_kv(w, r->u.kv);
	case BTR_DELETE:
		return btr_writer_delete(w, r->u.del);
	case BTR_INDEX:
		return btr_writer_index(w, r->u.index);
	}
	return btr_fail(BTR_EXIT_SYS, "internal: unknown record type %d", r->type);
}

const char *btr_rtype_name(int type)
{
	switch (type) {
	case BTR_HEADER: return "header";
	case BTR_TRAILER: return "trailer";
	case BTR_OBJECT_BEGIN: return "object begin";
	case BTR_OBJECT_DATA: return "object data";
	case BTR_OBJECT_OMAP: return "omap";
	case BTR_OBJECT_END: return "object end";
	case BTR_KV: return "key-value";
	case BTR_DELETE: return "deletion";
	case BTR_INDEX: return "index";
	}
	return "unknown";
}
