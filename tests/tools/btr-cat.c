/* btr-cat [-m] POOL NAMESPACE NAME < STREAM: the data of that object on stdout, or with -m
 * its metadata: "xattr NAME VALUE" and "omap KEY VALUE" lines (escaped), then
 * "omap_entries N".  Exit 4 when the stream has no such object.  For tests: an
 * extraction that does not go through ceph-load. */
#include "err.h"
#include "tool.h"
#include "stream/stream.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int is(const ProtobufCBinaryData *b, const char *s)
{
	return b->len == strlen(s) && (!b->len || !memcmp(b->data, s, b->len));
}

int main(int argc, char **argv)
{
	int meta = 0, found = 0;
	char a[4096], b[4096];
	btr_init(argv[0]);
	if (argc > 1 && !strcmp(argv[1], "-m")) {
		meta = 1;
		argv++;
		argc--;
	}
	if (argc != 4)
		btr_usage_error("usage: btr-cat [-m] POOL NAMESPACE NAME < STREAM");
	struct btr_reader *r = btr_reader_new(0, "stdin");
	struct btr_record rec;
	int rc;
	unsigned long long omap = 0;
	while ((rc = btr_reader_next(r, &rec)) == 1) {
		const Btr__ObjectBegin *o = rec.type == BTR_OBJECT_BEGIN ? rec.u.begin : rec.object;
		if (!o || strcmp(o->pool, argv[1]) || !is(&o->namespace_, argv[2]) || !is(&o->name, argv[3]))
			continue;
		found = 1;
		if (rec.type == BTR_OBJECT_BEGIN && meta)
			for (size_t i = 0; i < o->n_xattrs; i++)
				printf("xattr %s %s\n", btr_escape(o->xattrs[i]->name.data, o->xattrs[i]->name.len, a, sizeof a),
				       btr_escape(o->xattrs[i]->value.data, o->xattrs[i]->value.len, b, sizeof b));
		if (rec.type == BTR_OBJECT_DATA && !meta)
			fwrite(rec.data, 1, rec.data_len, stdout);
		if (rec.type == BTR_OBJECT_OMAP && meta)
			for (size_t i = 0; i < rec.u.omap->n_entries; i++, omap++)
				printf("omap %s %s\n", btr_escape(rec.u.omap->entries[i]->key.data, rec.u.omap->entries[i]->key.len, a, sizeof a),
				       btr_escape(rec.u.omap->entries[i]->value.data, rec.u.omap->entries[i]->value.len, b, sizeof b));
	}
	if (rc < 0)
		btr_die_last();
	if (meta && found)
		printf("omap_entries %llu\n", omap);
	btr_reader_free(r);
	if (fflush(stdout) != 0)
		return 3;
	return found ? 0 : 4;
}
