/* Record stream: round trips, and every kind of damaged input is refused with the
 * byte offset named and without a crash. */
#include "err.h"
#include "stream/stream.h"
#include "t.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint8_t *out;
static size_t out_len;
static uint32_t format; /* of the segments build() writes; 0: the writer's default */

/* Writes a stream into memory through a pipe-less temp file. */
static void build(int segments, int big)
{
	FILE *f = tmpfile();
	struct btr_writer *w = btr_writer_new(fileno(f), "tmp");
	btr_writer_set_chunk(w, 4096);
	for (int s = 0; s < segments; s++) {
		Btr__Header h = BTR__HEADER__INIT;
		char *pools[] = {"btrdbhot", "btrdbcold"};
		h.producer = "unit";
		h.format_version = format;
		h.n_pools = 2;
		h.pools = pools;
		btr_writer_header(w, &h);
		for (int o = 0; o < 3; o++) {
			Btr__ObjectBegin b = BTR__OBJECT_BEGIN__INIT;
			Btr__Xattr x = BTR__XATTR__INIT, *xs[] = {&x};
			uint8_t name[] = {'o', 'b', 'j', 0, (uint8_t)('0' + o)};
			size_t size = o == 0 ? 0 : o == 1 ? 10000 : (big ? 3u << 20 : 5000);
			uint8_t *data = malloc(size + 1);
			for (size_t i = 0; i < size; i++)
				data[i] = (uint8_t)(i * 7 + o);
			b.pool = pools[o % 2];
			b.name.data = name;
			b.name.len = sizeof name;
			x.name.data = (uint8_t *)"version";
			x.name.len = 7;
			x.value.data = (uint8_t *)"\0\0\0\0\0\0\0\1";
			x.value.len = 8;
			b.xattrs = xs;
			b.n_xattrs = 1;
			b.size = size;
			btr_writer_object_begin(w, &b);
			btr_writer_object_data(w, data, size);
			if (o == 2) {
				Btr__OmapEntry e[50], *ep[50];
				char keys[50][8];
				for (int i = 0; i < 50; i++) {
					btr__omap_entry__init(&e[i]);
					snprintf(keys[i], sizeof keys[i], "k%02d", i);
					e[i].key.data = (uint8_t *)keys[i];
					e[i].key.len = strlen(keys[i]);
					ep[i] = &e[i];
				}
				btr_writer_object_omap(w, ep, 50);
			}
			btr_writer_object_end(w, NULL);
			free(data);
		}
		Btr__KeyValue kv = BTR__KEY_VALUE__INIT;
		kv.key.data = (uint8_t *)"btrdb/u/\0\1";
		kv.key.len = 10;
		kv.value.data = (uint8_t *)"v";
		kv.value.len = 1;
		kv.lease = s;
		btr_writer_kv(w, &kv);
		Btr__Delete d = BTR__DELETE__INIT;
		d.pool = "btrdbhot";
		d.name.data = (uint8_t *)"gone";
		d.name.len = 4;
		btr_writer_delete(w, &d);
		btr_writer_trailer(w, NULL);
	}
	btr_writer_flush(w);
	btr_writer_free(w);
	out_len = (size_t)ftell(f);
	free(out);
	out = malloc(out_len + 1);
	rewind(f);
	if (fread(out, 1, out_len, f) != out_len)
		abort();
	fclose(f);
}

struct tally {
	int rc;
	uint64_t objects, bytes, omap, kvs, dels, segments, xattrs;
	size_t peak;    /* the most decoding memory the reader held at once */
	char err[512];
};

