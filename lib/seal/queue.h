/* btr-seal's second stage: a thread that encrypts and writes the chunks the first
 * stage (read + zstd) fills, so compression never waits for encryption or for the
 * reader of stdout (as `zstd | age` gets from being two processes).  Memory: depth
 * chunk buffers. */
#ifndef BTR_SEAL_QUEUE_H
#define BTR_SEAL_QUEUE_H
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

struct btr_seal_queue;

/* st: the pushed secretstream state (the queue's thread owns it until the end). */
struct btr_seal_queue *btr_seal_queue_new(crypto_secretstream_xchacha20poly1305_state *st, uint32_t chunk, int out);
/* The buffer to fill next (chunk bytes), or NULL when the writer failed (btr_fail
 * recorded by btr_seal_queue_end). */
uint8_t *btr_seal_queue_buf(struct btr_seal_queue *q);
/* Hands the buffer from btr_seal_queue_buf over with n bytes; final: the last chunk. */
void btr_seal_queue_put(struct btr_seal_queue *q, size_t n, int final);
/* Waits for the writer, frees everything; 0, or -1 with the writer's failure
 * (or the caller's, when abort is set: then queued chunks are dropped). */
int btr_seal_queue_end(struct btr_seal_queue *q, int abort);
#endif
