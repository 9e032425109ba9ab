/* The base index of an incremental dump, held as a compact open-addressing table:
 * 16 bytes of BLAKE2b of the object's identity (pool, namespace, name, locator),
 * 8 bytes of BLAKE2b of what says it changed (version, size, mtime) and a flag byte
 * per slot, at most 70% full: ~36 bytes per object of the base index (a changed object
 * passes for unchanged only if 64 bits of BLAKE2b collide).  Names are not
 * kept: the file is read a second time at the end, for deletions and for the
 * unchanged entries of the new index (a fifo is copied to a temporary file first). */
#include "ceph.h"
#include "err.h"
#include "io.h"
#include "stream/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { F_USED = 1, F_PRESENT = 2, F_UNCHANGED = 4, F_DONE = 8 };

struct slot {
	uint64_t k0, k1, fp;
};

struct btr_since {
	int fd;
	const char *path;
	char what[4200];                /* "--since PATH", for the reader's messages */
	char **pools;
	size_t npools;
	struct slot *t;
	uint8_t *f;
	size_t mask;
	uint64_t entries;
	uint8_t digest[BTR_DIGEST_LEN];
	ProtobufCBinaryData digest_bytes; /* points into digest */
};

static void ident(const struct btr_ident *id, uint64_t k[2])
{
	uint8_t d[BTR_IDENT_HASH_LEN];
	btr_ident_hash(id, NULL, 0, d);
	memcpy(&k[0], d, 8);
	memcpy(&k[1], d + 8, 8);
}

static uint64_t fingerprint(uint64_t version, uint64_t size, int64_t mtime)
{
	uint64_t v[3] = {version, size, (uint64_t)mtime}, out;
	crypto_generichash((uint8_t *)&out, sizeof out, (const uint8_t *)v, sizeof v, NULL, 0);
	return out;
}

static size_t find(const struct btr_since *s, const uint64_t k[2])
{
	size_t i = (size_t)k[0] & s->mask;
	while ((s->f[i] & F_USED) && (s->t[i].k0 != k[0] || s->t[i].k1 != k[1]))
		i = (i + 1) & s->mask;
	return i;
}

static size_t find_entry(const struct btr_since *s, const Btr__IndexEntry *e, uint64_t k[2])
{
	struct btr_record rec = {.type = BTR_INDEX, .u.index = (Btr__IndexEntry *)e};
	struct btr_ident id;
	btr_ident_of(&id, &rec);
	ident(&id, k);
	return find(s, k);
}

static int in_pools(char **pools, size_t n, const char *p)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(pools[i], p))
			return 1;
	return 0;
}

static int rewind_fd(struct btr_since *s)
{
	if (lseek(s->fd, 0, SEEK_SET) < 0)
		return btr_fail_errno(BTR_EXIT_SYS, "--since %s: cannot read it again", s->path);
	return 0;
}

/* A fifo or pipe can be read once: keep a private copy for the second pass. */
static int spool(struct btr_since *s)
{
	struct stat sb;
	if (fstat(s->fd, &sb) < 0)
		return btr_fail_errno(BTR_EXIT_SYS, "--since %s", s->path);
	if (S_ISREG(sb.st_mode))
		return 0;
	const char *dir = getenv("TMPDIR");
	char tmpl[4096];
	if ((size_t)snprintf(tmpl, sizeof tmpl, "%s/ceph-dump-since.XXXXXX", dir && *dir ? dir : "/tmp") >= sizeof tmpl)
		return btr_fail(BTR_EXIT_USAGE, "TMPDIR is too long for a temporary copy of --since %s", s->path);
	int t = mkstemp(tmpl);
	if (t < 0)
		return btr_fail_errno(BTR_EXIT_SYS, "cannot create a temporary copy of --since %s in %s", s->path, tmpl);
	unlink(tmpl);
	char *buf = malloc(1u << 20);
	ssize_t n;
	if (!buf) {
		close(t);
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	}
	while ((n = btr_read_or_fail(s->fd, buf, 1u << 20, s->path)) > 0)
		if (btr_write_or_fail(t, buf, (size_t)n, "the temporary copy of the --since index") < 0) {
			n = -1;
			break;
		}
	free(buf);
	close(s->fd);
	s->fd = t;
	return n < 0 ? -1 : rewind_fd(s);
}