/* Reads buf through the reader; returns what it saw and how it ended. */
static struct tally readback(const uint8_t *buf, size_t len)
{
	struct tally t = {0};
	FILE *f = tmpfile();
	if (len && fwrite(buf, 1, len, f) != len)
		abort();
	fflush(f);
	lseek(fileno(f), 0, SEEK_SET);
	struct btr_reader *r = btr_reader_new(fileno(f), "input");
	struct btr_record rec;
	while ((t.rc = btr_reader_next(r, &rec)) == 1) {
		switch (rec.type) {
		case BTR_OBJECT_BEGIN: t.objects++; t.xattrs += rec.u.begin->n_xattrs; break;
		case BTR_OBJECT_DATA: t.bytes += rec.data_len; break;
		case BTR_OBJECT_OMAP: t.omap += rec.u.omap->n_entries; break;
		case BTR_KV: t.kvs++; break;
		case BTR_DELETE: t.dels++; break;
		case BTR_TRAILER: t.segments++; break;
		}
	}
	if (t.rc < 0)
		snprintf(t.err, sizeof t.err, "%s", btr_errmsg());
	t.peak = btr_reader_decode_peak(r);
	btr_reader_free(r);
	fclose(f);
	return t;
}

/* A legal stream with records near the frame limit: an object begin holding a 30 MiB
 * xattr (kept while its 1 MiB omap entry is read) and a 30 MiB key-value. */
static void build_large(void)
{
	FILE *f = tmpfile();
	struct btr_writer *w = btr_writer_new(fileno(f), "tmp");
	size_t big = 30u << 20;
	uint8_t *v = calloc(1, big);
	Btr__Header h = BTR__HEADER__INIT;
	h.producer = "unit";
	btr_writer_header(w, &h);
	Btr__ObjectBegin b = BTR__OBJECT_BEGIN__INIT;
	Btr__Xattr x = BTR__XATTR__INIT, *xs[] = {&x};
	b.pool = "p";
	b.name.data = (uint8_t *)"o";
	b.name.len = 1;
	x.name.data = (uint8_t *)"big";
	x.name.len = 3;
	x.value.data = v;
	x.value.len = big;
	b.xattrs = xs;
	b.n_xattrs = 1;
	btr_writer_object_begin(w, &b);
	Btr__OmapEntry e = BTR__OMAP_ENTRY__INIT, *ep[] = {&e};
	e.key.data = v;
	e.key.len = 1u << 20;
	btr_writer_object_omap(w, ep, 1);
	btr_writer_object_end(w, NULL);
	Btr__KeyValue kv = BTR__KEY_VALUE__INIT;
	kv.key.data = (uint8_t *)"k";
	kv.key.len = 1;
	kv.value.data = v;
	kv.value.len = big;
	btr_writer_kv(w, &kv);
	btr_writer_trailer(w, NULL);
	btr_writer_flush(w);
	btr_writer_free(w);
	free(v);
	out_len = (size_t)ftell(f);
	free(out);
	out = malloc(out_len);
	rewind(f);
	if (fread(out, 1, out_len, f) != out_len)
		abort();
	fclose(f);
}

static int mentions_offset(const char *e)
{
	return strstr(e, "byte ") != NULL;
}

