/* btr-filter --from-list: the identities of the entries a btr-inspect -l listing
 * names, in a hash set of their keyed hashes (btr_ident_hash with a random key: a
 * listing made from a hostile stream cannot pick colliding names). */
#include "filter.h"
#include "err.h"
#include "stream/stream.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ent {
	uint8_t h[BTR_IDENT_HASH_LEN]; /* keyed hash of the identity */
	uint8_t used, kind, seen;      /* kind: enum btr_fkind, or POOL for a pool marker */
};
#define POOL 0xff

struct btr_flist {
	struct ent *t;
	size_t cap, used;
	uint64_t entries, seen;
	uint8_t key[crypto_generichash_KEYBYTES];
};

void btr_flist_free(struct btr_flist *l)
{
	if (!l)
		return;
	free(l->t);
	free(l);
}

/* The probe for an identity of a kind: 128 bits of keyed BLAKE2b, so equal hashes are
 * equal identities (no stored names needed). */
static struct ent probe(const struct btr_flist *l, int kind, const struct btr_ident *id)
{
	struct ent e = {.kind = (uint8_t)kind};
	btr_ident_hash(id, l->key, sizeof l->key, e.h);
	return e;
}

static size_t slot(const struct ent *e, size_t cap)
{
	uint64_t v;
	memcpy(&v, e->h, sizeof v);
	return (size_t)v & (cap - 1);
}

static struct ent *find(const struct btr_flist *l, const struct ent *p)
{
	for (size_t i = slot(p, l->cap);; i = (i + 1) & (l->cap - 1)) {
		struct ent *e = &l->t[i];
		if (!e->used || (e->kind == p->kind && memcmp(e->h, p->h, sizeof e->h) == 0))
			return e;
	}
}

static int grow(struct btr_flist *l)
{
	size_t cap = l->cap ? l->cap * 2 : 1024;
	struct ent *t = calloc(cap, sizeof *t), *old = l->t;
	if (!t)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	for (size_t i = 0; i < l->cap; i++) {
		if (!old[i].used)
			continue;
		size_t j = slot(&old[i], cap);
		while (t[j].used)
			j = (j + 1) & (cap - 1);
		t[j] = old[i];
	}
	free(old);
	l->t = t;
	l->cap = cap;
	return 0;
}

static int insert(struct btr_flist *l, const struct ent *p)
{
	if ((l->used + 1) * 2 > l->cap && grow(l) < 0)
		return -1;
	struct ent *e = find(l, p);
	if (e->used)
		return 0; /* listed twice: once is enough */
	*e = *p;
	e->used = 1;
	l->used++;
	if (p->kind != POOL)
		l->entries++;
	return 0;
}

static int lookup(struct btr_flist *l, const struct ent *p, int mark)
{
	if (!l->used)
		return 0;
	struct ent *e = find(l, p);
	if (!e->used)
		return 0;
	if (mark && !e->seen) {
		e->seen = 1;
		l->seen++;
	}
	return 1;
}

/* A key is listed as "kv POOL NAMESPACE KEY": only KEY counts. */
static struct btr_ident kv_ident(const struct btr_bytes key)
{
	return (struct btr_ident){"", {"", 0}, key, {"", 0}};
}

int btr_flist_has(struct btr_flist *l, enum btr_fkind kind, const struct btr_ident *id)
{
	struct btr_ident k = kind == BTR_FK_KV ? kv_ident(id->name) : *id;
	struct ent p = probe(l, kind, &k);
	return lookup(l, &p, 1);
}

int btr_flist_has_pool(const struct btr_flist *l, const char *pool)
{
	struct btr_ident id = btr_ident_str(pool, NULL, NULL, NULL);
	struct ent p = probe(l, POOL, &id);
	return lookup((struct btr_flist *)l, &p, 0); /* only marks when asked to */
}

uint64_t btr_flist_count(const struct btr_flist *l)
{
	return l->entries;
}

uint64_t btr_flist_unseen(const struct btr_flist *l)
{
	return l->entries - l->seen;
}

static const struct {
	const char *name;
	int kind;
} kinds[] = {{"object", BTR_FK_OBJECT}, {"delete", BTR_FK_DELETE}, {"index", BTR_FK_INDEX}, {"kv", BTR_FK_KV}};

