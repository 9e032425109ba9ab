/* mangle: copies a split, sealed backup (a btr-split directory) with one kind of
 * damage, for the corruption campaign (tests/torture.sh).
 *   mangle SRC DST SEED OTHER PLAIN KEY.pub
 * SEED picks the damage and its place; OTHER is another backup's directory (its
 * sealed header replaces ours); PLAIN is the record stream SRC holds and KEY.pub
 * its recipient: the "inner" kinds damage the record stream before sealing it
 * again, validly (a producer that died or corrupted its output before btr-seal saw
 * it), so that only btr-inspect can tell.  SEED % 10 is the kind of damage; every other round
 * of kinds (SEED / 10 odd), the manifest is rewritten to match
 * the damaged pieces, as an attacker (or a consistent fault) would, so that the
 * damage has to be caught by btr-unseal or btr-inspect rather than by btr-split.
 * Prints one line describing the damage. */
#include "split/split.h"
#include "err.h"
#include "tool.h"
#include "io.h"
#include "seal/seal.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t rng;
static uint64_t rnd(uint64_t n) /* 0 .. n-1 */
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? rng % n : 0;
}

struct buf {
	uint8_t *p;
	size_t n;
};

/* The pieces of a backup, in order. */
struct pieces {
	struct buf *v;
	size_t n;
};

static uint8_t *slurp(const char *path, size_t *n)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		btr_die(BTR_EXIT_SYS, "open %s", path);
	uint8_t *p = malloc((size_t)st.st_size + 1);
	if (!p || btr_read_full(fd, p, (size_t)st.st_size) != st.st_size)
		btr_die(BTR_EXIT_SYS, "read %s", path);
	close(fd);
	*n = (size_t)st.st_size;
	return p;
}

static void load(const char *dir, struct pieces *ps, char **manifest, size_t *mlen)
{
	char path[4096], name[32];
	struct btr_split_manifest m;
	snprintf(path, sizeof path, "%s/MANIFEST", dir);
	*manifest = (char *)slurp(path, mlen);
	if (btr_split_manifest_parse(*manifest, *mlen, &m) < 0)
		btr_die_last();
	ps->n = m.n;
	ps->v = calloc(m.n + 2, sizeof *ps->v);
	for (size_t i = 0; i < m.n; i++) {
		btr_split_piece_name(name, sizeof name, i);
		snprintf(path, sizeof path, "%s/%s", dir, name);
		ps->v[i].p = slurp(path, &ps->v[i].n);
	}
	btr_split_manifest_free(&m);
}

static struct buf concat(const struct pieces *ps)
{
	struct buf s = {0};
	for (size_t i = 0; i < ps->n; i++)
		s.n += ps->v[i].n;
	s.p = malloc(s.n + 1);
	size_t o = 0;
	for (size_t i = 0; i < ps->n; i++) {
		memcpy(s.p + o, ps->v[i].p, ps->v[i].n);
		o += ps->v[i].n;
	}
	return s;
}

/* Cuts s back into pieces of the old sizes; the last one takes what is left over. */
static void recut(struct pieces *ps, struct buf s)
{
	size_t o = 0, i = 0;
	for (; i < ps->n && o < s.n; i++) {
		size_t k = i + 1 == ps->n ? s.n - o : (ps->v[i].n < s.n - o ? ps->v[i].n : s.n - o);
		ps->v[i].p = s.p + o;
		ps->v[i].n = k;
		o += k;
	}
	if (i == 0) { /* an empty stream is one empty piece */
		ps->v[0].n = 0;
		i = 1;
	}
	ps->n = i;
}

/* Length of the sealed header (man/btr-seal.5), and the encrypted chunk size. */
static size_t seal_geometry(const struct buf *s, size_t *chunk)
{
	if (s->n < 16)
		btr_die(BTR_EXIT_DATA, "not a sealed stream");
	*chunk = (size_t)s->p[10] | (size_t)s->p[11] << 8 | (size_t)s->p[12] << 16 | (size_t)s->p[13] << 24;
	*chunk += 17;
	return s->p[8] == 1 ? 103 : 72 + 88 * (size_t)(s->p[14] | s->p[15] << 8);
}

/* Seals plain to the key in pub (4 KiB chunks, as the campaign's backups). */
static struct buf reseal(struct buf plain, const char *pub)
{
	static uint8_t pk[1][32];
	char in[] = "/tmp/mangle.in.XXXXXX", out[] = "/tmp/mangle.out.XXXXXX";
	int fi = mkstemp(in), fo = mkstemp(out);
	if (fi < 0 || fo < 0 || btr_write_full(fi, plain.p, plain.n) < 0 || lseek(fi, 0, SEEK_SET) < 0)
		btr_die(BTR_EXIT_SYS, "temporary files");
	unlink(in);
	unlink(out);
	if (btr_pubkey_load(pub, pk[0]) < 0)
		btr_die_last();
	struct btr_seal_opts o = {.level = 3, .chunk = 4096, .recipients = (const uint8_t(*)[32])pk, .n_recipients = 1,
				  .progress = 2};
	if (btr_seal(fi, fo, &o) < 0)
		btr_die_last();
	struct stat st;
	fstat(fo, &st);
	struct buf s = {malloc((size_t)st.st_size + 1), (size_t)st.st_size};
	if (pread(fo, s.p, s.n, 0) != (ssize_t)s.n)
		btr_die(BTR_EXIT_SYS, "read back the sealed stream");
	close(fi);
	close(fo);
	return s;
}

