/* libFuzzer: arbitrary bytes as a btr-keygen key file (btr-seal -r/-s, btr-unseal -k/--signer).
 * The loader reads a path, so the input goes through a memfd.  Checks that nothing
 * crashes, and that a key that loads is the base64 of the line it came from. */
#include "seal/seal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void check(const char *path, const uint8_t *data, size_t size, const uint8_t k[32], const char *prefix)
{
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof b64, k, 32, sodium_base64_VARIANT_ORIGINAL);
	char want[128];
	snprintf(want, sizeof want, "%s %s", prefix, b64);
	if (!memmem(data, size, want, strlen(want))) {
		fprintf(stderr, "%s: loaded a key that is not in the file\n", path);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init) {
		if (sodium_init() < 0)
			abort();
		init = 1;
	}
	int fd = memfd_create("keyfile", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	uint8_t pk[32];
	if (btr_pubkey_load(path, pk) == 0)
		check(path, data, size, pk, "btr-public-key-1");
	uint8_t *sk = sodium_malloc(32);
	if (!sk)
		abort();
	if (btr_seckey_load(path, sk, 1) == 0) /* parsing, not the file mode, is under test */
		check(path, data, size, sk, "btr-secret-key-1");
	sodium_free(sk);
	/* Signing keys: the public key as written, the secret key's seed (its first half). */
	if (btr_signpub_load(path, pk) == 0)
		check(path, data, size, pk, "btr-sign-public-key-1");
	if (!(sk = sodium_malloc(crypto_sign_SECRETKEYBYTES)))
		abort();
	if (btr_signkey_load(path, sk, 1) == 0)
		check(path, data, size, sk, "btr-sign-secret-key-1");
	sodium_free(sk);
	close(fd);
	return 0;
}
