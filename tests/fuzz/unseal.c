/* libFuzzer: arbitrary bytes as a sealed stream, unsealed with a fixed secret key.
 * The seeds are streams sealed to that key, so the fuzzer reaches the chunk and
 * decompression paths, not only the header. */
#include "seal/seal.h"

#include <sodium.h>
#include <stdio.h>
#include <unistd.h>

/* The fuzz identity (public key in tests/fuzz/corpus/unseal/README). */
static const uint8_t sk[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
			       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init && (init = 1) && sodium_init() < 0)
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
	struct btr_unseal_keys k = {.sk = sk, .pass = {.fd = -1}};
	btr_unseal(fileno(f), -1, &k);
	fclose(f);
	return 0;
}
