#include "stream.h"
#include "err.h"
#include "size.h"
#include "xxh128.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define BTR_INSPECT_MAX_NS 256
#define INSPECT_MAX_POOLS 4096
#define FIELD 4200

void btr_inspect_init(struct btr_inspect *s)
{
	memset(s, 0, sizeof *s);
}

void btr_inspect_free(struct btr_inspect *s)
{
	for (size_t i = 0; i < s->n_pools; i++) {
		for (size_t j = 0; j < s->pools[i].n_ns; j++)
			free(s->pools[i].ns[j]);
		free(s->pools[i].ns);
		free(s->pools[i].name);
	}
	free(s->pools);
}

char *btr_list_field(const void *p, size_t n, char *out, size_t outlen)
{
	if (n == 0)
		snprintf(out, outlen, "-");
	else if (n == 1 && *(const char *)p == '-')
		snprintf(out, outlen, "\\x2d");
	else
		btr_escape(p, n, out, outlen);
	return out;
}

void btr_list_field_write(FILE *f, const void *p, size_t n)
{
	const uint8_t *s = p;
	char e[5];
	if (n == 0 || (n == 1 && s[0] == '-')) {
		fputs(n ? "\\x2d" : "-", f);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = btr_escape_byte(s[i], e);
		if (k == 1)
			putc(e[0], f);
		else
			fwrite(e, 1, k, f);
	}
}

ssize_t btr_list_field_parse(const char *s, uint8_t *out)
{
	if (strcmp(s, "-") == 0)
		return 0;
	return btr_unescape(s, out);
}

/* The pool named `name`, added when new; NULL past the bound (hostile streams). */
static struct btr_inspect_pool *pool(struct btr_inspect *s, const char *name)
{
	for (size_t i = 0; i < s->n_pools; i++)
		if (strcmp(s->pools[i].name, name) == 0)
			return &s->pools[i];
	if (s->n_pools >= INSPECT_MAX_POOLS) {
		s->pools_more = 1;
		return NULL;
	}
	struct btr_inspect_pool *np = realloc(s->pools, (s->n_pools + 1) * sizeof *np);
	if (!np)
		return NULL;
	s->pools = np;
	struct btr_inspect_pool *p = &s->pools[s->n_pools];
	memset(p, 0, sizeof *p);
	if (!(p->name = strdup(name)))
		return NULL;
	s->n_pools++;
	return p;
}

static void add_ns(struct btr_inspect_pool *p, const ProtobufCBinaryData *ns)
{
	char e[FIELD];
	btr_list_field(ns->data, ns->len, e, sizeof e);
	for (size_t i = 0; i < p->n_ns; i++)
		if (strcmp(p->ns[i], e) == 0)
			return;
	if (p->n_ns >= BTR_INSPECT_MAX_NS) {
		p->ns_more = 1;
		return;
	}
	char **n = realloc(p->ns, (p->n_ns + 1) * sizeof *n);
	if (!n)
		return;
	p->ns = n;
	if ((p->ns[p->n_ns] = strdup(e)))
		p->n_ns++;
}

int btr_inspect_add(struct btr_inspect *s, const struct btr_record *rec)
{
	struct btr_inspect_pool *p;
	switch (rec->type) {
	case BTR_HEADER:
		if (rec->u.header->etcd_revision)
			s->etcd_revision = rec->u.header->etcd_revision;
		snprintf(s->producer, sizeof s->producer, "%s", rec->u.header->producer ? rec->u.header->producer : "");
		break;
	case BTR_TRAILER:
		s->segments++;
		break;
	case BTR_OBJECT_BEGIN:
		s->objects++;
		s->xattrs += rec->u.begin->n_xattrs;
		if ((p = pool(s, rec->u.begin->pool))) {
			p->objects++;
			p->bytes += rec->u.begin->size;
			add_ns(p, &rec->u.begin->namespace_);
		}
		break;
	case BTR_OBJECT_DATA:
		s->bytes += rec->data_len;
		break;
	case BTR_OBJECT_OMAP:
		s->omap_entries += rec->u.omap->n_entries;
		break;
	case BTR_KV:
		s->kvs++;
		s->kv_bytes += rec->u.kv->key.len + rec->u.kv->value.len;
		if (rec->u.kv->lease)
			s->leased++;
		break;
	case BTR_DELETE:
		s->deletions++;
		if ((p = pool(s, rec->u.del->pool))) {
			p->deletions++;
			add_ns(p, &rec->u.del->namespace_);
		}
		break;
	case BTR_INDEX:
		s->index_entries++;
		break;
	}
	return 0;
}