static void random_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd(256);
}

static void write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || btr_write_full(fd, p, n) < 0 || close(fd) < 0)
		btr_die(BTR_EXIT_SYS, "write %s", path);
}

static char *fresh_manifest(const struct pieces *ps)
{
	struct btr_split_manifest m = {.n = ps->n};
	m.pieces = calloc(ps->n + 1, sizeof *m.pieces);
	for (size_t i = 0; i < ps->n; i++) {
		struct btr_xxh128 h;
		btr_xxh128_init(&h);
		btr_xxh128_update(&h, ps->v[i].p, ps->v[i].n);
		btr_xxh128_final(&h, m.pieces[i].sum);
		m.pieces[i].size = ps->v[i].n;
		m.total += ps->v[i].n;
	}
	btr_split_manifest_seal(&m);
	char *t = btr_split_manifest_format(&m);
	btr_split_manifest_free(&m);
	return t;
}

/* Damages the manifest text itself (the pieces stay intact). */
static const char *damage_manifest(char *t, size_t *n, char *desc, size_t dl)
{
	size_t lines = 0;
	for (size_t i = 0; i < *n; i++)
		lines += t[i] == '\n';
	switch (rnd(4)) {
	case 0: {
		size_t o = rnd(*n);
		t[o] ^= (char)(1 + rnd(255));
		snprintf(desc, dl, "manifest byte %zu flipped", o);
		break;
	}
	case 1:
		*n = rnd(*n);
		snprintf(desc, dl, "manifest truncated to %zu bytes", *n);
		break;
	case 2: { /* drop one line */
		size_t drop = rnd(lines), l = 0, o = 0, w = 0;
		for (; o < *n; o++) {
			if (l != drop)
				t[w++] = t[o];
			l += t[o] == '\n';
		}
		*n = w;
		snprintf(desc, dl, "manifest line %zu dropped", drop + 1);
		break;
	}
	default:
		snprintf(desc, dl, "manifest deleted");
		return NULL;
	}
	return t;
}

