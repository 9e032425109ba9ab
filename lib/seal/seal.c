#include "seal.h"
#include "err.h"
#include "io.h"
#include "progress.h"
#include "format.h"
#include "queue.h"
#include "zraw.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#define SS_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define TAG_FINAL crypto_secretstream_xchacha20poly1305_TAG_FINAL
#define TAG_MESSAGE crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
/* Compressors never use a larger window; unsealers refuse frames that ask for one. */
#define ZSTD_WINDOWLOG_LIMIT 27
/* Bytes read and judged at a time (compressed, or stored raw). */
#define SEAL_BLOCK (1u << 20)

int btr_kdf_preset(const char *name, uint64_t *ops, uint64_t *mem)
{
	if (strcmp(name, "interactive") == 0) {
		*ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		*mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	} else if (strcmp(name, "moderate") == 0) {
		*ops = crypto_pwhash_OPSLIMIT_MODERATE;
		*mem = crypto_pwhash_MEMLIMIT_MODERATE;
	} else if (strcmp(name, "sensitive") == 0) {
		*ops = crypto_pwhash_OPSLIMIT_SENSITIVE;
		*mem = crypto_pwhash_MEMLIMIT_SENSITIVE;
	} else {
		return -1;
	}
	return 0;
}

static int derive(uint8_t *key, const char *pass, size_t len, const struct btr_seal_header *h, btr_say_fn say)
{
	double t0 = btr_now();
	if (crypto_pwhash(key, 32, pass, len, h->salt, h->ops, (size_t)h->mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return btr_fail(BTR_EXIT_SYS, "key derivation failed (out of memory for %llu bytes?)",
				(unsigned long long)h->mem);
	btr_say(say, "key derivation took %.2f s", btr_now() - t0);
	return 0;
}

/* Where compressed bytes go: chunk buffers of the encryption stage.  A full chunk is
 * handed over only when more bytes follow it, so that the last one can be FINAL (an
 * empty FINAL chunk is valid). */
struct sink {
	struct btr_seal_queue *q;
	uint8_t *plain;
	size_t fill, chunk;
	int writer_failed;      /* the encryption stage stopped (its error is in the queue) */
	int frame_open;         /* zstd has input of a frame not yet ended */
};

static int sink_room(struct sink *k)
{
	if (k->fill < k->chunk)
		return 0;
	btr_seal_queue_put(k->q, k->fill, 0);
	k->fill = 0;
	if (!(k->plain = btr_seal_queue_buf(k->q))) {
		k->writer_failed = 1;
		return -1;
	}
	return 0;
}

static int sink_write(struct sink *k, const uint8_t *p, size_t n)
{
	while (n) {
		if (sink_room(k) < 0)
			return -1;
		size_t m = n < k->chunk - k->fill ? n : k->chunk - k->fill;
		memcpy(k->plain + k->fill, p, m);
		k->fill += m, p += m, n -= m;
	}
	return 0;
}

/* Feeds p to zstd (ZSTD_e_continue: until zstd has taken it all; ZSTD_e_end: until the
 * frame is complete). */
static int sink_zstd(struct sink *k, ZSTD_CCtx *z, const uint8_t *p, size_t n, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer zin = {p, n, 0};
	for (;;) {
		if (sink_room(k) < 0)
			return -1;
		ZSTD_outBuffer zout = {k->plain, k->chunk, k->fill};
		size_t r = ZSTD_compressStream2(z, &zout, &zin, mode);
		if (ZSTD_isError(r))
			return btr_fail(BTR_EXIT_SYS, "zstd: %s", ZSTD_getErrorName(r));
		k->fill = zout.pos;
		if (mode == ZSTD_e_end ? r == 0 : zin.pos == zin.size)
			break;
	}
	k->frame_open = mode != ZSTD_e_end;
	return 0;
}

/* A block that does not compress: the open zstd frame ends, the block follows as a
 * frame of raw blocks (lib/seal/zraw.h). */
static int sink_raw(struct sink *k, ZSTD_CCtx *z, const uint8_t *p, size_t n)
{
	uint8_t h[BTR_ZRAW_FRAME_HEADER];
	if (k->frame_open && sink_zstd(k, z, NULL, 0, ZSTD_e_end) < 0)
		return -1;
	btr_zraw_frame_header(h, n);
	if (sink_write(k, h, sizeof h) < 0)
		return -1;
	do {
		size_t m = n < BTR_ZRAW_BLOCK_MAX ? n : BTR_ZRAW_BLOCK_MAX;
		btr_zraw_block_header(h, m, m == n);
		if (sink_write(k, h, BTR_ZRAW_BLOCK_HEADER) < 0 || sink_write(k, p, m) < 0)
			return -1;
		p += m, n -= m;
	} while (n);
	return 0;
}

/* Reads up to cap bytes (less only at the end of input); the count, or -1. */
static ssize_t read_block(int in, uint8_t *b, size_t cap)
{
	size_t got = 0;
	while (got < cap) {
		ssize_t n = read(in, b + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return btr_fail_errno(BTR_EXIT_SYS, "read stdin");
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* The file key (fresh and wrapped for each recipient, or derived from the
 * passphrase), the header written with its MAC (and signature), and the
 * secretstream started.  The file key is wiped before this returns. */
static int start_sealed(const struct btr_seal_opts *o, int out, crypto_secretstream_xchacha20poly1305_state *st)
{
	struct btr_seal_header h = {0};
	uint8_t raw[BTR_SEAL_MAX_HEADER];
	uint8_t *filekey = sodium_malloc(32), *sskey = sodium_malloc(32);
	int rc = -1;
	if (!filekey || !sskey) {
		btr_fail(BTR_EXIT_SYS, "out of memory");
		goto out;
	}
	h.chunk = o->chunk;
	h.flags = o->level ? BTR_SEAL_FLAG_ZSTD : 0;
	if (o->n_recipients) {
		h.mode = BTR_SEAL_MODE_RECIPIENTS;
		h.n_recipients = (uint16_t)o->n_recipients;
		crypto_secretstream_xchacha20poly1305_keygen(filekey);
		for (size_t i = 0; i < o->n_recipients; i++) {
			btr_seal_keyid(o->recipients[i], h.keyid[i]);
			crypto_box_seal(h.wrapped[i], filekey, 32, o->recipients[i]);
		}
	} else {
		h.mode = BTR_SEAL_MODE_PASSPHRASE;
		h.ops = o->ops;
		h.mem = o->mem;
		randombytes_buf(h.salt, sizeof h.salt);
		if (derive(filekey, o->pass, o->pass_len, &h, o->say) < 0)
			goto out;
	}
	if (o->sign_sk) {
		h.flags |= BTR_SEAL_FLAG_SIGNED;
		crypto_sign_ed25519_sk_to_pk(h.signer, o->sign_sk);
		h.sig_time = (uint64_t)time(NULL);
	}
	btr_seal_subkey(sskey, 32, 2, filekey);
	crypto_secretstream_xchacha20poly1305_init_push(st, h.ss_header, sskey);
	size_t hl = btr_seal_header_encode(&h, raw);
	if (o->sign_sk)
		btr_seal_sign(raw, hl, filekey, o->sign_sk);
	btr_seal_header_mac(raw, hl, filekey, raw + hl);
	rc = btr_write_or_fail(out, raw, hl + BTR_SEAL_MAC, "stdout");
out:
	sodium_free(filekey);
	sodium_free(sskey);
	return rc;
}

/* The compressor (z) and the one that judges samples (zt), at o->level. */
static int start_zstd(const struct btr_seal_opts *o, ZSTD_CCtx **z, ZSTD_CCtx **zt)
{
	*z = ZSTD_createCCtx();
	if (!*z || ZSTD_isError(ZSTD_CCtx_setParameter(*z, ZSTD_c_compressionLevel, o->level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(*z, ZSTD_c_windowLog, 0)))
		return btr_fail(BTR_EXIT_SYS, "zstd: cannot set up compression");
	if (o->threads > 0 && ZSTD_isError(ZSTD_CCtx_setParameter(*z, ZSTD_c_nbWorkers, o->threads)))
		btr_say(o->say, "zstd was built without threads; compressing on one core");
	if (!(*zt = ZSTD_createCCtx()))
		return btr_fail(BTR_EXIT_SYS, "zstd: cannot set up compression");
	return 0;
}

int btr_seal(int in, int out, const struct btr_seal_opts *o)
{
	/* Input goes in blocks, each judged on samples: compressed, or stored raw. */
	size_t bsize = SEAL_BLOCK, tcap = ZSTD_compressBound(BTR_ZRAW_SAMPLE);
	uint8_t *ibuf = malloc(bsize), *tmp = malloc(tcap);
	ZSTD_CCtx *zt = NULL;
	crypto_secretstream_xchacha20poly1305_state *st = sodium_malloc(sizeof *st);
	struct btr_seal_queue *q = NULL;
	ZSTD_CCtx *z = NULL;
	int rc = -1;
	if (!ibuf || !tmp || !st) {
		btr_fail(BTR_EXIT_SYS, "out of memory");
		goto out;
	}
	if (start_sealed(o, out, st) < 0 || (o->level && start_zstd(o, &z, &zt) < 0))
		goto out;
	if (!(q = btr_seal_queue_new(st, o->chunk, out))) {
		btr_fail(BTR_EXIT_SYS, "out of memory (or no thread) for the encryption stage");
		goto out;
	}
	struct sink k = {.q = q, .chunk = o->chunk};
	struct btr_progress pg;
	btr_progress_init(&pg, "seal", o->progress);
	pg.unit = "";
	if (!(k.plain = btr_seal_queue_buf(q)))
		goto writer_failed;
	uint64_t total = 0;
	for (;;) {
		ssize_t n = read_block(in, ibuf, bsize);
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		total += (uint64_t)n;
		btr_progress_add(&pg, 0, (uint64_t)n);
		int r = !z ? sink_write(&k, ibuf, (size_t)n)
		    : btr_zraw_compressible(zt, ibuf, (size_t)n, tmp, tcap) ? sink_zstd(&k, z, ibuf, (size_t)n, ZSTD_e_continue)
								       : sink_raw(&k, z, ibuf, (size_t)n);
		if (r < 0)
			goto sink_failed;
		if ((size_t)n < bsize)
			break;
	}
	/* The last zstd frame ends (an empty input is one empty frame, as before). */
	if (z && (k.frame_open || total == 0) && sink_zstd(&k, z, NULL, 0, ZSTD_e_end) < 0)
		goto sink_failed;
	btr_seal_queue_put(q, k.fill, 1);
	rc = btr_seal_queue_end(q, 0);
	q = NULL;
	if (rc == 0)
		btr_progress_done(&pg);
	goto out;
sink_failed:
	if (!k.writer_failed)
		goto out;
writer_failed:
	btr_seal_queue_end(q, 0);
	q = NULL;
out:
	if (q)
		btr_seal_queue_end(q, 1);
	ZSTD_freeCCtx(z);
	ZSTD_freeCCtx(zt);
	free(tmp);
	sodium_free(st);
	free(ibuf);
	return rc;
}

/* Finds the file key: from the passphrase, or by unwrapping our recipient entry. */
static int open_key(const struct btr_seal_header *h, const struct btr_unseal_keys *k, uint8_t *filekey)
{
	if (h->mode == BTR_SEAL_MODE_PASSPHRASE) {
		if (k->sk)
			return btr_fail(BTR_EXIT_USAGE, "this stream was sealed with a passphrase, not to a key (drop -k)");
		size_t len;
		char *pass = btr_secret_get(&k->pass, "passphrase: ", 0, &len);
		if (!pass)
			return -1;
		int rc = derive(filekey, pass, len, h, k->say);
		btr_secret_free(pass);
		return rc;
	}
	if (!k->sk)
		return btr_fail(BTR_EXIT_USAGE, "this stream was sealed to %u recipient key(s): give the secret key with -k FILE",
				h->n_recipients);
	uint8_t pk[32], id[BTR_SEAL_KEYID];
	crypto_scalarmult_base(pk, k->sk);
	btr_seal_keyid(pk, id);
	for (unsigned i = 0; i < h->n_recipients; i++)
		if (memcmp(id, h->keyid[i], BTR_SEAL_KEYID) == 0 &&
		    crypto_box_seal_open(filekey, h->wrapped[i], BTR_SEAL_WRAPPED, pk, k->sk) == 0)
			return 0;
	return btr_fail(BTR_EXIT_DATA, "wrong key: this secret key is not one of the stream's %u recipients", h->n_recipients);
}

static int want_signer(const struct btr_seal_header *h, const uint8_t *signer)
{
	if (!signer)
		return 0;
	char want[BTR_FINGERPRINT_LEN + 1], got[BTR_FINGERPRINT_LEN + 1];
	btr_sign_fingerprint(signer, want);
	if (!(h->flags & BTR_SEAL_FLAG_SIGNED))
		return btr_fail(BTR_EXIT_DATA, "the stream is not signed (--signer wants a signature by %s)", want);
	if (memcmp(h->signer, signer, crypto_sign_PUBLICKEYBYTES) != 0) {
		btr_sign_fingerprint(h->signer, got);
		return btr_fail(BTR_EXIT_DATA, "the stream is signed by another key (%s), not %s", got, want);
	}
	return 0;
}

static void say_signer(btr_say_fn say, const struct btr_seal_header *h)
{
	char fp[BTR_FINGERPRINT_LEN + 1], when[64];
	struct tm tm;
	time_t t = (time_t)h->sig_time;
	btr_sign_fingerprint(h->signer, fp);
	if (h->sig_time > (uint64_t)INT64_MAX || !gmtime_r(&t, &tm) ||
	    !strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof when, "time %llu", (unsigned long long)h->sig_time);
	btr_say(say, "signed by %s at %s", fp, when);
}

static int write_plain(ZSTD_DCtx *z, const uint8_t *p, size_t n, uint8_t *obuf, size_t osize, int out, size_t *last)
{
	if (!z)
		return out < 0 ? 0 : btr_write_or_fail(out, p, n, "stdout");
	ZSTD_inBuffer zin = {p, n, 0};
	while (zin.pos < zin.size) {
		ZSTD_outBuffer zout = {obuf, osize, 0};
		size_t r = ZSTD_decompressStream(z, &zout, &zin);
		if (ZSTD_isError(r))
			return btr_fail(BTR_EXIT_DATA, "decompression failed: %s", ZSTD_getErrorName(r));
		*last = r;
		if (zout.pos && out >= 0 && btr_write_or_fail(out, obuf, zout.pos, "stdout") < 0)
			return -1;
	}
	return 0;
}

/* The header read and authenticated (with the key from k, and its signature when
 * it has one), and the secretstream started.  The file key is wiped before this
 * returns.  *hl: the header's length, without its MAC. */
static int start_unsealed(int in, const struct btr_unseal_keys *k, struct btr_seal_header *h, size_t *hl,
			  crypto_secretstream_xchacha20poly1305_state *st)
{
	uint8_t raw[BTR_SEAL_MAX_HEADER], mac[BTR_SEAL_MAC];
	uint8_t *filekey = sodium_malloc(32), *sskey = sodium_malloc(32);
	int rc = -1;
	if (!filekey || !sskey) {
		btr_fail(BTR_EXIT_SYS, "out of memory");
		goto out;
	}
	/* An unwanted signer is refused before any key is asked for or derived. */
	if (btr_seal_header_read(in, h, raw, hl) < 0 || want_signer(h, k->signer) < 0 || open_key(h, k, filekey) < 0)
		goto out;
	btr_seal_header_mac(raw, *hl, filekey, mac);
	if (sodium_memcmp(mac, h->mac, BTR_SEAL_MAC) != 0) {
		btr_fail(BTR_EXIT_DATA, h->mode == BTR_SEAL_MODE_PASSPHRASE
					    ? "wrong passphrase (or the sealed header was altered)"
					    : "the sealed header was altered (authentication failed)");
		goto out;
	}
	/* Checked with or without --signer: a signature that does not verify is a forgery. */
	if (h->flags & BTR_SEAL_FLAG_SIGNED) {
		if (btr_seal_verify(raw, *hl, filekey, h->signer) < 0)
			goto out;
		if (k->say)
			say_signer(k->say, h);
	}
	btr_seal_subkey(sskey, 32, 2, filekey);
	if (crypto_secretstream_xchacha20poly1305_init_pull(st, h->ss_header, sskey) != 0) {
		btr_fail(BTR_EXIT_DATA, "invalid secretstream header");
		goto out;
	}
	rc = 0;
out:
	sodium_free(filekey);
	sodium_free(sskey);
	return rc;
}

/* One chunk of n bytes at byte off authenticated into plain: 1 when it is the final
 * one (and nothing follows it), 0 when more must come, -1 on damage. */
static int pull_chunk(crypto_secretstream_xchacha20poly1305_state *st, int in, const uint8_t *c, size_t n,
		      size_t full, uint64_t off, uint64_t i, uint8_t *plain, size_t *plen)
{
	unsigned long long pl;
	uint8_t tag;
	if (n < SS_ABYTES)
		return btr_fail(BTR_EXIT_DATA, "sealed stream truncated: it ends at byte %llu without its final chunk (chunk %llu is cut short or missing)",
				(unsigned long long)(off + n), (unsigned long long)i);
	if (crypto_secretstream_xchacha20poly1305_pull(st, plain, &pl, &tag, c, n, NULL, 0) != 0) {
		if (n < full)
			return btr_fail(BTR_EXIT_DATA, "chunk %llu fails authentication and the stream ends inside it at byte %llu: truncated, altered or extended",
					(unsigned long long)i, (unsigned long long)(off + n));
		return btr_fail(BTR_EXIT_DATA, "chunk %llu at byte %llu failed authentication: the stream was altered, reordered or truncated",
				(unsigned long long)i, (unsigned long long)off);
	}
	*plen = (size_t)pl;
	if (tag != TAG_FINAL && n < full)
		return btr_fail(BTR_EXIT_DATA, "sealed stream truncated: it ends at byte %llu without its final chunk",
				(unsigned long long)(off + n));
	if (tag != TAG_FINAL)
		return 0;
	/* Nothing may follow the final chunk; checked before its bytes are released. */
	uint8_t extra;
	ssize_t e = btr_read_or_fail(in, &extra, 1, "stdin");
	if (e < 0)
		return -1;
	if (e > 0)
		return btr_fail(BTR_EXIT_DATA, "data after the final chunk at byte %llu", (unsigned long long)(off + n));
	return 1;
}

int btr_unseal(int in, int out, const struct btr_unseal_keys *k)
{
	struct btr_seal_header h;
	size_t hl;
	crypto_secretstream_xchacha20poly1305_state *st = sodium_malloc(sizeof *st);
	uint8_t *cbuf = NULL, *plain = NULL, *obuf = NULL;
	size_t osize = ZSTD_DStreamOutSize(), zlast = 0;
	ZSTD_DCtx *z = NULL;
	int rc = -1;
	if (!st) {
		btr_fail(BTR_EXIT_SYS, "out of memory");
		goto out;
	}
	if (start_unsealed(in, k, &h, &hl, st) < 0)
		goto out;
	size_t full = (size_t)h.chunk + SS_ABYTES;
	cbuf = malloc(full + 1);
	plain = malloc(h.chunk);
	obuf = malloc(osize);
	if (!cbuf || !plain || !obuf) {
		btr_fail(BTR_EXIT_SYS, "out of memory");
		goto out;
	}
	if (h.flags & BTR_SEAL_FLAG_ZSTD) {
		z = ZSTD_createDCtx();
		if (!z || ZSTD_isError(ZSTD_DCtx_setParameter(z, ZSTD_d_windowLogMax, ZSTD_WINDOWLOG_LIMIT))) {
			btr_fail(BTR_EXIT_SYS, "zstd: cannot set up decompression");
			goto out;
		}
	}
	uint64_t off = hl + BTR_SEAL_MAC;
	struct btr_progress pg;
	btr_progress_init(&pg, "unseal", k->progress);
	pg.unit = "";
	for (uint64_t i = 0;; i++) {
		ssize_t n = btr_read_or_fail(in, cbuf, full, "stdin");
		size_t plen = 0;
		if (n < 0)
			goto out;
		int fin = pull_chunk(st, in, cbuf, (size_t)n, full, off, i, plain, &plen);
		if (fin < 0 || write_plain(z, plain, plen, obuf, osize, out, &zlast) < 0)
			goto out;
		off += (uint64_t)n;
		btr_progress_add(&pg, 0, (uint64_t)n);
		if (fin)
			break;
	}
	if (z && zlast != 0) {
		btr_fail(BTR_EXIT_DATA, "compressed data ends inside a frame");
		goto out;
	}
	btr_progress_done(&pg);
	rc = 0;
out:
	ZSTD_freeDCtx(z);
	sodium_free(st);
	free(cbuf);
	free(plain);
	free(obuf);
	return rc;
}
