/* libFuzzer: arbitrary bytes through the btr-filter pass.  The first byte picks the
 * criteria; the rest is the input stream.  Whatever the input, nothing crashes, and
 * when the filter succeeds its output is a stream that verifies completely; when it
 * fails, its output never does.  Memory stays within the reader's decoding budget
 * (a small one here, as in stream_read) plus the fixed buffers of reader and writer. */
#include "filter/filter.h"
#include "heap.h"
#include "progress.h"
#include "stream/stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static FILE *file_of(const uint8_t *p, size_t n)
{
	FILE *f = tmpfile();
	if (f && n && fwrite(p, 1, n, f) != n) {
		fclose(f);
		return NULL;
	}
	if (f) {
		fflush(f);
		lseek(fileno(f), 0, SEEK_SET);
	}
	return f;
}

/* trust = 1: as the filter's own reader does by default, object digests unchecked. */
static int verifies(int fd, int trust)
{
	struct btr_reader *r = btr_reader_new(fd, "out");
	struct btr_record rec;
	int rc;
	lseek(fd, 0, SEEK_SET);
	btr_reader_trust_object_digests(r, trust);
	while ((rc = btr_reader_next(r, &rec)) == 1)
		;
	btr_reader_free(r);
	return rc == 0;
}

#define BUDGET (1u << 20)
/* Reader 4 MiB, writer 1 MiB, one re-emitted frame of at most the input's size. */
#define FIXED (8u << 20)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	btr_reader_default_budget(BUDGET);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (1u << 20))
		return 0;
	uint8_t sel = data[0];
	FILE *in = file_of(data + 1, size - 1), *out = tmpfile();
	struct btr_filter *f = btr_filter_new();
	if (!in || !out || !f)
		abort();
	if (sel & 1)
		btr_filter_add(f, BTR_F_POOL, "btrdbhot");
	if (sel & 2)
		btr_filter_add(f, BTR_F_OBJECT_GLOB, "*a*");
	if (sel & 4)
		btr_filter_add(f, BTR_F_KEY_PREFIX, "btrdb/");
	if (sel & 8)
		btr_filter_invert(f);
	if (sel & 16)
		btr_filter_rename_pool(f, "btrdbhot:x");
	if (sel & 32)
		btr_filter_rename_prefix(f, "b:\\x00");
	if (sel & 64)
		btr_filter_verify_objects(f);
	struct btr_filter_stats st;
	size_t mark = heap_mark();
	int rc = btr_filter_run(f, fileno(in), fileno(out), BTR_PROGRESS_OFF, &st);
	if (heap_peak(mark) > BUDGET + FIXED) {
		fprintf(stderr, "memory over the budget: heap %zu bytes\n", heap_peak(mark));
		abort();
	}
	int verify = sel & 64;
	int ok = verifies(fileno(out), 0);
	/* A failed filter never leaves a stream that verifies. */
	if (rc < 0 && ok)
		abort();
	/* A successful one always does, except that without --verify a damaged object
	 * passes here (its digest unchanged) to fail downstream: only an input that does
	 * not verify itself may give such an output. */
	if (rc == 0 && !ok && (verify || !verifies(fileno(out), 1) || verifies(fileno(in), 0)))
		abort();
	btr_filter_free(f);
	fclose(in);
	fclose(out);
	return 0;
}
