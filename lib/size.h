#ifndef BTR_SIZE_H
#define BTR_SIZE_H
#include <stdint.h>
#include <stddef.h>
/* "4096", "4K", "4M", "2G", "1T" (powers of 1024; optional trailing "B" or "iB").
 * Returns 0, or -1 on syntax error or overflow. */
int btr_parse_size(const char *s, uint64_t *out);
/* Human form for messages: "1.5 GiB". */
const char *btr_fmt_size(uint64_t n, char *buf, size_t len);
#endif
