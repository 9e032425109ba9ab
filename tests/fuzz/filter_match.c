/* libFuzzer: btr-filter's matching on hostile names.  Input: a pattern, a NUL, then
 * a name (any bytes).  Checks that nothing crashes or hangs, that the byte glob
 * agrees with fnmatch(3) wherever both apply (no backslash, no NUL in the name, no
 * collating brackets), that escaping round-trips, and that a listing line made from
 * the name is read back by --from-list as exactly that entry. */
#include "filter/filter.h"
#include "stream/stream.h"

#include <fnmatch.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_glob(const char *pat, const uint8_t *name, size_t n)
{
	struct btr_glob *g = btr_glob_compile(pat);
	if (!g)
		return;
	int mine = btr_glob_match(g, name, n);
	btr_glob_free(g);
	if (strchr(pat, '\\') || strstr(pat, "[.") || strstr(pat, "[=") || memchr(name, 0, n))
		return;
	char *s = strndup((const char *)name, n);
	if (!s)
		return;
	int theirs = fnmatch(pat, s, 0) == 0;
	free(s);
	if (mine != theirs) {
		fprintf(stderr, "glob '%s' on '%.*s': ours %d, fnmatch %d\n", pat, (int)n, (const char *)name, mine, theirs);
		abort();
	}
}

static void check_escape(const uint8_t *name, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return;
	btr_list_field_write(f, name, n);
	fclose(f);
	uint8_t *back = malloc(len + 1);
	ssize_t k = back ? btr_list_field_parse(text, back) : -1;
	if (!back || k != (ssize_t)n || (n && memcmp(back, name, n) != 0) || strpbrk(text, " \t\n")) {
		fprintf(stderr, "listing field '%s' does not round-trip\n", text);
		abort();
	}
	free(back);
	free(text);
}

/* The name as object and key of a one-line list; both must be found again. */
static void check_list(const uint8_t *name, size_t n)
{
	char path[] = "/tmp/fuzz-flist.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return;
	FILE *f = fdopen(fd, "w");
	fputs("object pool - ", f);
	btr_list_field_write(f, name, n);
	fputs(" 0\nkv - - ", f);
	btr_list_field_write(f, name, n);
	fputs(" 0\n", f);
	fclose(f);
	struct btr_flist *l = btr_flist_load(path);
	unlink(path);
	if (!l)
		abort();
	struct btr_ident id = {.pool = "pool", .name = {(const char *)name, n}};
	if (!btr_flist_has(l, BTR_FK_OBJECT, &id) || !btr_flist_has(l, BTR_FK_KV, &id) || btr_flist_unseen(l) != 0)
		abort();
	btr_flist_free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	if (!nul || size > 4096)
		return 0;
	const char *pat = (const char *)data;
	const uint8_t *name = nul + 1;
	size_t n = size - (size_t)(name - data);
	check_glob(pat, name, n);
	check_escape(name, n);
	if (n > 0)
		check_list(name, n);

	/* The whole decision path, with the pattern as every kind of criterion. */
	struct btr_filter *f = btr_filter_new();
	if (!f)
		return 0;
	btr_filter_add(f, BTR_F_OBJECT_GLOB, pat);
	btr_filter_add(f, BTR_F_KEY_PREFIX, pat);
	btr_filter_add(f, BTR_F_NAMESPACE, pat);
	btr_filter_rename_prefix(f, pat);
	ProtobufCBinaryData nm = {n, (uint8_t *)name};
	struct btr_ident id = {.pool = "pool", .ns = {(const char *)name, n}, .name = {(const char *)name, n}};
	btr_filter_keep_ceph(f, BTR_FK_OBJECT, &id);
	btr_filter_keep_kv(f, &nm);
	btr_filter_keep_pool(f, pat);
	uint8_t *k;
	size_t kn;
	btr_filter_key(f, name, n, &k, &kn);
	btr_filter_free(f);
	return 0;
}
