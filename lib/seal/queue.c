#include "queue.h"
#include "err.h"
#include "io.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define DEPTH 4

struct btr_seal_queue {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	crypto_secretstream_xchacha20poly1305_state *st;
	uint32_t chunk;
	int out;
	uint8_t *buf[DEPTH], *cbuf;
	size_t len[DEPTH];
	int final[DEPTH];
	unsigned head, count;   /* next to fill: (head + count) % DEPTH */
	int stop, aborted, failed;
	int err_code;
	char err[512];
};

static void *writer(void *arg)
{
	struct btr_seal_queue *q = arg;
	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (!q->count && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->count || q->aborted) {
			pthread_mutex_unlock(&q->mu);
			return NULL;
		}
		unsigned i = q->head;
		pthread_mutex_unlock(&q->mu);

		unsigned long long clen;
		int final = q->final[i];
		crypto_secretstream_xchacha20poly1305_push(q->st, q->cbuf, &clen, q->buf[i], q->len[i], NULL, 0,
							   final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
								 : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
		int rc = btr_write_or_fail(q->out, q->cbuf, (size_t)clen, "stdout");

		pthread_mutex_lock(&q->mu);
		q->head = (q->head + 1) % DEPTH;
		q->count--;
		if (rc < 0) {
			/* The failure is recorded in this thread; carry it to the caller's. */
			q->failed = 1;
			q->err_code = btr_errcode();
			snprintf(q->err, sizeof q->err, "%s", btr_errmsg());
		}
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
		if (rc < 0 || final)
			return NULL;
	}
}

struct btr_seal_queue *btr_seal_queue_new(crypto_secretstream_xchacha20poly1305_state *st, uint32_t chunk, int out)
{
	struct btr_seal_queue *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	q->st = st;
	q->chunk = chunk;
	q->out = out;
	int ok = (q->cbuf = malloc((size_t)chunk + crypto_secretstream_xchacha20poly1305_ABYTES)) != NULL;
	for (int i = 0; i < DEPTH; i++)
		ok = ok && (q->buf[i] = malloc(chunk)) != NULL;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	if (!ok || pthread_create(&q->thread, NULL, writer, q) != 0) {
		for (int i = 0; i < DEPTH; i++)
			free(q->buf[i]);
		free(q->cbuf);
		free(q);
		return NULL;
	}
	return q;
}

uint8_t *btr_seal_queue_buf(struct btr_seal_queue *q)
{
	pthread_mutex_lock(&q->mu);
	while (q->count == DEPTH && !q->failed)
		pthread_cond_wait(&q->cv, &q->mu);
	uint8_t *b = q->failed ? NULL : q->buf[(q->head + q->count) % DEPTH];
	pthread_mutex_unlock(&q->mu);
	return b;
}

void btr_seal_queue_put(struct btr_seal_queue *q, size_t n, int final)
{
	pthread_mutex_lock(&q->mu);
	unsigned i = (q->head + q->count) % DEPTH;
	q->len[i] = n;
	q->final[i] = final;
	q->count++;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

int btr_seal_queue_end(struct btr_seal_queue *q, int abort)
{
	pthread_mutex_lock(&q->mu);
	q->aborted = abort; /* queued chunks are dropped: no FINAL chunk, no complete-looking output */
	q->stop = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	int rc = 0;
	if (q->failed && !abort)
		rc = btr_fail(q->err_code, "%s", q->err);
	for (int i = 0; i < DEPTH; i++)
		free(q->buf[i]);
	free(q->cbuf);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q);
	return rc;
}
