/* What btr-inspect reports: totals per stream, per pool and per namespace, the
 * listing line of each entry, and the summary in text or JSON. */
#ifndef BTR_INSPECT_H
#define BTR_INSPECT_H
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "stream.h"

struct btr_inspect_pool {
	char *name;
	uint64_t objects, bytes, deletions;
	char **ns;      /* distinct namespaces, escaped, at most INSPECT_MAX_NS */
	size_t n_ns;
	int ns_more;    /* more namespaces than listed */
};

struct btr_inspect {
	uint64_t segments, objects, bytes, omap_entries, xattrs, kvs, kv_bytes, leased;
	uint64_t deletions, index_entries;
	struct btr_inspect_pool *pools;
	size_t n_pools;
	int pools_more;
	int64_t etcd_revision;
	char producer[64];
};

void btr_inspect_init(struct btr_inspect *s);
void btr_inspect_free(struct btr_inspect *s);
/* Accounts one record (already verified by the reader). */
int btr_inspect_add(struct btr_inspect *s, const struct btr_record *rec);
/* One listing line per entry (object at its end, key, deletion, index entry):
 *   KIND POOL NAMESPACE NAME SIZE [key=value ...]
 * fields never truncated, escaped with btr_escape (so no field holds white space),
 * an empty field as "-" (a literal "-" as \x2d); objects, deletions and index
 * entries with a locator key carry locator=ESCAPED.
 * json: one JSON object per line instead.  Does nothing for other records. */
void btr_inspect_list(FILE *f, const struct btr_record *rec, int json);
void btr_inspect_report(FILE *f, const struct btr_inspect *s);
void btr_inspect_report_json(FILE *f, const struct btr_inspect *s);
/* Escaped field as used in listings, into a buffer (truncated with "..." when short). */
char *btr_list_field(const void *p, size_t n, char *out, size_t outlen);
/* The same, written whole to f. */
void btr_list_field_write(FILE *f, const void *p, size_t n);
/* Reverse of a listing field ("-" is empty).  out needs strlen(s) bytes.
 * Returns the length or -1 on a malformed escape. */
ssize_t btr_list_field_parse(const char *s, uint8_t *out);
#endif
