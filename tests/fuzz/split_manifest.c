/* libFuzzer: arbitrary text as a btr-split manifest. */
#include "split/split.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btr_split_manifest m;
	if (btr_split_manifest_parse((const char *)data, size, &m) == 0) {
		char *s = btr_split_manifest_format(&m);
		free(s);
		btr_split_manifest_free(&m);
	}
	return 0;
}
