/* crypto_secretstream_xchacha20poly1305 push and pull, byte for byte as libsodium
 * 1.0.18 builds and checks them, computed with OpenSSL's ChaCha20 and Poly1305: on this
 * kind of machine (AVX-512) they run about 3x libsodium's, and the cipher is most of
 * btr-seal's and btr-unseal's CPU.  The state is libsodium's own (init_push/init_pull
 * and rekey stay libsodium's).  When OpenSSL cannot give the primitives (a restricted
 * provider), btr_ss_new returns NULL and btr_ss_push/btr_ss_pull fall back to libsodium. */
#ifndef BTR_SEAL_SS_H
#define BTR_SEAL_SS_H
#include <sodium.h>
#include <stddef.h>

struct btr_ss;
struct btr_ss *btr_ss_new(void);
void btr_ss_free(struct btr_ss *s);
/* As crypto_secretstream_xchacha20poly1305_push/_pull without additional data;
 * out gets mlen + ABYTES bytes.  s may be NULL (libsodium).  0, or -1: pull's forgery,
 * or an OpenSSL failure. */
int btr_ss_push(struct btr_ss *s, crypto_secretstream_xchacha20poly1305_state *st, unsigned char *out,
	    const unsigned char *m, size_t mlen, unsigned char tag);
int btr_ss_pull(struct btr_ss *s, crypto_secretstream_xchacha20poly1305_state *st, unsigned char *m, size_t *mlen,
	    unsigned char *tag, const unsigned char *in, size_t inlen);
#endif
