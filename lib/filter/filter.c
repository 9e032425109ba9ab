/* btr-filter's criteria: parsing the arguments and deciding, entry by entry. */
#include "filter.h"
#include "err.h"
#include "stream/stream.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { P_EXACT, P_PREFIX, P_GLOB, P_REGEX };

struct pat {
	int kind;
	uint8_t *b; /* P_EXACT, P_PREFIX */
	size_t n;
	struct btr_glob *g;
	regex_t re;
};

/* Alternatives for one field: any may match. */
struct patlist {
	struct pat *v;
	size_t n;
};

struct rename {
	uint8_t *old, *new;
	size_t old_n, new_n;
};

struct btr_filter {
	struct patlist pools, nss, names, keys;
	struct btr_flist *list;
	int only; /* 0, BTR_FK_OBJECT for ceph, BTR_FK_KV for etcd */
	int invert, verify, data;
	struct rename *rpool, *rkey;
	size_t n_rpool, n_rkey;
	uint8_t *keybuf;
	size_t keycap;
	char *scratch; /* a name as a C string, for regexec */
	size_t scratchcap;
};

struct btr_filter *btr_filter_new(void)
{
	struct btr_filter *f = calloc(1, sizeof *f);
	if (!f)
		btr_fail(BTR_EXIT_SYS, "out of memory");
	else
		f->only = -1;
	return f;
}

static void patlist_free(struct patlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].b);
		btr_glob_free(l->v[i].g);
		if (l->v[i].kind == P_REGEX)
			regfree(&l->v[i].re);
	}
	free(l->v);
}

static void renames_free(struct rename *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].old);
		free(r[i].new);
	}
	free(r);
}

