/* lib/err.c: recorded failures, including a message that wraps the previous one; the
 * first-error latch among threads; notes handed to the tool's sink. */
#include "err.h"
#include "t.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct btr_first_error latch = BTR_FIRST_ERROR_INIT;
static pthread_barrier_t start;

/* Each thread records its own failure (thread-local) and offers it to the latch. */
static void *worker(void *arg)
{
	int i = (int)(long)arg;
	pthread_barrier_wait(&start);
	btr_fail(i == 0 ? BTR_EXIT_DATA : BTR_EXIT_SYS, "worker %d failed", i);
	btr_first_keep(&latch);
	return NULL;
}

static char said[256];
static int says;
static void sink(const char *line)
{
	snprintf(said, sizeof said, "%s", line);
	says++;
}

int main(void)
{
	btr_fail(BTR_EXIT_DATA, "object %s", "a");
	T_CHECK("failure recorded", strcmp(btr_errmsg(), "object a") == 0 && btr_errcode() == 1);
	btr_fail(BTR_EXIT_SYS, "pool p: %s", btr_errmsg());
	T_CHECK("a failure may wrap the previous message", strcmp(btr_errmsg(), "pool p: object a") == 0);
	T_CHECK("wrapping keeps the new code", btr_errcode() == BTR_EXIT_SYS);
	errno = ENOENT;
	btr_fail_errno(BTR_EXIT_SYS, "open %s", btr_errmsg());
	T_CHECK("errno form may wrap too", strcmp(btr_errmsg(), "open pool p: object a: No such file or directory") == 0);
	char big[4000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	btr_fail(BTR_EXIT_DATA, "%s", big);
	T_CHECK("an overlong message is cut, not overrun", strlen(btr_errmsg()) < sizeof big - 1);
	btr_fail(BTR_EXIT_SYS, "%s", big);
	btr_fail_append("; more");
	T_CHECK("appending to a full message stays in bounds", strlen(btr_errmsg()) < sizeof big - 1);

	btr_fail(BTR_EXIT_DATA, "stream broke");
	btr_fail_append(" (%d objects restored before this)", 3);
	T_CHECK("append adds to the message", strcmp(btr_errmsg(), "stream broke (3 objects restored before this)") == 0);
	T_CHECK("append keeps the code", btr_errcode() == BTR_EXIT_DATA);

	struct btr_first_error none = BTR_FIRST_ERROR_INIT;
	btr_fail(BTR_EXIT_DATA, "untouched");
	T_CHECK("an empty latch raises nothing", btr_first_raise(&none) == 0 && strcmp(btr_errmsg(), "untouched") == 0);
	struct btr_first_error one = BTR_FIRST_ERROR_INIT;
	btr_fail(BTR_EXIT_USAGE, "first");
	int k1 = btr_first_keep(&one);
	btr_fail(BTR_EXIT_SYS, "second");
	int k2 = btr_first_keep(&one);
	T_CHECK("the latch keeps only the first", k1 == 1 && k2 == 0);
	T_CHECK("raise restores the first with its code",
		btr_first_raise(&one) == -1 && strcmp(btr_errmsg(), "first") == 0 && btr_errcode() == BTR_EXIT_USAGE);

	pthread_t th[8];
	pthread_barrier_init(&start, NULL, 8);
	for (long i = 0; i < 8; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	btr_fail(BTR_EXIT_OK, "main's own");
	btr_first_raise(&latch);
	int n;
	T_CHECK("among threads one whole message wins", sscanf(btr_errmsg(), "worker %d failed", &n) == 1 && n >= 0 &&
		n < 8 && btr_errcode() == (n == 0 ? BTR_EXIT_DATA : BTR_EXIT_SYS));

	btr_say(NULL, "quiet %d", 1);
	T_CHECK("a NULL sink is quiet", says == 0);
	btr_say(sink, "removed snapshot %s of pool %s", "s", "p");
	T_CHECK("a sink gets the formatted line", says == 1 && strcmp(said, "removed snapshot s of pool p") == 0);

	/* What reaches the terminal: control bytes from stream names escaped, one line. */
	char *out = NULL;
	size_t outlen = 0;
	FILE *mem = open_memstream(&out, &outlen), *saved = stderr;
	stderr = mem;
	btr_msg("pool \"%s\" missing", "a\033]0;x\007b\tc\177d\xc2\x9b" "e\nf");
	btr_msg("caf\xc3\xa9");
	stderr = saved;
	fclose(mem);
	T_CHECK("control bytes (C0, DEL, C1 in UTF-8) are escaped in messages, other UTF-8 is kept",
		out && strcmp(out, "btr: pool \"a\\x1b]0;x\\x07b\\x09c\\x7fd\\xc2\\x9b" "e f\" missing\n"
				   "btr: caf\xc3\xa9\n") == 0);
	free(out);
	return t_done();
}
