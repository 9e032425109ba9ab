/* lib/seal/zraw.c: hand-made raw zstd frames are read back by libzstd (one-shot and
 * streaming, beside ordinary frames), and the sample test tells random bytes from
 * compressible ones. */
#include "t.h"
#include "seal/zraw.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

static size_t frame(uint8_t *out, const uint8_t *p, size_t n)
{
	size_t o = BTR_ZRAW_FRAME_HEADER;
	btr_zraw_frame_header(out, n);
	do {
		size_t m = n < BTR_ZRAW_BLOCK_MAX ? n : BTR_ZRAW_BLOCK_MAX;
		btr_zraw_block_header(out + o, m, m == n);
		memcpy(out + o + BTR_ZRAW_BLOCK_HEADER, p, m);
		o += BTR_ZRAW_BLOCK_HEADER + m, p += m, n -= m;
	} while (n);
	return o;
}

int main(void)
{
	static const size_t sizes[] = {1, 100, BTR_ZRAW_BLOCK_MAX - 1, BTR_ZRAW_BLOCK_MAX, BTR_ZRAW_BLOCK_MAX + 1, 1u << 20, (1u << 20) + 7};
	size_t big = (2u << 20);
	uint8_t *in = malloc(big), *f = malloc(2 * big), *back = malloc(big), *tmp = malloc(ZSTD_compressBound(BTR_ZRAW_SAMPLE));
	randombytes_buf(in, big);
	int ok = 1, ok2 = 1;
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		size_t fl = frame(f, in, sizes[i]);
		size_t r = ZSTD_decompress(back, big, f, fl);
		if (ZSTD_isError(r) || r != sizes[i] || memcmp(back, in, r) != 0)
			ok = 0;
		/* streaming, after an ordinary frame, with a window limit as btr-unseal sets */
		size_t zl = ZSTD_compress(f + fl, 2 * big - fl, "hello hello hello", 17, 1);
		ZSTD_DCtx *d = ZSTD_createDCtx();
		ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 27);
		ZSTD_inBuffer zi = {f, fl + zl, 0};
		ZSTD_outBuffer zo = {back, big, 0};
		while (zi.pos < zi.size)
			if (ZSTD_isError(r = ZSTD_decompressStream(d, &zo, &zi)) || zo.pos == zo.size)
				break;
		if (r != 0 || zo.pos != sizes[i] + 17 || memcmp(back, in, sizes[i]) != 0 || memcmp(back + sizes[i], "hello", 5) != 0)
			ok2 = 0;
		ZSTD_freeDCtx(d);
	}
	T_CHECK("libzstd reads raw frames of 1 byte to over 1 MiB", ok);
	T_CHECK("streaming: a raw frame then a compressed one, with btr-unseal's window limit", ok2);

	ZSTD_CCtx *t = ZSTD_createCCtx();
	size_t tc = ZSTD_compressBound(BTR_ZRAW_SAMPLE);
	T_CHECK("random bytes: stored raw", !btr_zraw_compressible(t, in, 1u << 20, tmp, tc));
	for (size_t i = 0; i < big; i++) /* two bits in eight random: compresses about 2:1 */
		in[i] &= 0x0f;
	T_CHECK("nibbles (2:1): compressed", btr_zraw_compressible(t, in, 1u << 20, tmp, tc));
	memset(in, 'a', big);
	randombytes_buf(in, (1u << 20) - BTR_ZRAW_SAMPLE);
	T_CHECK("random but its last sample: compressed (no sample is skipped)", btr_zraw_compressible(t, in, 1u << 20, tmp, tc));
	T_CHECK("too short to judge: compressed", btr_zraw_compressible(t, in, 3 * BTR_ZRAW_SAMPLE - 1, tmp, tc));
	ZSTD_freeCCtx(t);
	free(in), free(f), free(back), free(tmp);
	return t_done();
}
