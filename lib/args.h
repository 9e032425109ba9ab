/* Option arguments that are not sizes (size.h): durations, slices, numbers and pool
 * mappings.  Each returns 0, or -1 on bad input; none prints or exits, so the tools
 * word their own usage errors and the fuzzer (tests/fuzz/args.c) can call them. */
#ifndef BTR_ARGS_H
#define BTR_ARGS_H
#include <stddef.h>

/* "5s", "500ms", "2m", "1h", "1.5s"; a bare number is seconds, as etcdctl's Go
 * durations are usually written.  From 1 ms to 24 h; fractions of a ms are dropped. */
int btr_parse_duration_ms(const char *s, long *ms);
/* Decimal digits only (no sign, no space), within [lo, hi]. */
int btr_parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out);
/* "I/N" with 0 <= I < N <= 65536. */
int btr_parse_slice(const char *s, unsigned *i, unsigned *n);
/* "POOL" or "SRC:DST" (both non-empty; SRC is what comes before the first ':'):
 * *srclen is the length of SRC, *dst points into s. */
int btr_parse_pool_spec(const char *s, size_t *srclen, const char **dst);
#endif