int main(int argc, char **argv)
{
	btr_init(argv[0]);
	if (sodium_init() < 0)
		btr_die(BTR_EXIT_SYS, "libsodium failed to initialise");
	if (argc != 7)
		btr_usage_error("usage: mangle SRC DST SEED OTHER PLAIN KEY.pub");
	const char *src = argv[1], *dst = argv[2], *other = argv[4];
	uint64_t seed = strtoull(argv[3], NULL, 10);
	rng = 0x9E3779B97F4A7C15ull ^ (seed * 0xD1B54A32D192ED03ull + 1);
	for (int i = 0; i < 4; i++)
		rnd(2);
	struct pieces ps;
	char *manifest, desc[512];
	size_t mlen;
	load(src, &ps, &manifest, &mlen);
	if (mkdir(dst, 0700) < 0)
		btr_die(BTR_EXIT_SYS, "mkdir %s", dst);

	enum { FLIP, TRUNCATE, DROP, DUP, SWAP, RESIZE, GARBAGE, HEADER, REORDER, MANIFEST, INNER_FLIP, INNER_TRUNCATE, KINDS };
	int kind = (int)(seed % KINDS), fixup = kind != MANIFEST && (seed / KINDS) % 2;
	if (kind >= INNER_FLIP)
		fixup = 1; /* a new, valid split of a new, validly sealed stream */
	size_t p = rnd(ps.n);
	struct buf s;
	switch (kind) {
	case FLIP: {
		s = concat(&ps);
		size_t o = rnd(s.n);
		uint8_t x = (uint8_t)(1 + rnd(255));
		s.p[o] ^= x;
		recut(&ps, s);
		snprintf(desc, sizeof desc, "byte %zu of %zu flipped (^0x%02x)", o, s.n, x);
		break;
	}
	case TRUNCATE: {
		s = concat(&ps);
		size_t cut = rnd(s.n);
		snprintf(desc, sizeof desc, "truncated at byte %zu of %zu", cut, s.n);
		s.n = cut;
		recut(&ps, s);
		break;
	}
	case DROP:
		memmove(ps.v + p, ps.v + p + 1, (ps.n - p - 1) * sizeof *ps.v);
		ps.n--;
		snprintf(desc, sizeof desc, "piece %zu dropped, later ones renumbered", p);
		break;
	case DUP:
		memmove(ps.v + p + 1, ps.v + p, (ps.n - p) * sizeof *ps.v);
		ps.n++;
		snprintf(desc, sizeof desc, "piece %zu duplicated", p);
		break;
	case SWAP: {
		size_t q = (p + 1 + rnd(ps.n - 1)) % ps.n;
		struct buf t = ps.v[p];
		ps.v[p] = ps.v[q];
		ps.v[q] = t;
		snprintf(desc, sizeof desc, "pieces %zu and %zu swapped", p, q);
		break;
	}
	case RESIZE: {
		size_t d = 1 + rnd(ps.v[p].n ? ps.v[p].n : 1);
		if (rnd(2) || ps.v[p].n == 0) {
			uint8_t *np = malloc(ps.v[p].n + d);
			memcpy(np, ps.v[p].p, ps.v[p].n);
			random_bytes(np + ps.v[p].n, d);
			ps.v[p].p = np;
			ps.v[p].n += d;
			snprintf(desc, sizeof desc, "piece %zu grown by %zu bytes", p, d);
		} else {
			ps.v[p].n -= d;
			snprintf(desc, sizeof desc, "piece %zu shrunk by %zu bytes", p, d);
		}
		break;
	}
	case GARBAGE: {
		size_t d = 1 + rnd(5000);
		uint8_t *g = malloc(d);
		random_bytes(g, d);
		if (rnd(2)) {
			struct buf *l = &ps.v[ps.n - 1];
			uint8_t *np = malloc(l->n + d);
			memcpy(np, l->p, l->n);
			memcpy(np + l->n, g, d);
			l->p = np;
			l->n += d;
			snprintf(desc, sizeof desc, "%zu bytes of garbage appended to the last piece", d);
		} else {
			ps.v[ps.n++] = (struct buf){g, d};
			snprintf(desc, sizeof desc, "an extra piece of %zu bytes of garbage", d);
		}
		break;
	}
	case HEADER: {
		struct pieces po;
		char *om;
		size_t oml, chunk;
		load(other, &po, &om, &oml);
		struct buf os = concat(&po);
		s = concat(&ps);
		size_t h = seal_geometry(&s, &chunk), oh = seal_geometry(&os, &chunk);
		struct buf n = {malloc(s.n - h + oh + 1), s.n - h + oh};
		memcpy(n.p, os.p, oh);
		memcpy(n.p + oh, s.p + h, s.n - h);
		recut(&ps, n);
		snprintf(desc, sizeof desc, "sealed header (%zu bytes) replaced by another backup's (%zu bytes)", h, oh);
		break;
	}
	case REORDER: {
		size_t chunk;
		s = concat(&ps);
		size_t h = seal_geometry(&s, &chunk), nc = (s.n - h) / chunk; /* whole chunks */
		if (nc < 2)
			btr_die(BTR_EXIT_USAGE, "the backup needs at least two whole sealed chunks");
		size_t a = rnd(nc), b = (a + 1 + rnd(nc - 1)) % nc;
		uint8_t *t = malloc(chunk);
		memcpy(t, s.p + h + a * chunk, chunk);
		memcpy(s.p + h + a * chunk, s.p + h + b * chunk, chunk);
		memcpy(s.p + h + b * chunk, t, chunk);
		recut(&ps, s);
		snprintf(desc, sizeof desc, "sealed chunks %zu and %zu (of %zu) swapped", a, b, nc);
		break;
	}
	case INNER_FLIP:
	case INNER_TRUNCATE: {
		struct buf pl;
		pl.p = slurp(argv[5], &pl.n);
		if (kind == INNER_FLIP) {
			size_t o = rnd(pl.n);
			uint8_t x = (uint8_t)(1 + rnd(255));
			pl.p[o] ^= x;
			snprintf(desc, sizeof desc, "record stream byte %zu of %zu flipped (^0x%02x) before sealing", o, pl.n, x);
		} else {
			size_t cut = rnd(pl.n);
			snprintf(desc, sizeof desc, "record stream cut at byte %zu of %zu before sealing", cut, pl.n);
			pl.n = cut;
		}
		recut(&ps, reseal(pl, argv[6]));
		break;
	}
	default: {
		const char *t = damage_manifest(manifest, &mlen, desc, sizeof desc);
		if (!t)
			manifest = NULL;
		break;
	}
	}
	char name[32];
	for (size_t i = 0; i < ps.n; i++) {
		btr_split_piece_name(name, sizeof name, i);
		write_file(dst, name, ps.v[i].p, ps.v[i].n);
	}
	if (fixup) {
		char *t = fresh_manifest(&ps);
		write_file(dst, "MANIFEST", t, strlen(t));
	} else if (manifest) {
		write_file(dst, "MANIFEST", manifest, mlen);
	}
	static const char *names[KINDS] = {"flip",	"truncate", "drop",	"dup",	   "swap",	 "resize",
					   "garbage", "header",	"reorder", "manifest", "inner-flip", "inner-cut"};
	printf("%s: %s%s\n", names[kind], desc, fixup ? ", manifest rewritten to match" : "");
	return 0;
}
