/* mkobjs: writes a record stream from a line-by-line spec on stdin, for ceph-load's
 * tests (exact names, awkward bytes, deletions, huge objects without huge memory).
 *   header [since] [slice=I/N]             starts a segment (implied before the first record)
 *   object POOL NAME [ns=NS] [loc=LOC] [size=N] [seed=N] [data=BYTES] [x=NAME=VALUE]... [omap=N] [mtime=N]
 *   delete POOL NAME [ns=NS] [loc=LOC]
 *   kv KEY VALUE
 *   trailer                                 ends the segment (implied at the end of input)
 *   cut                                     stops right here: no trailer (a truncated stream)
 * Tokens are separated by spaces; \xHH, \\, \n, \t, \0 escapes are allowed in them.
 * Data is pseudo-random from the seed and written in 1 MiB pieces. */
#include "err.h"
#include "tool.h"
#include "size.h"
#include "stream/stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXX 16

/* Every line's buffers, freed when the line is done. */
static void *line_mem[128];
static size_t n_line_mem;

static void free_line(void)
{
	while (n_line_mem)
		free(line_mem[--n_line_mem]);
}

static ProtobufCBinaryData unesc(const char *s)
{
	ProtobufCBinaryData b;
	if (n_line_mem == sizeof line_mem / sizeof *line_mem)
		btr_die(2, "too many fields on one line");
	b.data = line_mem[n_line_mem++] = malloc(strlen(s) + 1);
	ssize_t n = b.data ? btr_unescape(s, b.data) : -1;
	if (n < 0)
		btr_die(2, "bad escape in '%s'", s);
	b.len = (size_t)n;
	return b;
}

static char *cstr(const char *s)
{
	ProtobufCBinaryData b = unesc(s);
	b.data[b.len] = 0;
	return (char *)b.data;
}

