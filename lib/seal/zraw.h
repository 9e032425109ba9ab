/* btr-seal's shortcut for blocks that do not compress (BTrDB's cold segments are
 * compressed already): a test on samples, and zstd frames of raw blocks written by
 * hand (RFC 8878 3.1.1), which every zstd decoder reads, old btr-unseal included, so
 * the sealed format does not change. */
#ifndef BTR_SEAL_ZRAW_H
#define BTR_SEAL_ZRAW_H
#include <stddef.h>
#include <stdint.h>
#include <zstd.h>

#define BTR_ZRAW_FRAME_HEADER 9         /* magic, descriptor, 4-byte content size */
#define BTR_ZRAW_BLOCK_HEADER 3
#define BTR_ZRAW_BLOCK_MAX (128u << 10) /* zstd's largest block */
#define BTR_ZRAW_SAMPLE (16u << 10)     /* bytes per sample; three per block */

/* The header of a single-segment frame holding n bytes (0 < n < 4 GiB). */
void btr_zraw_frame_header(uint8_t h[BTR_ZRAW_FRAME_HEADER], size_t n);
/* The header of a raw block of k bytes (k <= BTR_ZRAW_BLOCK_MAX), the frame's last or not. */
void btr_zraw_block_header(uint8_t h[BTR_ZRAW_BLOCK_HEADER], size_t k, int last);
/* 1 when zstd level 1 saves at least 1/32 on three samples of p (start, middle, end),
 * or when p is too short to judge or the test fails; 0: store it raw.  tmp: room for
 * ZSTD_compressBound(BTR_ZRAW_SAMPLE) bytes; t: a compression context for the samples. */
int btr_zraw_compressible(ZSTD_CCtx *t, const uint8_t *p, size_t n, uint8_t *tmp, size_t tmpcap);
#endif
