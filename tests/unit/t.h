/* A tiny unit-test harness speaking the runner's line protocol:
 *   PASS: name        FAIL: name: why
 * T_CHECK(name, cond) reports one case; t_done() returns the exit status. */
#ifndef BTR_T_H
#define BTR_T_H
#include <stdio.h>

static int t_failed;

#define T_CHECK(name, cond)                                                          \
	do {                                                                         \
		if (cond)                                                            \
			printf("PASS: %s\n", (name));                                \
		else {                                                               \
			printf("FAIL: %s: %s (%s:%d)\n", (name), #cond, __FILE__, __LINE__); \
			t_failed++;                                                  \
		}                                                                    \
	} while (0)

static inline int t_done(void)
{
	fflush(stdout);
	return t_failed ? 1 : 0;
}
#endif