int main(void)
{
	struct btr_writer *w = btr_writer_new(STDOUT_FILENO, "stdout");
	char line[8192];
	int in_seg = 0;
	static uint8_t buf[1 << 20];
	btr_init("mkobjs");
	while (fgets(line, sizeof line, stdin)) {
		char *tok[64];
		free_line();
		int n = 0;
		for (char *t = strtok(line, " \t\n"); t && n < 64; t = strtok(NULL, " \t\n"))
			tok[n++] = t;
		if (!n || tok[0][0] == '#')
			continue;
		if (!strcmp(tok[0], "cut")) {
			int r = btr_writer_flush(w);
			btr_writer_free(w);
			free_line();
			return r < 0;
		}
		if (!strcmp(tok[0], "trailer")) {
			if (btr_writer_trailer(w, NULL) < 0)
				btr_die_last();
			in_seg = 0;
			continue;
		}
		if (!in_seg || !strcmp(tok[0], "header")) {
			Btr__Header h = BTR__HEADER__INIT;
			static uint8_t since[32] = {1};
			h.producer = "mkobjs";
			h.content = "ceph";
			if (!strcmp(tok[0], "header"))
				for (int i = 1; i < n; i++) {
					if (!strcmp(tok[i], "since")) {
						h.since_digest.data = since;
						h.since_digest.len = sizeof since;
					} else if (sscanf(tok[i], "slice=%u/%u", &h.slice_index, &h.slice_count) != 2)
						btr_die(2, "bad header option %s", tok[i]);
				}
			if (btr_writer_header(w, &h) < 0)
				btr_die_last();
			in_seg = 1;
			if (!strcmp(tok[0], "header"))
				continue;
		}
		if (!strcmp(tok[0], "kv") && n == 3) {
			Btr__KeyValue kv = BTR__KEY_VALUE__INIT;
			kv.key = unesc(tok[1]);
			kv.value = unesc(tok[2]);
			if (btr_writer_kv(w, &kv) < 0)
				btr_die_last();
			continue;
		}
		if (n < 3 || (strcmp(tok[0], "object") && strcmp(tok[0], "delete")))
			btr_die(2, "bad line starting '%s'", tok[0]);
		Btr__ObjectBegin b = BTR__OBJECT_BEGIN__INIT;
		Btr__Xattr xa[MAXX], *xp[MAXX];
		uint64_t size = 0, seed = 1, omap = 0;
		ProtobufCBinaryData fixed = {0, NULL};
		b.pool = cstr(tok[1]);
		b.name = unesc(tok[2]);
		for (int i = 3; i < n; i++) {
			char *eq = strchr(tok[i], '=');
			if (!eq)
				btr_die(2, "bad option %s", tok[i]);
			*eq++ = 0;
			if (!strcmp(tok[i], "ns"))
				b.namespace_ = unesc(eq);
			else if (!strcmp(tok[i], "loc"))
				b.locator = unesc(eq);
			else if (!strcmp(tok[i], "size")) {
				if (btr_parse_size(eq, &size) < 0)
					btr_die(2, "bad size %s", eq);
			} else if (!strcmp(tok[i], "data"))
				size = (fixed = unesc(eq)).len;
			else if (!strcmp(tok[i], "seed"))
				seed = strtoull(eq, NULL, 10);
			else if (!strcmp(tok[i], "omap"))
				omap = strtoull(eq, NULL, 10);
			else if (!strcmp(tok[i], "mtime"))
				b.mtime = strtoll(eq, NULL, 10);
			else if (!strcmp(tok[i], "x") && b.n_xattrs < MAXX) {
				char *v = strchr(eq, '=');
				if (!v)
					btr_die(2, "x=NAME=VALUE");
				*v++ = 0;
				btr__xattr__init(&xa[b.n_xattrs]);
				xa[b.n_xattrs].name = unesc(eq);
				xa[b.n_xattrs].value = unesc(v);
				xp[b.n_xattrs] = &xa[b.n_xattrs];
				b.n_xattrs++;
			} else
				btr_die(2, "bad option %s", tok[i]);
		}
		if (!strcmp(tok[0], "delete")) {
			Btr__Delete d = BTR__DELETE__INIT;
			d.pool = b.pool;
			d.namespace_ = b.namespace_;
			d.name = b.name;
			d.locator = b.locator;
			if (btr_writer_delete(w, &d) < 0)
				btr_die_last();
			continue;
		}
		b.xattrs = xp;
		b.size = size;
		b.version = seed;
		if (btr_writer_object_begin(w, &b) < 0)
			btr_die_last();
		uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
		if (fixed.data && size && btr_writer_object_data(w, fixed.data, size) < 0)
			btr_die_last();
		for (uint64_t done = fixed.data ? size : 0; done < size;) {
			size_t k = size - done < sizeof buf ? (size_t)(size - done) : sizeof buf;
			for (size_t i = 0; i < k; i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				buf[i] = (uint8_t)x;
			}
			if (btr_writer_object_data(w, buf, k) < 0)
				btr_die_last();
			done += k;
		}
		for (uint64_t i = 0; i < omap;) {
			Btr__OmapEntry e[256], *ep[256];
			char k[256][24], v[256][40];
			size_t m = 0;
			for (; m < 256 && i < omap; m++, i++) {
				btr__omap_entry__init(&e[m]);
				snprintf(k[m], sizeof k[m], "key%08llu", (unsigned long long)i);
				snprintf(v[m], sizeof v[m], "value %llu of seed %llu", (unsigned long long)i, (unsigned long long)seed);
				e[m].key.data = (uint8_t *)k[m];
				e[m].key.len = strlen(k[m]);
				e[m].value.data = (uint8_t *)v[m];
				e[m].value.len = strlen(v[m]);
				ep[m] = &e[m];
			}
			if (btr_writer_object_omap(w, ep, m) < 0)
				btr_die_last();
		}
		if (btr_writer_object_end(w, NULL) < 0)
			btr_die_last();
	}
	free_line();
	if (in_seg && btr_writer_trailer(w, NULL) < 0)
		btr_die_last();
	if (btr_writer_flush(w) < 0)
		btr_die_last();
	btr_writer_free(w);
	return 0;
}
