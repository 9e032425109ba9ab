/* lib/summary.c: the --summary-fd line's exact format, and a line that does not fit
 * is refused rather than cut. */
#include "err.h"
#include "summary.h"
#include "t.h"

#include <string.h>

int main(void)
{
	char buf[128];
	const char *keys[] = {"objects", "bytes"};
	const uint64_t vals[] = {12, 18446744073709551615ull};
	int n = btr_summary_format(buf, sizeof buf, "ceph-load", 0, keys, vals, 2, 1.2344);
	const char *want = "tool=ceph-load status=0 objects=12 bytes=18446744073709551615 seconds=1.234\n";
	T_CHECK("the line", n == (int)strlen(want) && !strcmp(buf, want));
	n = btr_summary_format(buf, sizeof buf, "etcd-dump", 3, keys, vals, 0, 0);
	T_CHECK("no counters", n > 0 && !strcmp(buf, "tool=etcd-dump status=3 seconds=0.000\n"));
	n = btr_summary_format(buf, 40, "ceph-load", 0, keys, vals, 2, 1);
	T_CHECK("too long is refused", n < 0 && btr_errcode() == BTR_EXIT_SYS);
	T_CHECK("fd 2 refused", btr_summary_open("x", "2") < 0 && btr_errcode() == BTR_EXIT_USAGE);
	T_CHECK("fd 1024 refused", btr_summary_open("x", "1024") < 0);
	T_CHECK("fd -3 refused", btr_summary_open("x", "-3") < 0);
	T_CHECK("no summary: end is 0", btr_summary_end(0) == 0);
	return t_done();
}
