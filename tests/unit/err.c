/* lib/err.c: recorded failures, including a message that wraps the previous one. */
#include "err.h"
#include "t.h"

#include <errno.h>
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
	return t_done();
}
