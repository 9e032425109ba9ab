/* libFuzzer: arbitrary bytes as a sealed-stream header.  A header that parses
 * encodes back to the very bytes it came from (the signature block included), and
 * parsing never reads past them. */
#include "seal/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btr_seal_header h;
	size_t used;
	if (btr_seal_header_parse(data, size, &h, &used) == 0) {
		uint8_t out[BTR_SEAL_MAX_HEADER];
		size_t n = btr_seal_header_encode(&h, out);
		if (n != used || used + BTR_SEAL_MAC > size || memcmp(out, data, n) != 0 ||
		    used + BTR_SEAL_MAC > BTR_SEAL_MAX_HEADER ||
		    ((h.flags & BTR_SEAL_FLAG_SIGNED) && memcmp(h.sig, data + used - sizeof h.sig, sizeof h.sig) != 0)) {
			fprintf(stderr, "header of %zu bytes re-encodes to %zu other bytes\n", used, n);
			abort();
		}
	}
	return 0;
}
