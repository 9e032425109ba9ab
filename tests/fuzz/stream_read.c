/* libFuzzer: arbitrary bytes as a record stream.  The reader must refuse anything
 * malformed with an error, never crash, hang or read out of bounds, and never hold
 * more memory than its input buffer and its decoding budget (a small one here, so
 * that inputs of 1 MiB can show an amplification: 32 bytes of allocations per input
 * byte would pass unseen under the tools' 64 MiB). */
#include "heap.h"
#include "stream/stream.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define BUDGET (1u << 20)
/* The reader's 4 MiB input buffer and its own state, besides the budget. */
#define READER_FIXED ((4u << 20) + (64u << 10))

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	btr_reader_default_budget(BUDGET);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	FILE *f = tmpfile();
	if (!f)
		return 0;
	if (size && fwrite(data, 1, size, f) != size) {
		fclose(f);
		return 0;
	}
	fflush(f);
	lseek(fileno(f), 0, SEEK_SET);
	size_t mark = heap_mark();
	struct btr_reader *r = btr_reader_new(fileno(f), "fuzz");
	struct btr_record rec;
	uint64_t sum = 0;
	while (btr_reader_next(r, &rec) == 1) {
		/* Touch what a consumer touches. */
		if (rec.type == BTR_OBJECT_DATA)
			for (size_t i = 0; i < rec.data_len; i++)
				sum += rec.data[i];
		if (rec.object)
			sum += rec.object->name.len + rec.object->size;
	}
	if (btr_reader_decode_peak(r) > BUDGET || heap_peak(mark) > BUDGET + READER_FIXED) {
		fprintf(stderr, "memory over the budget: decoding %zu, heap %zu bytes\n", btr_reader_decode_peak(r),
			heap_peak(mark));
		abort();
	}
	btr_reader_free(r);
	fclose(f);
	return (int)(sum & 0);
}