int main(void)
{
	/* Under valgrind (tests/memcheck) every 7th byte: each readback costs ~100x there,
	 * and memory errors do not depend on which byte of a record is hit. */
	const size_t step = getenv("BTR_UNIT_STRIDE") ? strtoul(getenv("BTR_UNIT_STRIDE"), NULL, 10) | 1 : 1;
	build(1, 0);
	struct tally t = readback(out, out_len);
	T_CHECK("round trip reads to a clean end", t.rc == 0);
	T_CHECK("round trip counts objects", t.objects == 3);
	T_CHECK("round trip counts bytes", t.bytes == 15000);
	T_CHECK("round trip counts omap", t.omap == 50);
	T_CHECK("round trip counts kv and deletion", t.kvs == 1 && t.dels == 1);
	T_CHECK("round trip counts xattrs", t.xattrs == 3);

	build(1, 1);
	t = readback(out, out_len);
	T_CHECK("multi-chunk object round trip", t.rc == 0 && t.bytes == 10000 + (3u << 20));

	/* Concatenated segments are one stream. */
	build(1, 0);
	uint8_t *two = malloc(2 * out_len);
	memcpy(two, out, out_len);
	memcpy(two + out_len, out, out_len);
	t = readback(two, 2 * out_len);
	T_CHECK("concatenated segments read as one stream", t.rc == 0 && t.segments == 2 && t.objects == 6);
	free(two);

	/* Every single flipped byte is caught, with an offset. */
	int missed = 0, nooff = 0;
	for (size_t i = 0; i < out_len; i += step) {
		out[i] ^= 0x40;
		t = readback(out, out_len);
		if (t.rc != -1)
			missed++;
		else if (!mentions_offset(t.err))
			nooff++;
		out[i] ^= 0x40;
	}
	T_CHECK("every flipped byte is detected", missed == 0);
	T_CHECK("every flip error names a byte offset", nooff == 0);

	/* Every truncation is caught. */
	missed = 0;
	for (size_t n = 0; n < out_len; n += step) {
		t = readback(out, n);
		if (t.rc != -1)
			missed++;
	}
	T_CHECK("every truncation is detected", missed == 0);

	t = readback(out, 0);
	T_CHECK("empty input is an error", t.rc == -1 && strstr(t.err, "empty input"));

	uint8_t *g = malloc(out_len + 3);
	memcpy(g, out, out_len);
	memcpy(g + out_len, "xyz", 3);
	t = readback(g, out_len + 3);
	T_CHECK("trailing garbage is detected", t.rc == -1 && strstr(t.err, "after the end"));
	free(g);

	/* An oversized frame length is refused before allocating it. */
	uint8_t big[] = "BTRSTRM\x01\xff\xff\xff\x7f\x01";
	t = readback(big, 13);
	T_CHECK("oversized frame length refused", t.rc == -1 && strstr(t.err, "exceeds the limit"));

	uint8_t unk[] = "BTRSTRM\x01\x00\x00\x00\x00\x63";
	t = readback(unk, 13);
	T_CHECK("unknown record type refused", t.rc == -1 && strstr(t.err, "unknown record type"));

	uint8_t ver[] = "BTRSTRM\x02";
	t = readback(ver, 8);
	T_CHECK("future format version refused", t.rc == -1 && strstr(t.err, "version 2"));

	/* Formats: 2 by default with 16-byte digests, 1 still read (and written on request,
	 * for filters passing a format-1 segment on), others refused by both sides. */
	build(1, 0);
	{
		size_t p = BTR_STREAM_MAGIC_LEN, ends = 0, bad_len = 0;
		while (p + 5 <= out_len) {
			uint32_t len = out[p] | out[p + 1] << 8 | out[p + 2] << 16 | (uint32_t)out[p + 3] << 24;
			if (out[p + 4] == BTR_OBJECT_END && ++ends && len != 2 + 16)
				bad_len++;
			if (out[p + 4] == BTR_HEADER)
				T_CHECK("the writer's default is format 2", out[p + 6] == 2 && out[p + 5] == 0x08);
			p += 5 + len;
		}
		T_CHECK("format 2 object digests are 16 bytes", ends == 3 && bad_len == 0);
	}
	format = 1;
	build(2, 0);
	format = 0;
	t = readback(out, out_len);
	T_CHECK("a format-1 stream (BLAKE2b) round trips", t.rc == 0 && t.segments == 2 && t.objects == 6);
	missed = 0;
	for (size_t i = 0; i < out_len; i += 7 * step) {
		out[i] ^= 0x01;
		t = readback(out, out_len);
		missed += t.rc != -1;
		out[i] ^= 0x01;
	}
	T_CHECK("a flipped byte in format 1 is detected", missed == 0);
	{
		uint8_t *f1 = out;
		size_t f1_len = out_len;
		out = NULL;
		build(1, 0);
		uint8_t *mix = malloc(f1_len + out_len);
		memcpy(mix, f1, f1_len);
		memcpy(mix + f1_len, out, out_len);
		t = readback(mix, f1_len + out_len);
		T_CHECK("format-1 and format-2 segments concatenate", t.rc == 0 && t.segments == 3);
		/* a format-2 header on a format-1 segment: the digests do not match its format */
		size_t hp = BTR_STREAM_MAGIC_LEN;
		T_CHECK("format-1 header found", f1[hp + 4] == BTR_HEADER && f1[hp + 5] == 0x08 && f1[hp + 6] == 1);
		f1[hp + 6] = 2;
		t = readback(f1, f1_len);
		T_CHECK("a format-1 segment relabelled 2 is refused", t.rc == -1 && strstr(t.err, "16-byte digest"));
		f1[hp + 6] = 3;
		t = readback(f1, f1_len);
		T_CHECK("format 3 is refused", t.rc == -1 && strstr(t.err, "unsupported stream format version 3"));
		free(mix);
		free(f1);
	}
	{
		FILE *f = tmpfile();
		struct btr_writer *w = btr_writer_new(fileno(f), "tmp");
		Btr__Header h = BTR__HEADER__INIT;
		h.format_version = 3;
		T_CHECK("the writer refuses format 3", btr_writer_header(w, &h) == -1 && strstr(btr_errmsg(), "format version 3"));
		btr_writer_free(w);
		fclose(f);
	}

	uint8_t sealed[] = "BTRSEAL\x01xxxxxxxx";
	t = readback(sealed, 16);
	T_CHECK("sealed input recognised", t.rc == -1 && strstr(t.err, "unseal it first"));

	/* A trailer whose counts lie: build with a writer, then re-encode the trailer. */
	build(1, 0);
	{
		/* The trailer is the last frame: find it by walking frames. */
		size_t p = BTR_STREAM_MAGIC_LEN, last = 0;
		while (p + 5 <= out_len) {
			uint32_t len = out[p] | out[p + 1] << 8 | out[p + 2] << 16 | (uint32_t)out[p + 3] << 24;
			last = p;
			p += 5 + len;
		}
		Btr__Trailer *tr = btr__trailer__unpack(NULL, out_len - last - 5, out + last + 5);
		T_CHECK("trailer parses", tr != NULL && out[last + 4] == BTR_TRAILER);
		tr->objects++;
		size_t n = btr__trailer__get_packed_size(tr);
		uint8_t *lie = malloc(last + 5 + n);
		memcpy(lie, out, last);
		lie[last] = (uint8_t)n; lie[last + 1] = lie[last + 2] = lie[last + 3] = 0;
		lie[last + 4] = BTR_TRAILER;
		btr__trailer__pack(tr, lie + last + 5);
		t = readback(lie, last + 5 + n);
		T_CHECK("trailer with a lying count refused", t.rc == -1 && strstr(t.err, "trailer says 4 objects"));
		btr__trailer__free_unpacked(tr, NULL);
		free(lie);
	}

	/* Decoding memory: legal records near the frame limit fit the budget; with a
	 * smaller budget the same records are refused as data, at their offset. */
	build_large();
	t = readback(out, out_len);
	T_CHECK("30 MiB xattr and key-value fit the decoding budget", t.rc == 0 && t.kvs == 1 && t.objects == 1);
	btr_reader_default_budget(16u << 20);
	t = readback(out, out_len);
	T_CHECK("a record over the decoding budget is refused at its offset",
		t.rc == -1 && btr_errcode() == BTR_EXIT_DATA && strstr(t.err, "byte 27: object begin record") &&
		strstr(t.err, "memory budget"));
	btr_reader_default_budget(BTR_DECODE_BUDGET);
	/* 200 segments of small records: what each message takes is given back, so the
	 * peak stays what one record needs. */
	build(200, 0);
	t = readback(out, out_len);
	T_CHECK("decoding memory does not grow with the number of records", t.rc == 0 && t.peak > 0 && t.peak < (16u << 10));

	/* Escaping is reversible for every byte. */
	uint8_t all[256], back[1100];
	char esc[1100];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	btr_escape(all, 256, esc, sizeof esc);
	ssize_t bn = btr_unescape(esc, back);
	T_CHECK("escape round trip of all bytes", bn == 256 && memcmp(all, back, 256) == 0);
	T_CHECK("escape has no spaces or control bytes", strpbrk(esc, " \t\n\r") == NULL);
	T_CHECK("unescape refuses a bad escape", btr_unescape("ab\\q", back) == -1 && btr_unescape("\\x4", back) == -1);
	free(out);
	return t_done();
}
