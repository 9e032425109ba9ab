#include "zraw.h"

void btr_zraw_frame_header(uint8_t h[BTR_ZRAW_FRAME_HEADER], size_t n)
{
	h[0] = 0x28, h[1] = 0xb5, h[2] = 0x2f, h[3] = 0xfd; /* 0xFD2FB528, little-endian */
	h[4] = 0xa0; /* content size in 4 bytes, single segment (window = content), no checksum */
	for (int i = 0; i < 4; i++)
		h[5 + i] = (uint8_t)(n >> (8 * i));
}

void btr_zraw_block_header(uint8_t h[BTR_ZRAW_BLOCK_HEADER], size_t k, int last)
{
	uint32_t v = (uint32_t)k << 3 | (last ? 1u : 0u); /* type 0 (raw) in bits 1-2 */
	h[0] = (uint8_t)v, h[1] = (uint8_t)(v >> 8), h[2] = (uint8_t)(v >> 16);
}

int btr_zraw_compressible(ZSTD_CCtx *t, const uint8_t *p, size_t n, uint8_t *tmp, size_t tmpcap)
{
	if (n < 3 * BTR_ZRAW_SAMPLE)
		return 1;
	size_t in = 0, out = 0;
	for (size_t i = 0; i < 3; i++) {
		size_t r = ZSTD_compressCCtx(t, tmp, tmpcap, p + (n - BTR_ZRAW_SAMPLE) / 2 * i, BTR_ZRAW_SAMPLE, 1);
		if (ZSTD_isError(r))
			return 1;
		in += BTR_ZRAW_SAMPLE, out += r;
	}
	return out < in - in / 32;
}