void btr_filter_free(struct btr_filter *f)
{
	if (!f)
		return;
	patlist_free(&f->pools);
	patlist_free(&f->nss);
	patlist_free(&f->names);
	patlist_free(&f->keys);
	btr_flist_free(f->list);
	renames_free(f->rpool, f->n_rpool);
	renames_free(f->rkey, f->n_rkey);
	free(f->keybuf);
	free(f->scratch);
	free(f);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The bytes an argument stands for: hex digits, escapes (btr_escape), or a listing
 * field ("-" is empty).  *out is malloc'd (never NULL). */
enum { A_HEX, A_ESCAPED, A_FIELD };
static int arg_bytes(const char *opt, const char *arg, int form, uint8_t **out, size_t *n)
{
	size_t len = strlen(arg);
	uint8_t *b = malloc(len + 1);
	ssize_t k = -1;
	if (!b)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	if (form == A_HEX) {
		if (len % 2 == 0) {
			k = (ssize_t)(len / 2);
			for (size_t i = 0; i < len / 2; i++) {
				int hi = hexval(arg[2 * i]), lo = hexval(arg[2 * i + 1]);
				if (hi < 0 || lo < 0) {
					k = -1;
					break;
				}
				b[i] = (uint8_t)(hi << 4 | lo);
			}
		}
		if (k < 0) {
			free(b);
			return btr_fail(BTR_EXIT_USAGE, "%s '%s': not an even number of hex digits", opt, arg);
		}
	} else {
		k = form == A_FIELD ? btr_list_field_parse(arg, b) : btr_unescape(arg, b);
		if (k < 0) {
			free(b);
			return btr_fail(BTR_EXIT_USAGE, "%s '%s': bad escape (use \\xHH for a byte, \\\\ for a backslash)",
					opt, arg);
		}
	}
	b[k] = 0; /* so that a name without NUL bytes is also a C string */
	*out = b;
	*n = (size_t)k;
	return 0;
}

static int patlist_add(struct patlist *l, const char *opt, int kind, int form, const char *arg)
{
	struct pat p = {.kind = kind};
	if (kind == P_GLOB) {
		if (!(p.g = btr_glob_compile(arg)))
			return btr_fail(btr_errcode(), "%s: %s", opt, btr_errmsg());
	} else if (kind == P_REGEX) {
		int rc = regcomp(&p.re, arg, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char m[256];
			regerror(rc, &p.re, m, sizeof m);
			return btr_fail(BTR_EXIT_USAGE, "%s '%s': bad regular expression: %s", opt, arg, m);
		}
	} else if (arg_bytes(opt, arg, form, &p.b, &p.n) < 0) {
		return -1;
	}
	struct pat *v = realloc(l->v, (l->n + 1) * sizeof *v);
	if (!v) {
		free(p.b);
		btr_glob_free(p.g);
		if (kind == P_REGEX)
			regfree(&p.re);
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	}
	l->v = v;
	l->v[l->n++] = p;
	return 0;
}

int btr_filter_add(struct btr_filter *f, enum btr_fcrit c, const char *arg)
{
	switch (c) {
	case BTR_F_POOL: return patlist_add(&f->pools, "--pool", P_EXACT, A_FIELD, arg);
	case BTR_F_NAMESPACE: return patlist_add(&f->nss, "--namespace", P_EXACT, A_FIELD, arg);
	case BTR_F_OBJECT_GLOB: return patlist_add(&f->names, "--object", P_GLOB, 0, arg);
	case BTR_F_OBJECT_REGEX: return patlist_add(&f->names, "--object-regex", P_REGEX, 0, arg);
	case BTR_F_OBJECT_HEX: return patlist_add(&f->names, "--object-hex", P_EXACT, A_HEX, arg);
	case BTR_F_KEY_PREFIX: return patlist_add(&f->keys, "--key-prefix", P_PREFIX, A_ESCAPED, arg);
	case BTR_F_KEY_GLOB: return patlist_add(&f->keys, "--key", P_GLOB, 0, arg);
	case BTR_F_KEY_REGEX: return patlist_add(&f->keys, "--key-regex", P_REGEX, 0, arg);
	case BTR_F_KEY_HEX: return patlist_add(&f->keys, "--key-hex", P_EXACT, A_HEX, arg);
	}
	return btr_fail(BTR_EXIT_SYS, "internal: unknown criterion %d", (int)c);
}

int btr_filter_only(struct btr_filter *f, const char *kind)
{
	if (strcmp(kind, "ceph") == 0)
		f->only = BTR_FK_OBJECT;
	else if (strcmp(kind, "etcd") == 0)
		f->only = BTR_FK_KV;
	else
		return btr_fail(BTR_EXIT_USAGE, "--only '%s': want ceph or etcd", kind);
	return 0;
}

void btr_filter_invert(struct btr_filter *f)
{
	f->invert = 1;
}

void btr_filter_data_mode(struct btr_filter *f)
{
	f->data = 1;
}

int btr_filter_in_data_mode(const struct btr_filter *f)
{
	return f->data;
}

void btr_filter_verify_objects(struct btr_filter *f)
{
	f->verify = 1;
}

/* Raw --data has no next reader to check it. */
int btr_filter_trusts_objects(const struct btr_filter *f)
{
	return !f->verify && !f->data;
}

static int rename_add(struct rename **v, size_t *n, const char *opt, const char *spec, int pool)
{
	const char *colon = strchr(spec, ':');
	if (!colon)
		return btr_fail(BTR_EXIT_USAGE, "%s '%s': want OLD:NEW (a colon in a name is \\x3a)", opt, spec);
	char *old = strndup(spec, (size_t)(colon - spec));
	struct rename r = {0};
	int rc = old ? 0 : btr_fail(BTR_EXIT_SYS, "out of memory");
	if (rc == 0)
		rc = arg_bytes(opt, old, A_ESCAPED, &r.old, &r.old_n);
	if (rc == 0)
		rc = arg_bytes(opt, colon + 1, A_ESCAPED, &r.new, &r.new_n);
	free(old);
	/* Pool names are C strings: no NUL, and not empty. */
	if (rc == 0 && pool && (r.old_n == 0 || r.new_n == 0 || memchr(r.old, 0, r.old_n) || memchr(r.new, 0, r.new_n)))
		rc = btr_fail(BTR_EXIT_USAGE, "%s '%s': pool names are not empty and hold no NUL byte", opt, spec);
	struct rename *nv = rc == 0 ? realloc(*v, (*n + 1) * sizeof *nv) : NULL;
	if (rc == 0 && !nv)
		rc = btr_fail(BTR_EXIT_SYS, "out of memory");
	if (rc < 0) {
		free(r.old);
		free(r.new);
		return -1;
	}
	if (pool) { /* the bytes become C strings */
		r.old[r.old_n] = 0;
		r.new[r.new_n] = 0;
	}
	*v = nv;
	(*v)[(*n)++] = r;
	return 0;
}

int btr_filter_rename_pool(struct btr_filter *f, const char *spec)
{
	return rename_add(&f->rpool, &f->n_rpool, "--rename-pool", spec, 1);
}

int btr_filter_rename_prefix(struct btr_filter *f, const char *spec)
{
	return rename_add(&f->rkey, &f->n_rkey, "--rename-prefix", spec, 0);
}

int btr_filter_from_list(struct btr_filter *f, const char *path)
{
	if (f->list)
		return btr_fail(BTR_EXIT_USAGE, "--from-list given twice (concatenate the lists)");
	return (f->list = btr_flist_load(path)) ? 0 : -1;
}

/* regexec reads a C string (sanitizers check it that way even with REG_STARTEND):
 * give it a terminated copy, and the length, so a NUL inside the name is a byte. */
static int regex_match(struct btr_filter *f, const regex_t *re, const uint8_t *s, size_t n)
{
	if (n + 1 > f->scratchcap) {
		char *b = realloc(f->scratch, n + 1);
		if (!b)
			return 0;
		f->scratch = b;
		f->scratchcap = n + 1;
	}
	if (n)
		memcpy(f->scratch, s, n);
	f->scratch[n] = 0;
	regmatch_t m = {.rm_so = 0, .rm_eo = (regoff_t)n};
	return regexec(re, f->scratch, 1, &m, REG_STARTEND) == 0;
}

static int pat_match(struct btr_filter *f, const struct pat *p, const uint8_t *s, size_t n)
{
	switch (p->kind) {
	case P_EXACT: return n == p->n && (n == 0 || memcmp(s, p->b, n) == 0);
	case P_PREFIX: return n >= p->n && (p->n == 0 || memcmp(s, p->b, p->n) == 0);
	case P_GLOB: return btr_glob_match(p->g, s, n);
	case P_REGEX: return regex_match(f, &p->re, s, n);
	}
	return 0;
}

/* An empty list accepts everything. */
static int field_ok(struct btr_filter *f, const struct patlist *l, const void *s, size_t n)
{
	if (!l->n)
		return 1;
	for (size_t i = 0; i < l->n; i++)
		if (pat_match(f, &l->v[i], s, n))
			return 1;
	return 0;
}

static int ceph_criteria(const struct btr_filter *f)
{
	return f->pools.n || f->nss.n || f->names.n || f->list;
}

static int key_criteria(const struct btr_filter *f)
{
	return f->keys.n || f->list;
}

int btr_filter_keep_ceph(struct btr_filter *f, enum btr_fkind kind, const struct btr_ident *id)
{
	/* The list is consulted first and always, so it knows which entries it saw. */
	int listed = f->list ? btr_flist_has(f->list, kind, id) : 1;
	if (f->only == BTR_FK_KV)
		return 0;
	int sel;
	if (!ceph_criteria(f))
		sel = !key_criteria(f);
	else
		sel = listed && field_ok(f, &f->pools, id->pool, strlen(id->pool)) &&
		      field_ok(f, &f->nss, id->ns.p, id->ns.n) && field_ok(f, &f->names, id->name.p, id->name.n);
	return sel != f->invert;
}

int btr_filter_keep_kv(struct btr_filter *f, const ProtobufCBinaryData *key)
{
	struct btr_ident id = {.pool = "", .name = {(const char *)key->data, key->len}};
	int listed = f->list ? btr_flist_has(f->list, BTR_FK_KV, &id) : 1;
	if (f->only == BTR_FK_OBJECT)
		return 0;
	int sel;
	if (!key_criteria(f))
		sel = !ceph_criteria(f);
	else
		sel = listed && field_ok(f, &f->keys, key->data, key->len);
	return sel != f->invert;
}

/* Three-valued: whether every, no, or some entries of a pool are selected. */
enum { NONE, SOME, ALL };

int btr_filter_keep_pool(struct btr_filter *f, const char *pool)
{
	if (f->only == BTR_FK_KV)
		return 0;
	int sel;
	if (!ceph_criteria(f)) {
		sel = key_criteria(f) ? NONE : ALL;
	} else {
		sel = field_ok(f, &f->pools, pool, strlen(pool)) ? ALL : NONE;
		if (sel == ALL && f->list && !btr_flist_has_pool(f->list, pool))
			sel = NONE;
		if (sel == ALL && (f->nss.n || f->names.n || f->list))
			sel = SOME;
	}
	return f->invert ? sel != ALL : sel != NONE;
}

static int starts(const char *s, const uint8_t *p, size_t n)
{
	return strlen(s) >= n && memcmp(s, p, n) == 0;
}

int btr_filter_segment_whole(const struct btr_filter *f, const Btr__Header *h, const char **prefix)
{
	const char *hp = h->etcd_prefix ? h->etcd_prefix : "";
	*prefix = hp;
	if (h->content && strcmp(h->content, "filtered") == 0)
		return 0;
	if (!h->content || strcmp(h->content, "etcd") != 0)
		/* Ceph: each pool is kept whole or dropped whole unless names decide. */
		return !(f->nss.n || f->names.n || f->list);
	/* etcd: all keys, or all keys under one prefix. */
	int all;
	if (f->only == BTR_FK_OBJECT)
		all = 0;
	else if (!key_criteria(f))
		all = !ceph_criteria(f);
	else if (f->keys.n == 1 && f->keys.v[0].kind == P_PREFIX && !f->list && !f->invert) {
		const struct pat *p = &f->keys.v[0];
		if (memchr(p->b, 0, p->n))
			return 0;
		if (starts(hp, p->b, p->n))
			return 1; /* the header's prefix is already narrower */
		if (p->n < strlen(hp) || memcmp(p->b, hp, strlen(hp)) != 0)
			return 0; /* disjoint: nothing of this segment is kept */
		*prefix = (const char *)p->b; /* NUL-terminated by arg_bytes */
		return 1;
	} else
		return 0;
	return all != f->invert;
}

const char *btr_filter_pool(const struct btr_filter *f, const char *pool)
{
	for (size_t i = 0; i < f->n_rpool; i++)
		if (strcmp((const char *)f->rpool[i].old, pool) == 0)
			return (const char *)f->rpool[i].new;
	return pool;
}

int btr_filter_key(struct btr_filter *f, const uint8_t *key, size_t len, uint8_t **out, size_t *out_len)
{
	for (size_t i = 0; i < f->n_rkey; i++) {
		const struct rename *r = &f->rkey[i];
		if (len < r->old_n || (r->old_n && memcmp(key, r->old, r->old_n) != 0))
			continue;
		size_t n = len - r->old_n + r->new_n;
		if (n + 1 > f->keycap) {
			uint8_t *b = realloc(f->keybuf, n + 1);
			if (!b)
				return btr_fail(BTR_EXIT_SYS, "out of memory");
			f->keybuf = b;
			f->keycap = n + 1;
		}
		if (r->new_n)
			memcpy(f->keybuf, r->new, r->new_n);
		if (len > r->old_n)
			memcpy(f->keybuf + r->new_n, key + r->old_n, len - r->old_n);
		f->keybuf[n] = 0; /* so a renamed header prefix is a C string too */
		*out = f->keybuf;
		*out_len = n;
		return 1;
	}
	return 0;
}

uint64_t btr_filter_list_missing(const struct btr_filter *f, uint64_t *listed)
{
	*listed = f->list ? btr_flist_count(f->list) : 0;
	return f->list ? btr_flist_unseen(f->list) : 0;
}
