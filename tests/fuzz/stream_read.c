/* libFuzzer: arbitrary bytes as a record stream.  The reader must refuse anything
 * malformed with an error, never crash, hang or read out of bounds. */
#include "stream/stream.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

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
	btr_reader_free(r);
	fclose(f);
	return (int)(sum & 0);
}
