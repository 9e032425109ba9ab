/* lib/err.c: recorded failures, including a message that wraps the previous one. */
#include "err.h"
#include "t.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
