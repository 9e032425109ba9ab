/* libFuzzer: arbitrary bytes as a sealed-stream header. */
#include "seal/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seal_header h;
	size_t used;
	if (seal_header_parse(data, size, &h, &used) == 0) {
		uint8_t out[SEAL_MAX_HEADER];
		seal_header_encode(&h, out);
	}
	return 0;
}