static int same_pools(const Btr__Header *h, char **pools, size_t n)
{
	if (h->n_pools != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!in_pools(pools, n, h->pools[i]))
			return 0;
	return 1;
}

/* Pass 1: verifies the whole index, checks its headers, counts entries. */
static int scan(struct btr_since *s, const char *fsid, unsigned si, unsigned sn, int force)
{
	struct btr_reader *r = btr_reader_new(s->fd, s->what);
	struct btr_record rec;
	int rc;
	if (!r)
		return -1;
	while ((rc = btr_reader_next(r, &rec)) == 1) {
		if (rec.type == BTR_HEADER) {
			Btr__Header *h = rec.u.header;
			if (strcmp(h->content, "index")) {
				rc = btr_fail(BTR_EXIT_USAGE, "--since %s: not an index (its content is \"%s\"; give the file written by --index)",
					      s->path, h->content);
				break;
			}
			if (force)
				continue;
			if (strcmp(h->ceph_fsid, fsid)) {
				rc = btr_fail(BTR_EXIT_USAGE, "--since %s: index of cluster %s, this is cluster %s (--force to use it anyway)",
					      s->path, h->ceph_fsid, fsid);
				break;
			}
			if (!same_pools(h, s->pools, s->npools)) {
				rc = btr_fail(BTR_EXIT_USAGE, "--since %s: index of another set of pools (%zu pools%s%s...; --force to use it anyway)",
					      s->path, h->n_pools, h->n_pools ? ": " : "", h->n_pools ? h->pools[0] : "");
				break;
			}
			if (h->slice_index != si || h->slice_count != sn) {
				rc = btr_fail(BTR_EXIT_USAGE, "--since %s: index of slice %u/%u, this dump is slice %u/%u (--force to use it anyway)",
					      s->path, h->slice_index, h->slice_count, si, sn);
				break;
			}
		} else if (rec.type == BTR_INDEX) {
			s->entries++;
		} else if (rec.type == BTR_TRAILER) {
			/* the reader checked its length against the segment's format */
			memcpy(s->digest, rec.u.trailer->digest.data, rec.u.trailer->digest.len);
			s->digest_bytes.data = s->digest;
			s->digest_bytes.len = rec.u.trailer->digest.len;
		}
	}
	btr_reader_free(r);
	return rc < 0 ? -1 : 0;
}

/* Walks the --since file's index entries, calling fn with each one's table slot.
 * 0 done; -1 fn or rewinding failed; -2 the index did not read back (btr_fail either way). */
typedef int (*entry_fn)(struct btr_since *s, Btr__IndexEntry *e, size_t slot, const uint64_t k[2], void *ctx);
static int each_entry(struct btr_since *s, entry_fn fn, void *ctx)
{
	if (rewind_fd(s) < 0)
		return -1;
	struct btr_reader *r = btr_reader_new(s->fd, s->what);
	struct btr_record rec;
	int rc;
	if (!r)
		return -1;
	while ((rc = btr_reader_next(r, &rec)) == 1) {
		if (rec.type != BTR_INDEX)
			continue;
		uint64_t k[2];
		size_t i = find_entry(s, rec.u.index, k);
		if (fn(s, rec.u.index, i, k, ctx) < 0) {
			btr_reader_free(r);
			return -1;
		}
	}
	btr_reader_free(r);
	return rc < 0 ? -2 : 0;
}

