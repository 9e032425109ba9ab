/* A backup directory of the original tool: METADATA.bin first (it holds the piece
 * count and the last nonce counter), then the pieces' frames in order, each checked
 * against the nonce's fixed part and the running counter before it is decrypted. */
#include "legacy.h"
#include "err.h"
#include "grow.h"
#include "io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define POOLS_MAX (1u << 20)    /* pools.txt is a short list */

struct btr_legacy_archive {
	char *dir;
	struct btr_legacy_cipher *c;
	struct btr_legacy_decoder *d;
	struct btr_legacy_meta meta;
	struct btr_legacy_stamp **byname;   /* meta.stamps sorted by pool, namespace, name */
	uint8_t fixed[8];               /* the nonce's part shared by every frame */
	uint64_t meta_counter, expect;  /* METADATA.bin's counter; the next frame's */
	uint64_t piece, frame;          /* the open piece (index) and its frames read so far */
	int fd, done;
	uint64_t left;                  /* bytes of the open piece not read yet */
	uint64_t size;                  /* of all the pieces */
	char path[PATH_MAX], where[PATH_MAX + 64];
	uint8_t *buf, *plain;
	size_t cap, plain_cap;
	char **pools;
	size_t n_pools;
};

/* Reads and authenticates the next frame of the open file into a->plain.
 * 1: a frame (*f, *n); 0: the file ended at a frame boundary; -1: failure. */
static int read_frame(struct btr_legacy_archive *a, struct btr_legacy_frame *f, size_t *n)
{
	uint8_t h[BTR_LEGACY_HEADER];
	size_t plen;
	if (a->left == 0)
		return 0;
	a->frame++;
	snprintf(a->where, sizeof a->where, "%s: frame %llu", a->path, (unsigned long long)a->frame);
	if (a->left < BTR_LEGACY_HEADER)
		return btr_fail(BTR_EXIT_DATA, "%s: the file ends inside the frame header (%llu bytes left)", a->where,
				(unsigned long long)a->left);
	ssize_t r = btr_read_or_fail(a->fd, h, BTR_LEGACY_HEADER, a->path);
	if (r < 0)
		return -1;
	if (r != BTR_LEGACY_HEADER)
		return btr_fail(BTR_EXIT_SYS, "%s: the file shrank while being read", a->where);
	a->left -= BTR_LEGACY_HEADER;
	if (btr_legacy_frame_parse(h, a->left, f, a->where) < 0)
		return -1;
	snprintf(a->where, sizeof a->where, "%s: frame %llu (counter %llu)", a->path, (unsigned long long)a->frame,
		 (unsigned long long)f->counter);
	if (a->expect) { /* METADATA.bin read: this frame is one of the pieces' */
		if (memcmp(f->nonce, a->fixed, sizeof a->fixed))
			return btr_fail(BTR_EXIT_DATA, "%s: a foreign frame (its nonce is not this backup's)", a->where);
		if (f->counter >= a->meta_counter)
			return btr_fail(BTR_EXIT_DATA,
					"%s: counter not below METADATA.bin's %llu (an extra or foreign frame)",
					a->where, (unsigned long long)a->meta_counter);
		if (f->counter < a->expect)
			return btr_fail(BTR_EXIT_DATA, "%s: counter %llu again or too early, wanted %llu (a repeated or reordered frame)",
					a->where, (unsigned long long)f->counter, (unsigned long long)a->expect);
		if (f->counter > a->expect)
			return btr_fail(BTR_EXIT_DATA, "%s: counter %llu, wanted %llu (a dropped or reordered frame)", a->where,
					(unsigned long long)f->counter, (unsigned long long)a->expect);
		if (f->type != BTR_LEGACY_ETCD && f->type != BTR_LEGACY_OBJECT)
			return btr_fail(BTR_EXIT_DATA, "%s: unknown frame type %u (10 etcd, 20 object)", a->where, f->type);
	} else if (f->type != BTR_LEGACY_META)
		return btr_fail(BTR_EXIT_DATA, "%s: frame type %u, wanted 30 (metadata)", a->where, f->type);
	if (btr_grow((void **)&a->buf, &a->cap, f->len, 1) < 0)
		return -1;
	r = btr_read_or_fail(a->fd, a->buf, f->len, a->path);
	if (r < 0)
		return -1;
	if ((uint64_t)r != f->len)
		return btr_fail(BTR_EXIT_SYS, "%s: the file shrank while being read", a->where);
	a->left -= f->len;
	if (btr_legacy_frame_open(a->c, f, a->buf, &plen, a->where) < 0 ||
	    btr_legacy_unsnappy(a->buf, plen, &a->plain, &a->plain_cap, n, a->where) < 0)
		return -1;
	return 1;
}

