/* lib/seal/ss.c against libsodium itself: the same state and message give the same
 * bytes; each side opens the other's stream; a changed byte is refused; the rekey and
 * the counter's wrap happen as libsodium does them. */
#include "t.h"
#include "seal/ss.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define AB crypto_secretstream_xchacha20poly1305_ABYTES
#define MAXM (300u << 10)

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	struct btr_ss *s = btr_ss_new();
	T_CHECK("OpenSSL gives ChaCha20 and Poly1305", s != NULL);
	if (!s)
		return t_done();
	static const size_t lens[] = {0, 1, 15, 16, 17, 47, 48, 63, 64, 65, 1000, 4096, 256u << 10, MAXM};
	static const unsigned char tags[] = {0, crypto_secretstream_xchacha20poly1305_TAG_PUSH,
					     crypto_secretstream_xchacha20poly1305_TAG_REKEY, 0,
					     crypto_secretstream_xchacha20poly1305_TAG_FINAL};
	unsigned char key[32], hdr[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	unsigned char *m = malloc(MAXM), *a = malloc(MAXM + AB), *b = malloc(MAXM + AB), *p = malloc(MAXM);
	crypto_secretstream_xchacha20poly1305_state sa, sb, pa, pb;
	crypto_secretstream_xchacha20poly1305_keygen(key);
	crypto_secretstream_xchacha20poly1305_init_push(&sa, hdr, key);
	sb = sa;
	crypto_secretstream_xchacha20poly1305_init_pull(&pa, hdr, key);
	pb = pa;
	int same = 1, opened = 1, round = 1;
	for (int r = 0; r < 3; r++) {
		if (r == 2) { /* the 32-bit counter about to wrap: both must rekey */
			memset(sa.nonce, 0xff, 4);
			memset(pa.nonce, 0xff, 4);
			sb = sa, pb = pa;
		}
		for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
			unsigned char tag = tags[i % (sizeof tags / sizeof *tags)], ta = 0xff, tb = 0xff;
			randombytes_buf(m, lens[i]);
			unsigned long long al;
			size_t ml = 0;
			crypto_secretstream_xchacha20poly1305_push(&sa, a, &al, m, lens[i], NULL, 0, tag);
			if (btr_ss_push(s, &sb, b, m, lens[i], tag) != 0 || al != lens[i] + AB || memcmp(a, b, al) != 0 ||
			    memcmp(&sa, &sb, sizeof sa) != 0)
				same = 0;
			/* ours opens libsodium's message; libsodium opens ours (they are the same) */
			if (btr_ss_pull(s, &pb, p, &ml, &tb, a, (size_t)al) != 0 || ml != lens[i] || tb != tag ||
			    memcmp(p, m, ml) != 0)
				opened = 0;
			unsigned long long pl;
			if (crypto_secretstream_xchacha20poly1305_pull(&pa, p, &pl, &ta, b, (size_t)al, NULL, 0) != 0 ||
			    pl != lens[i] || ta != tag || memcmp(&pa, &pb, sizeof pa) != 0)
				round = 0;
		}
	}
	T_CHECK("btr_ss_push writes libsodium's bytes and leaves its state", same);
	T_CHECK("btr_ss_pull opens libsodium's messages, with their tags", opened);
	T_CHECK("libsodium opens btr_ss_push's messages; the pull states agree", round);

	/* Any changed byte (tag byte, body, MAC) is refused, and the state does not move. */
	int refused = 1;
	size_t n = 1000;
	randombytes_buf(m, n);
	crypto_secretstream_xchacha20poly1305_state pkeep = pb;
	btr_ss_push(s, &sb, b, m, n, 0);
	size_t spots[] = {0, 1, n / 2, n, n + AB - 1};
	for (size_t i = 0; i < sizeof spots / sizeof *spots; i++) {
		crypto_secretstream_xchacha20poly1305_state t = pkeep;
		size_t ml;
		unsigned char tg;
		b[spots[i]] ^= 0x20;
		if (btr_ss_pull(s, &t, p, &ml, &tg, b, n + AB) == 0 || memcmp(&t, &pkeep, sizeof t) != 0)
			refused = 0;
		b[spots[i]] ^= 0x20;
	}
	size_t ml;
	unsigned char tg;
	crypto_secretstream_xchacha20poly1305_state t = pkeep;
	T_CHECK("a changed byte anywhere is refused", refused);
	T_CHECK("the unchanged message still opens", btr_ss_pull(s, &t, p, &ml, &tg, b, n + AB) == 0 && ml == n);
	T_CHECK("a message shorter than its overhead is refused", btr_ss_pull(s, &t, p, &ml, &tg, b, AB - 1) != 0);

	/* Without OpenSSL's primitives the same calls are libsodium's. */
	crypto_secretstream_xchacha20poly1305_state x = sa, y = sa;
	unsigned long long al;
	crypto_secretstream_xchacha20poly1305_push(&x, a, &al, m, 100, NULL, 0, 0);
	T_CHECK("btr_ss_push(NULL, ...) is libsodium's push", btr_ss_push(NULL, &y, b, m, 100, 0) == 0 && memcmp(a, b, al) == 0);
	btr_ss_free(s);
	free(m), free(a), free(b), free(p);
	return t_done();
}