static int add_entry(struct btr_since *s, Btr__IndexEntry *e, size_t i, const uint64_t k[2], void *ctx)
{
	(void)ctx;
	s->t[i] = (struct slot){k[0], k[1], fingerprint(e->version, e->size, e->mtime)};
	s->f[i] = F_USED;
	return 0;
}

static int build(struct btr_since *s)
{
	size_t cap = 16;
	while ((double)cap * 0.7 < (double)s->entries)
		cap *= 2;
	s->t = malloc(cap * sizeof *s->t);
	s->f = calloc(cap, 1);
	if (!s->t || !s->f)
		return btr_fail(BTR_EXIT_SYS, "out of memory for the --since index (%llu entries)", (unsigned long long)s->entries);
	s->mask = cap - 1;
	int rc = each_entry(s, add_entry, NULL);
	if (rc == -2)
		return btr_fail(BTR_EXIT_SYS, "--since %s changed while being read: %s", s->path, btr_errmsg());
	return rc;
}

struct btr_since *btr_since_load(const char *path, const char *fsid, char **pools, size_t npools,
				 unsigned slice_i, unsigned slice_n, int force)
{
	struct btr_since *s = calloc(1, sizeof *s);
	if (!s) {
		btr_fail(BTR_EXIT_SYS, "out of memory");
		return NULL;
	}
	s->path = path;
	snprintf(s->what, sizeof s->what, "--since %s", path);
	s->pools = pools;
	s->npools = npools;
	if ((s->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		btr_fail_errno(BTR_EXIT_USAGE, "--since %s", path);
		free(s);
		return NULL;
	}
	if (spool(s) < 0 || scan(s, fsid, slice_i, slice_n, force) < 0 || build(s) < 0) {
		btr_since_free(s);
		return NULL;
	}
	return s;
}

void btr_since_free(struct btr_since *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->t);
	free(s->f);
	free(s);
}

const ProtobufCBinaryData *btr_since_digest(const struct btr_since *s)
{
	return &s->digest_bytes;
}

int btr_since_check(struct btr_since *s, const struct btr_ident *id, uint64_t version, uint64_t size, int64_t mtime)
{
	uint64_t k[2];
	ident(id, k);
	size_t i = find(s, k);
	if (!(s->f[i] & F_USED))
		return 0;
	if (s->t[i].fp == fingerprint(version, size, mtime)) {
		s->f[i] |= F_PRESENT | F_UNCHANGED;
		return 1;
	}
	return 0;
}

void btr_since_present(struct btr_since *s, const struct btr_ident *id)
{
	uint64_t k[2];
	ident(id, k);
	size_t i = find(s, k);
	if (s->f[i] & F_USED)
		s->f[i] |= F_PRESENT;
}

struct finish {
	struct btr_writer *out, *index;
	uint64_t *deleted;
};

static int finish_entry(struct btr_since *s, Btr__IndexEntry *e, size_t i, const uint64_t k[2], void *ctx)
{
	struct finish *fc = ctx;
	uint8_t f = s->f[i];
	(void)k;
	if (!(f & F_USED) || (f & F_DONE) || !in_pools(s->pools, s->npools, e->pool))
		return 0;
	s->f[i] |= F_DONE; /* an entry listed twice is acted on once */
	if (f & F_UNCHANGED)
		return fc->index ? btr_writer_index(fc->index, e) : 0;
	if (f & F_PRESENT)
		return 0;
	Btr__Delete d = BTR__DELETE__INIT;
	d.pool = e->pool;
	d.namespace_ = e->namespace_;
	d.name = e->name;
	d.locator = e->locator;
	if (btr_writer_delete(fc->out, &d) < 0)
		return -1;
	(*fc->deleted)++;
	return 0;
}

int btr_since_finish(struct btr_since *s, struct btr_writer *out, struct btr_writer *index, uint64_t *deleted)
{
	struct finish fc = {out, index, deleted};
	return each_entry(s, finish_entry, &fc) < 0 ? -1 : 0;
}
