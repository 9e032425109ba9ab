/* libFuzzer: arbitrary bytes as a btr-filter --from-list file (lines of btr-inspect -l,
 * or anything a user hands over).  filter_match.c checks lines made from names; this
 * one feeds hostile files: long lines, bad escapes, missing fields, NULs, no newline. */
#include "filter/filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("flist", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct btr_flist *l = btr_flist_load(path);
	close(fd);
	if (!l)
		return 0;
	/* Lookups of a few entries, some of which may be listed. */
	struct btr_ident id = {.pool = "pool", .name = {(const char *)data, size < 8 ? size : 8}};
	btr_flist_has(l, BTR_FK_OBJECT, &id);
	btr_flist_has(l, BTR_FK_KV, &id);
	btr_flist_has_pool(l, "pool");
	if (btr_flist_unseen(l) > btr_flist_count(l))
		abort();
	btr_flist_free(l);
	return 0;
}