/* One listing line (NUL-terminated, no newline) into the set. */
static int parse_line(struct btr_flist *l, char *line, const char *path, unsigned long lineno)
{
	char *f[4], *save = NULL, *loc = NULL, *tok;
	int nf = 0, kind = -1;
	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (nf < 4)
			f[nf++] = tok;
		else if (strncmp(tok, "locator=", 8) == 0)
			loc = tok + 8;
	}
	if (nf == 0 || f[0][0] == '#')
		return 0;
	if (f[0][0] == '{')
		return btr_fail(BTR_EXIT_USAGE, "%s:%lu: a JSON listing; make the list with btr-inspect -l, without --json",
				path, lineno);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(f[0], kinds[i].name) == 0)
			kind = kinds[i].kind;
	if (kind < 0)
		return btr_fail(BTR_EXIT_USAGE, "%s:%lu: unknown kind '%.40s' (want object, kv, delete or index)", path,
				lineno, f[0]);
	if (nf < 4)
		return btr_fail(BTR_EXIT_USAGE, "%s:%lu: want KIND POOL NAMESPACE NAME as btr-inspect -l prints them", path,
				lineno);
	/* Unescaping never lengthens a field: each fits in the line's own length. */
	size_t cap = strlen(f[3]) + (loc ? strlen(loc) : 0) + strlen(f[1]) + strlen(f[2]) + 4;
	uint8_t *b = malloc(cap);
	if (!b)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	uint8_t *pool = b, *ns = pool + strlen(f[1]) + 1, *name = ns + strlen(f[2]) + 1, *lc = name + strlen(f[3]) + 1;
	ssize_t np = btr_list_field_parse(f[1], pool), nn = btr_list_field_parse(f[2], ns);
	ssize_t nm = btr_list_field_parse(f[3], name), nl = loc ? btr_list_field_parse(loc, lc) : 0;
	int rc = 0;
	if (np < 0 || nn < 0 || nm < 0 || nl < 0)
		rc = btr_fail(BTR_EXIT_USAGE, "%s:%lu: bad escape in a field (a listing escapes bytes as \\xHH)", path, lineno);
	else if (kind != BTR_FK_KV && memchr(pool, 0, (size_t)np))
		rc = btr_fail(BTR_EXIT_USAGE, "%s:%lu: a pool name with a NUL byte", path, lineno);
	if (rc == 0) {
		pool[np] = 0;
		struct btr_ident id = {(char *)pool, {(char *)ns, (size_t)nn}, {(char *)name, (size_t)nm}, {(char *)lc, (size_t)nl}};
		if (kind == BTR_FK_KV)
			id = kv_ident(id.name);
		struct ent p = probe(l, kind, &id);
		rc = insert(l, &p);
		if (rc == 0 && kind != BTR_FK_KV) {
			id = btr_ident_str((char *)pool, NULL, NULL, NULL);
			p = probe(l, POOL, &id);
			rc = insert(l, &p);
		}
	}
	free(b);
	return rc;
}

struct btr_flist *btr_flist_load(const char *path)
{
	struct btr_flist *l = calloc(1, sizeof *l);
	FILE *fp = NULL;
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	ssize_t n;
	if (!l || sodium_init() < 0) {
		free(l);
		btr_fail(BTR_EXIT_SYS, "out of memory");
		return NULL;
	}
	randombytes_buf(l->key, sizeof l->key);
	if (grow(l) < 0)
		goto fail;
	if (!(fp = strcmp(path, "-") == 0 ? NULL : fopen(path, "r"))) {
		if (strcmp(path, "-") == 0)
			btr_fail(BTR_EXIT_USAGE, "--from-list -: the stream is on stdin; give the list as a file");
		else
			btr_fail_errno(errno == ENOENT || errno == EACCES ? BTR_EXIT_USAGE : BTR_EXIT_SYS, "--from-list %s", path);
		goto fail;
	}
	errno = 0;
	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if ((size_t)n != strlen(line)) {
			btr_fail(BTR_EXIT_USAGE, "%s:%lu: a NUL byte in the list (a listing escapes it as \\x00)", path, lineno);
			goto fail;
		}
		if (parse_line(l, line, path, lineno) < 0)
			goto fail;
	}
	if (ferror(fp)) {
		btr_fail_errno(BTR_EXIT_SYS, "read %s", path);
		goto fail;
	}
	free(line);
	fclose(fp);
	return l;
fail:
	free(line);
	if (fp)
		fclose(fp);
	btr_flist_free(l);
	return NULL;
}
