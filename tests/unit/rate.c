/* lib/rate.c: rates parsed as the options take them; a bucket shared by threads keeps
 * the total to the rate, and a small take after a quiet spell goes at once. */
#include "progress.h"
#include "rate.h"
#include "t.h"

#include <pthread.h>

static struct btr_rate bucket;

static void *taker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50; i++)
		btr_rate_take(&bucket, 100);
	return NULL;
}

int main(void)
{
	uint64_t v = 0;
	T_CHECK("50M", btr_parse_rate("50M", &v) == 0 && v == 50u << 20);
	T_CHECK("50M/s", btr_parse_rate("50M/s", &v) == 0 && v == 50u << 20);
	T_CHECK("1GiB/s", btr_parse_rate("1GiB/s", &v) == 0 && v == 1u << 30);
	T_CHECK("200", btr_parse_rate("200", &v) == 0 && v == 200);
	const char *bad[] = {"0", "0M", "-5", "", "5X", "1.5M", "/s", "5M/h", "20000000000000000000", " 5", "5 "};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char name[64];
		snprintf(name, sizeof name, "'%s' refused", bad[i]);
		T_CHECK(name, btr_parse_rate(bad[i], &v) < 0);
	}
	T_CHECK("batch: a tenth of a second's worth", btr_rate_batch(&(struct btr_rate){.per_sec = 300}, 128) == 30);
	T_CHECK("batch: never below 1", btr_rate_batch(&(struct btr_rate){.per_sec = 5}, 128) == 1);
	T_CHECK("batch: unlimited keeps it", btr_rate_batch(NULL, 128) == 128);

	/* 4 threads x 50 x 100 tokens = 20000 at 40000/s: 0.5 s */
	btr_rate_init(&bucket, 40000);
	double t0 = btr_now();
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, taker, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	double dt = btr_now() - t0;
	printf("# 20000 tokens at 40000/s by 4 threads: %.3f s\n", dt);
	T_CHECK("four threads share one limit (0.5 s within 10%)", dt > 0.45 && dt < 0.55);
	/* a quiet spell saves up at most the burst: 2000 tokens (1/20 s) */
	struct timespec ts = {0, 200 * 1000 * 1000};
	nanosleep(&ts, NULL);
	t0 = btr_now();
	btr_rate_take(&bucket, 1000);
	dt = btr_now() - t0;
	printf("# after a pause, 1000 tokens: %.4f s (tokens %.0f)\n", dt, bucket.tokens);
	T_CHECK("after a pause, a take within the burst goes at once", dt < 0.005);
	t0 = btr_now();
	btr_rate_take(&bucket, 4000);
	dt = btr_now() - t0;
	printf("# then 4000 tokens: %.4f s\n", dt);
	T_CHECK("but no more than the burst was saved up", dt > 0.06 && dt < 0.09);
	btr_rate_take(NULL, 1u << 30);
	T_CHECK("no bucket, no wait", 1);
	btr_rate_destroy(&bucket);
	return t_done();
}