static void json_str(FILE *f, const void *p, size_t n)
{
	const uint8_t *s = p;
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			fprintf(f, "\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] >= 0x7f)
			fprintf(f, "\\u%04x", s[i]); /* bytes, not UTF-8: each byte as U+00XX */
		else
			fputc(s[i], f);
	}
	fputc('"', f);
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

/* KIND POOL NAMESPACE NAME, the identity --from-list matches on. */
static void list_ident(FILE *f, const char *kind, const struct btr_ident *id)
{
	fprintf(f, "%s ", kind);
	btr_list_field_write(f, id->pool, strlen(id->pool));
	putc(' ', f);
	btr_list_field_write(f, id->ns.p, id->ns.n);
	putc(' ', f);
	btr_list_field_write(f, id->name.p, id->name.n);
}

static void list_locator(FILE *f, const struct btr_ident *id)
{
	if (!id->loc.n)
		return;
	fputs(" locator=", f);
	btr_list_field_write(f, id->loc.p, id->loc.n);
}

/* The same in JSON: {"kind":KIND,"pool":...,"namespace":...,"name":... (left open). */
static void json_ident(FILE *f, const char *kind, const struct btr_ident *id)
{
	fprintf(f, "{\"kind\":\"%s\",\"pool\":", kind);
	json_str(f, id->pool, strlen(id->pool));
	fprintf(f, ",\"namespace\":");
	json_str(f, id->ns.p, id->ns.n);
	fprintf(f, ",\"name\":");
	json_str(f, id->name.p, id->name.n);
}

void btr_inspect_list(FILE *f, const struct btr_record *rec, int json)
{
	const Btr__ObjectBegin *o;
	struct btr_ident id;
	btr_ident_of(&id, rec);
	switch (rec->type) {
	case BTR_OBJECT_END: {
		/* The object digest as the stream holds it (checked by the reader), so that a
		 * reader of another kind can recompute it from what a cluster gives back. */
		char d[2 * BTR_DIGEST_LEN + 1] = "";
		const ProtobufCBinaryData *dg = &rec->u.end->digest;
		if (dg->len <= BTR_DIGEST_LEN)
			hex(d, dg->data, dg->len);
		o = rec->object;
		if (json) {
			json_ident(f, "object", &id);
			fprintf(f, ",\"locator\":");
			json_str(f, id.loc.p, id.loc.n);
			fprintf(f, ",\"size\":%" PRIu64 ",\"mtime\":%" PRId64 ",\"version\":%" PRIu64
				   ",\"xattrs\":%zu,\"digest\":\"%s\"}\n",
				o->size, o->mtime, o->version, o->n_xattrs, d);
		} else {
			list_ident(f, "object", &id);
			fprintf(f, " %" PRIu64, o->size);
			list_locator(f, &id);
			fprintf(f, " mtime=%" PRId64 " version=%" PRIu64 " xattrs=%zu digest=%s\n", o->mtime, o->version,
				o->n_xattrs, d);
		}
		break;
	}
	case BTR_KV: {
		const Btr__KeyValue *kv = rec->u.kv;
		/* A key has no digest of its own in the stream: its value's XXH3-128, for
		 * comparing with a value read back by another client (btrdb-backup drill). */
		struct btr_xxh128 h;
		uint8_t v[BTR_XXH128_BYTES];
		char vd[2 * BTR_XXH128_BYTES + 1];
		btr_xxh128_init(&h);
		btr_xxh128_update(&h, kv->value.data, kv->value.len);
		btr_xxh128_final(&h, v);
		hex(vd, v, sizeof v);
		if (json) {
			fprintf(f, "{\"kind\":\"kv\",\"key\":");
			json_str(f, kv->key.data, kv->key.len);
			fprintf(f, ",\"size\":%zu,\"mod_revision\":%" PRId64 ",\"lease\":%" PRId64 ",\"value_xxh128\":\"%s\"}\n",
				kv->value.len, kv->mod_revision, kv->lease, vd);
		} else {
			fputs("kv - - ", f);
			btr_list_field_write(f, kv->key.data, kv->key.len);
			fprintf(f, " %zu mod_revision=%" PRId64 " lease=%" PRId64 " value_xxh128=%s\n", kv->value.len,
				kv->mod_revision, kv->lease, vd);
		}
		break;
	}
	case BTR_DELETE:
		if (json) {
			json_ident(f, "delete", &id);
			fprintf(f, "}\n");
		} else {
			list_ident(f, "delete", &id);
			fputs(" -", f);
			list_locator(f, &id);
			fputc('\n', f);
		}
		break;
	case BTR_INDEX: {
		const Btr__IndexEntry *e = rec->u.index;
		char d[2 * BTR_DIGEST_LEN + 1] = "";
		if (e->digest.len <= BTR_DIGEST_LEN) /* 16 bytes in format 2, 32 in format 1 */
			hex(d, e->digest.data, e->digest.len);
		if (json) {
			json_ident(f, "index", &id);
			fprintf(f, ",\"size\":%" PRIu64 ",\"version\":%" PRIu64 ",\"digest\":\"%s\"}\n", e->size, e->version, d);
		} else {
			list_ident(f, "index", &id);
			fprintf(f, " %" PRIu64, e->size);
			list_locator(f, &id);
			fprintf(f, " version=%" PRIu64 " digest=%s\n", e->version, d);
		}
		break;
	}
	}
}

void btr_inspect_report(FILE *f, const struct btr_inspect *s)
{
	char b[32];
	fprintf(f, "archive contains %" PRIu64 " ceph objects and %" PRIu64 " etcd records\n", s->objects, s->kvs);
	fprintf(f, "the following %zu pools are referenced:\n", s->n_pools);
	for (size_t i = 0; i < s->n_pools; i++) {
		const struct btr_inspect_pool *p = &s->pools[i];
		fprintf(f, " - %s: %" PRIu64 " objects, %s", p->name, p->objects, btr_fmt_size(p->bytes, b, sizeof b));
		if (p->deletions)
			fprintf(f, ", %" PRIu64 " deletions", p->deletions);
		fprintf(f, "; namespaces:");
		for (size_t j = 0; j < p->n_ns; j++)
			fprintf(f, " %s", strcmp(p->ns[j], "-") == 0 ? "(default)" : p->ns[j]);
		fprintf(f, "%s\n", p->ns_more ? " ..." : "");
	}
	if (s->pools_more)
		fprintf(f, " - ... (more pools than listed)\n");
	fprintf(f, "segments: %" PRIu64 "\n", s->segments);
	fprintf(f, "object data: %s (%" PRIu64 " bytes)\n", btr_fmt_size(s->bytes, b, sizeof b), s->bytes);
	fprintf(f, "xattrs: %" PRIu64 "\n", s->xattrs);
	fprintf(f, "omap entries: %" PRIu64 "\n", s->omap_entries);
	fprintf(f, "deletions: %" PRIu64 "\n", s->deletions);
	fprintf(f, "index entries: %" PRIu64 "\n", s->index_entries);
	fprintf(f, "etcd keys: %" PRIu64 " (%" PRIu64 " lease-bound), %s\n", s->kvs, s->leased,
		btr_fmt_size(s->kv_bytes, b, sizeof b));
	if (s->etcd_revision)
		fprintf(f, "etcd revision: %" PRId64 "\n", s->etcd_revision);
	if (s->sample_pct)
		fprintf(f, "object digests verified for %" PRIu64 " of %" PRIu64 " objects (a %u%% sample); all trailers and segment digests verified\n",
			s->digests_checked, s->objects, s->sample_pct);
	else
		fprintf(f, "all digests and trailers verified\n");
}

void btr_inspect_report_json(FILE *f, const struct btr_inspect *s)
{
	fprintf(f, "{\"verified\":true,\"segments\":%" PRIu64 ",\"ceph_objects\":%" PRIu64 ",\"etcd_records\":%" PRIu64
		   ",\"data_bytes\":%" PRIu64 ",\"xattrs\":%" PRIu64 ",\"omap_entries\":%" PRIu64 ",\"deletions\":%" PRIu64
		   ",\"index_entries\":%" PRIu64 ",\"lease_bound_keys\":%" PRIu64 ",\"etcd_revision\":%" PRId64
		   ",\"object_digests_checked\":%" PRIu64 ",\"pools\":[",
		s->segments, s->objects, s->kvs, s->bytes, s->xattrs, s->omap_entries, s->deletions, s->index_entries,
		s->leased, s->etcd_revision, s->sample_pct ? s->digests_checked : s->objects);
	for (size_t i = 0; i < s->n_pools; i++) {
		const struct btr_inspect_pool *p = &s->pools[i];
		fprintf(f, "%s{\"name\":", i ? "," : "");
		json_str(f, p->name, strlen(p->name));
		fprintf(f, ",\"objects\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"deletions\":%" PRIu64 ",\"namespaces\":[",
			p->objects, p->bytes, p->deletions);
		for (size_t j = 0; j < p->n_ns; j++) {
			uint8_t raw[FIELD];
			ssize_t n = strcmp(p->ns[j], "-") == 0 ? 0 : btr_unescape(p->ns[j], raw);
			fprintf(f, "%s", j ? "," : "");
			json_str(f, raw, n > 0 ? (size_t)n : 0);
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]}\n");
}

static void sample_draw(struct btr_inspect *s, struct btr_reader *r)
{
	s->trusting = s->sample_pct < 100 && randombytes_uniform(100) >= s->sample_pct;
	btr_reader_trust_object_digests(r, s->trusting);
}

void btr_inspect_sample_start(struct btr_inspect *s, struct btr_reader *r, unsigned pct)
{
	s->sample_pct = pct;
	sample_draw(s, r);
}

/* The draw for the next object is made between objects, so the reader never
 * changes its mind inside one. */
void btr_inspect_sample_step(struct btr_inspect *s, struct btr_reader *r, const struct btr_record *rec)
{
	if (!s->sample_pct || rec->type != BTR_OBJECT_END)
		return;
	if (!s->trusting)
		s->digests_checked++;
	sample_draw(s, r);
}
