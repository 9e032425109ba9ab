/* btr-filter --from-list: the identities of the entries a btr-inspect -l listing
 * names, in a hash set keyed with a random SipHash key (a listing made from a
 * hostile stream cannot pick colliding names). */
#include "filter.h"
#include "err.h"
#include "stream/stream.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ent {
	uint64_t h;
	uint8_t *k; /* NULL: free slot */
	size_t n;
	uint8_t seen, pool;
};

struct btr_flist {
	struct ent *t;
	size_t cap, used;
	uint64_t entries, seen;
	uint8_t key[crypto_shorthash_KEYBYTES];
	uint8_t *buf; /* identity being built */
	size_t len, bufcap;
};

void btr_flist_free(struct btr_flist *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->cap; i++)
		free(l->t[i].k);
	free(l->t);
	free(l->buf);
	free(l);
}

static int put(struct btr_flist *l, const void *p, size_t n)
{
	if (l->len + n > l->bufcap) {
		size_t cap = l->bufcap ? l->bufcap : 256;
		while (cap < l->len + n)
			cap *= 2;
		uint8_t *b = realloc(l->buf, cap);
		if (!b)
			return btr_fail(BTR_EXIT_SYS, "out of memory");
		l->buf = b;
		l->bufcap = cap;
	}
	if (n)
		memcpy(l->buf + l->len, p, n);
	l->len += n;
	return 0;
}

/* Length-prefixed, so no two identities run together alike. */
static int put_lp(struct btr_flist *l, const void *p, size_t n)
{
	uint64_t v = n;
	return put(l, &v, sizeof v) < 0 ? -1 : put(l, p, n);
}

/* The identity of an entry into l->buf. */
static int identity(struct btr_flist *l, int kind, const char *pool, const ProtobufCBinaryData *ns,
		    const ProtobufCBinaryData *name, const ProtobufCBinaryData *loc)
{
	uint8_t k = (uint8_t)kind;
	l->len = 0;
	if (put(l, &k, 1) < 0)
		return -1;
	if (kind == BTR_FK_KV)
		return put_lp(l, name->data, name->len);
	if (put_lp(l, pool, strlen(pool)) < 0 || put_lp(l, ns->data, ns->len) < 0 || put_lp(l, name->data, name->len) < 0)
		return -1;
	return put_lp(l, loc->data, loc->len);
}

static uint64_t hash(const struct btr_flist *l)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v;
	crypto_shorthash(h, l->buf, l->len, l->key);
	memcpy(&v, h, sizeof v);
	return v;
}

static struct ent *find(const struct btr_flist *l, uint64_t h)
{
	for (size_t i = h & (l->cap - 1);; i = (i + 1) & (l->cap - 1)) {
		struct ent *e = &l->t[i];
		if (!e->k || (e->h == h && e->n == l->len && memcmp(e->k, l->buf, l->len) == 0))
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
		if (!old[i].k)
			continue;
		size_t j = old[i].h & (cap - 1);
		while (t[j].k)
			j = (j + 1) & (cap - 1);
		t[j] = old[i];
	}
	free(old);
	l->t = t;
	l->cap = cap;
	return 0;
}

/* Adds the identity in l->buf (a pool marker when pool is set). */
static int insert(struct btr_flist *l, int pool)
{
	if ((l->used + 1) * 2 > l->cap && grow(l) < 0)
		return -1;
	uint64_t h = hash(l);
	struct ent *e = find(l, h);
	if (e->k)
		return 0; /* listed twice: once is enough */
	if (!(e->k = malloc(l->len ? l->len : 1)))
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	memcpy(e->k, l->buf, l->len);
	e->n = l->len;
	e->h = h;
	e->pool = (uint8_t)pool;
	l->used++;
	if (!pool)
		l->entries++;
	return 0;
}

static int lookup(struct btr_flist *l, int mark)
{
	if (!l->used)
		return 0;
	struct ent *e = find(l, hash(l));
	if (!e->k)
		return 0;
	if (mark && !e->seen) {
		e->seen = 1;
		l->seen++;
	}
	return 1;
}

int btr_flist_has(struct btr_flist *l, enum btr_fkind kind, const char *pool, const ProtobufCBinaryData *ns,
		  const ProtobufCBinaryData *name, const ProtobufCBinaryData *locator)
{
	if (identity(l, kind, pool ? pool : "", ns, name, locator) < 0)
		return 0; /* out of memory: not listed, the summary shows it */
	return lookup(l, 1);
}

int btr_flist_has_pool(const struct btr_flist *l, const char *pool)
{
	struct btr_flist *m = (struct btr_flist *)l; /* only the scratch buffer changes */
	uint8_t k = 0xff;
	m->len = 0;
	if (put(m, &k, 1) < 0 || put_lp(m, pool, strlen(pool)) < 0)
		return 1; /* when in doubt the pool stays listed */
	return lookup(m, 0);
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
		ProtobufCBinaryData N = {(size_t)nn, ns}, M = {(size_t)nm, name}, L = {(size_t)nl, lc};
		pool[np] = 0;
		rc = identity(l, kind, (char *)pool, &N, &M, &L) < 0 ? -1 : insert(l, 0);
		if (rc == 0 && kind != BTR_FK_KV) {
			uint8_t k = 0xff;
			l->len = 0;
			rc = put(l, &k, 1) < 0 || put_lp(l, pool, (size_t)np) < 0 ? -1 : insert(l, 1);
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