static int open_file(struct btr_legacy_archive *a, const char *name)
{
	struct stat st;
	snprintf(a->path, sizeof a->path, "%s/%s", a->dir, name);
	a->frame = 0;
	if ((a->fd = open(a->path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return btr_fail(BTR_EXIT_DATA, "%s is missing", a->path);
		return btr_fail_errno(BTR_EXIT_SYS, "open %s", a->path);
	}
	if (fstat(a->fd, &st) < 0)
		return btr_fail_errno(BTR_EXIT_SYS, "stat %s", a->path);
	if (!S_ISREG(st.st_mode))
		return btr_fail(BTR_EXIT_DATA, "%s is not a regular file", a->path);
	a->left = (uint64_t)st.st_size;
	return 0;
}

static void close_file(struct btr_legacy_archive *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

static int cmp_bytes(const struct btr_legacy_bytes *x, const struct btr_legacy_bytes *y)
{
	int c = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
	return c ? c : (x->n > y->n) - (x->n < y->n);
}

static int cmp_key(const struct btr_legacy_bytes *pool, const struct btr_legacy_bytes *ns, const struct btr_legacy_bytes *oid,
		   const struct btr_legacy_stamp *s)
{
	int c = cmp_bytes(pool, &s->pool);
	if (!c)
		c = cmp_bytes(ns, &s->ns);
	return c ? c : cmp_bytes(oid, &s->oid);
}

static int cmp_stamp(const void *x, const void *y)
{
	const struct btr_legacy_stamp *a = *(struct btr_legacy_stamp *const *)x, *b = *(struct btr_legacy_stamp *const *)y;
	return cmp_key(&a->pool, &a->ns, &a->oid, b);
}

int64_t btr_legacy_mtime(const struct btr_legacy_archive *a, const struct btr_legacy_object *o)
{
	size_t lo = 0, hi = a->meta.n_stamps;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_key(&o->pool, &o->ns, &o->name, a->byname[mid]);
		if (!c)
			return a->byname[mid]->mtime_ns / 1000000000;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static int add_pool(struct btr_legacy_archive *a, const char *p, size_t n, const char *from)
{
	for (size_t i = 0; i < a->n_pools; i++)
		if (strlen(a->pools[i]) == n && !memcmp(a->pools[i], p, n))
			return 0;
	if (!n || memchr(p, 0, n) || memchr(p, '\n', n))
		return btr_fail(BTR_EXIT_DATA, "%s: a pool name that is empty or holds a NUL or newline", from);
	char **q = realloc(a->pools, (a->n_pools + 1) * sizeof *q);
	if (!q)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	a->pools = q;
	if (!(a->pools[a->n_pools] = strndup(p, n)))
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	a->n_pools++;
	return 0;
}

/* pools.txt (not authenticated: only names, in the original's order), then the
 * pools METADATA.bin lists objects of. */
static int read_pools(struct btr_legacy_archive *a)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/pools.txt", a->dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		char *t = malloc(POOLS_MAX);
		ssize_t r = t ? btr_read_or_fail(fd, t, POOLS_MAX, path) : -1;
		close(fd);
		if (!t)
			return btr_fail(BTR_EXIT_SYS, "out of memory");
		if (r == POOLS_MAX)
			r = btr_fail(BTR_EXIT_DATA, "%s: longer than 1 MiB", path);
		for (char *p = t, *e = t + (r > 0 ? r : 0); r > 0 && p < e;) {
			char *nl = memchr(p, '\n', (size_t)(e - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p), len = n;
			while (len && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
				len--; /* an edited file's line ends */
			if (len && add_pool(a, p, len, path) < 0)
				r = -1;
			p += n + 1;
		}
		free(t);
		if (r < 0)
			return -1;
	} else if (errno != ENOENT)
		return btr_fail_errno(BTR_EXIT_SYS, "open %s", path);
	for (size_t i = 0; i < a->meta.n_stamps; i++)
		if (add_pool(a, (const char *)a->meta.stamps[i].pool.p, a->meta.stamps[i].pool.n, "METADATA.bin") < 0)
			return -1;
	return 0;
}

static void piece_name(uint64_t i, char *out, size_t len)
{
	snprintf(out, len, "ARCHIVE%05llu.bin", (unsigned long long)i);
}

/* Exactly the pieces ARCHIVE00000.bin .. NumberOfFiles-1, no more. */
static int check_pieces(struct btr_legacy_archive *a)
{
	DIR *dir = opendir(a->dir);
	struct dirent *e;
	char want[64];
	int rc = 0;
	if (!dir)
		return btr_fail_errno(BTR_EXIT_SYS, "open directory %s", a->dir);
	while (rc == 0 && (e = readdir(dir))) {
		size_t n = strlen(e->d_name);
		if (strncmp(e->d_name, "ARCHIVE", 7) || n < 11 || strcmp(e->d_name + n - 4, ".bin"))
			continue;
		char *end;
		errno = 0;
		unsigned long long i = strtoull(e->d_name + 7, &end, 10);
		piece_name(i, want, sizeof want);
		if (errno || strcmp(want, e->d_name))
			rc = btr_fail(BTR_EXIT_DATA, "%s/%s: not a piece name the original tool writes", a->dir, e->d_name);
		else if (i >= a->meta.nfiles)
			rc = btr_fail(BTR_EXIT_DATA, "%s/%s: an extra piece (METADATA.bin counts %llu)", a->dir, e->d_name,
				      (unsigned long long)a->meta.nfiles);
	}
	closedir(dir);
	for (uint64_t i = 0; rc == 0 && i < a->meta.nfiles; i++) {
		struct stat st;
		piece_name(i, want, sizeof want);
		snprintf(a->path, sizeof a->path, "%s/%s", a->dir, want);
		if (stat(a->path, &st) < 0)
			rc = errno == ENOENT ? btr_fail(BTR_EXIT_DATA, "%s is missing (METADATA.bin counts %llu pieces)", a->path,
							(unsigned long long)a->meta.nfiles)
					     : btr_fail_errno(BTR_EXIT_SYS, "stat %s", a->path);
		else
			a->size += (uint64_t)st.st_size;
	}
	return rc;
}

struct btr_legacy_archive *btr_legacy_open(const char *dir, const uint8_t key[BTR_LEGACY_KEY])
{
	struct btr_legacy_archive *a = calloc(1, sizeof *a);
	struct btr_legacy_frame f;
	struct stat st;
	size_t n;
	int r;
	if (!a) {
		btr_fail(BTR_EXIT_SYS, "out of memory");
		return NULL;
	}
	a->fd = -1;
	if (!(a->dir = strdup(dir)) || !(a->c = btr_legacy_cipher_new(key)) || !(a->d = btr_legacy_decoder_new()))
		goto fail;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		btr_fail(BTR_EXIT_USAGE, "%s: no such backup directory", dir);
		goto fail;
	}
	if (open_file(a, "METADATA.bin") < 0)
		goto fail;
	if ((r = read_frame(a, &f, &n)) < 0)
		goto fail;
	if (r == 0) {
		btr_fail(BTR_EXIT_DATA, "%s: empty", a->path);
		goto fail;
	}
	if (btr_legacy_decode_meta(a->d, a->plain, n, &a->meta, a->where) < 0)
		goto fail;
	if (a->left) {
		btr_fail(BTR_EXIT_DATA, "%s: %llu bytes after its one frame", a->path, (unsigned long long)a->left);
		goto fail;
	}
	close_file(a);
	memcpy(a->fixed, f.nonce, sizeof a->fixed);
	a->meta_counter = f.counter;
	a->expect = 1;
	if (a->meta_counter < 1) {
		btr_fail(BTR_EXIT_DATA, "%s: nonce counter 0 (the original's start at 1)", a->path);
		goto fail;
	}
	if (check_pieces(a) < 0 || read_pools(a) < 0)
		goto fail;
	if (!(a->byname = calloc(a->meta.n_stamps + 1, sizeof *a->byname))) {
		btr_fail(BTR_EXIT_SYS, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < a->meta.n_stamps; i++)
		a->byname[i] = &a->meta.stamps[i];
	qsort(a->byname, a->meta.n_stamps, sizeof *a->byname, cmp_stamp);
	a->piece = 0;
	return a;
fail:
	btr_legacy_close(a);
	return NULL;
}

void btr_legacy_close(struct btr_legacy_archive *a)
{
	if (!a)
		return;
	close_file(a);
	btr_legacy_cipher_free(a->c);
	btr_legacy_decoder_free(a->d);
	btr_legacy_meta_free(&a->meta);
	for (size_t i = 0; i < a->n_pools; i++)
		free(a->pools[i]);
	free(a->pools);
	free(a->byname);
	free(a->buf);
	free(a->plain);
	free(a->dir);
	free(a);
}

size_t btr_legacy_pools(const struct btr_legacy_archive *a, const char *const **pools)
{
	*pools = (const char *const *)a->pools;
	return a->n_pools;
}

int64_t btr_legacy_newest(const struct btr_legacy_archive *a)
{
	int64_t t = 0;
	for (size_t i = 0; i < a->meta.n_stamps; i++)
		if (a->meta.stamps[i].mtime_ns / 1000000000 > t)
			t = a->meta.stamps[i].mtime_ns / 1000000000;
	return t;
}

uint64_t btr_legacy_size(const struct btr_legacy_archive *a)
{
	return a->size;
}

const char *btr_legacy_where(const struct btr_legacy_archive *a)
{
	return a->where;
}

int btr_legacy_next(struct btr_legacy_archive *a, struct btr_legacy_item *it)
{
	struct btr_legacy_frame f;
	char name[64];
	size_t n;
	while (!a->done) {
		if (a->fd < 0) {
			if (a->piece >= a->meta.nfiles)
				break;
			piece_name(a->piece, name, sizeof name);
			if (open_file(a, name) < 0)
				return -1;
		}
		int r = read_frame(a, &f, &n);
		if (r < 0)
			return -1;
		if (r == 0) {
			close_file(a);
			a->piece++;
			continue;
		}
		a->expect++;
		memset(it, 0, sizeof *it);
		it->type = (int)f.type;
		it->frame_bytes = BTR_LEGACY_HEADER + f.len;
		if (f.type == BTR_LEGACY_ETCD)
			return btr_legacy_decode_etcd(a->d, a->plain, n, &it->kvs, &it->n_kvs, a->where) < 0 ? -1 : 1;
		return btr_legacy_decode_object(a->d, a->plain, n, &it->obj, a->where) < 0 ? -1 : 1;
	}
	a->done = 1;
	/* The last frame must be the one right before METADATA.bin's. */
	if (a->expect != a->meta_counter)
		return btr_fail(BTR_EXIT_DATA,
				"%s: frame %llu (counter %llu) is the last, but METADATA.bin's counter is %llu: the backup was cut short",
				a->path, (unsigned long long)a->frame, (unsigned long long)a->expect - 1,
				(unsigned long long)a->meta_counter);
	return 0;
}
