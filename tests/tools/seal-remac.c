/* seal-remac KEY < SEALED > SEALED: recomputes the header MAC of a stream sealed to
 * KEY's public key, as only a holder of the secret key can.  For tests: a header
 * edited behind the MAC (a flipped signature, another timestamp, a signature block
 * from another stream) then reaches the signature check instead of failing the MAC. */
#include "err.h"
#include "tool.h"
#include "io.h"
#include "seal/format.h"
#include "seal/seal.h"

#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	btr_init(argv[0]);
	if (argc != 2)
		btr_usage_error("usage: seal-remac KEY < SEALED > SEALED");
	size_t cap = 1 << 20, n = 0;
	uint8_t *buf = malloc(cap);
	ssize_t r;
	while (buf && (r = btr_read_or_fail(0, buf + n, cap - n, "stdin")) > 0) {
		n += (size_t)r;
		if (n == cap && !(buf = realloc(buf, cap *= 2)))
			break;
	}
	uint8_t *sk = sodium_malloc(32), *fk = sodium_malloc(32), pk[32];
	struct btr_seal_header h;
	size_t used;
	if (!buf || !sk || !fk)
		btr_die(BTR_EXIT_SYS, "out of memory");
	if (btr_seckey_load(argv[1], sk, 1) < 0 || btr_seal_header_parse(buf, n, &h, &used) < 0)
		btr_die_last();
	if (h.mode != BTR_SEAL_MODE_RECIPIENTS)
		btr_die(BTR_EXIT_USAGE, "not sealed to a key");
	crypto_scalarmult_base(pk, sk);
	unsigned i;
	for (i = 0; i < h.n_recipients; i++)
		if (crypto_box_seal_open(fk, h.wrapped[i], BTR_SEAL_WRAPPED, pk, sk) == 0)
			break;
	if (i == h.n_recipients)
		btr_die(BTR_EXIT_DATA, "not sealed to this key");
	btr_seal_header_mac(buf, used, fk, buf + used);
	if (btr_write_or_fail(1, buf, n, "stdout") < 0)
		btr_die_last();
	sodium_free(sk);
	sodium_free(fk);
	free(buf);
	return 0;
}
