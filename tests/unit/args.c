/* Option arguments (args.c, size.c): what parses, what is refused, the edges. */
#include "args.h"
#include "size.h"
#include "t.h"

#include <string.h>

int main(void)
{
	long ms;
	unsigned long u;
	unsigned i, n;
	size_t sl;
	const char *dst;
	uint64_t v;
	char buf[32];

	T_CHECK("duration: 5s", btr_parse_duration_ms("5s", &ms) == 0 && ms == 5000);
	T_CHECK("duration: 500ms", btr_parse_duration_ms("500ms", &ms) == 0 && ms == 500);
	T_CHECK("duration: a bare number is seconds", btr_parse_duration_ms("2", &ms) == 0 && ms == 2000);
	T_CHECK("duration: 1.5s", btr_parse_duration_ms("1.5s", &ms) == 0 && ms == 1500);
	T_CHECK("duration: 24h is the most", btr_parse_duration_ms("24h", &ms) == 0 && ms == 86400000L);
	T_CHECK("duration: above 24h refused", btr_parse_duration_ms("25h", &ms) < 0);
	T_CHECK("duration: 0 refused", btr_parse_duration_ms("0s", &ms) < 0);
	T_CHECK("duration: empty, sign, junk refused", btr_parse_duration_ms("", &ms) < 0 &&
		btr_parse_duration_ms("-1s", &ms) < 0 && btr_parse_duration_ms("5x", &ms) < 0 &&
		btr_parse_duration_ms("5 s", &ms) < 0);

	T_CHECK("ulong: in range", btr_parse_ulong("42", 1, 100, &u) == 0 && u == 42);
	T_CHECK("ulong: the bounds are inclusive", btr_parse_ulong("1", 1, 100, &u) == 0 && btr_parse_ulong("100", 1, 100, &u) == 0);
	T_CHECK("ulong: out of range refused", btr_parse_ulong("0", 1, 100, &u) < 0 && btr_parse_ulong("101", 1, 100, &u) < 0);
	T_CHECK("ulong: sign, space, empty refused", btr_parse_ulong("+5", 0, 9, &u) < 0 &&
		btr_parse_ulong(" 5", 0, 9, &u) < 0 && btr_parse_ulong("", 0, 9, &u) < 0);
	T_CHECK("ulong: a digit string past ULONG_MAX refused",
		btr_parse_ulong("99999999999999999999999", 0, (unsigned long)-1, &u) < 0);

	T_CHECK("slice: 0/4", btr_parse_slice("0/4", &i, &n) == 0 && i == 0 && n == 4);
	T_CHECK("slice: I must be below N", btr_parse_slice("4/4", &i, &n) < 0);
	T_CHECK("slice: N up to 65536", btr_parse_slice("1/65536", &i, &n) == 0 && btr_parse_slice("1/65537", &i, &n) < 0);
	T_CHECK("slice: malformed refused", btr_parse_slice("1", &i, &n) < 0 && btr_parse_slice("/4", &i, &n) < 0 &&
		btr_parse_slice("1/", &i, &n) < 0 && btr_parse_slice("0/0", &i, &n) < 0);

	T_CHECK("pool spec: POOL", btr_parse_pool_spec("btrdbhot", &sl, &dst) == 0 && sl == 8 && !strcmp(dst, "btrdbhot"));
	T_CHECK("pool spec: SRC:DST", btr_parse_pool_spec("hot:restore", &sl, &dst) == 0 && sl == 3 && !strcmp(dst, "restore"));
	T_CHECK("pool spec: empty halves refused", btr_parse_pool_spec(":x", &sl, &dst) < 0 &&
		btr_parse_pool_spec("x:", &sl, &dst) < 0 && btr_parse_pool_spec("", &sl, &dst) < 0);

	T_CHECK("size: bytes", btr_parse_size("4096", &v) == 0 && v == 4096);
	T_CHECK("size: K M G T are powers of 1024", btr_parse_size("4K", &v) == 0 && v == 4096 &&
		btr_parse_size("2M", &v) == 0 && v == 2u << 20 && btr_parse_size("1G", &v) == 0 && v == 1u << 30 &&
		btr_parse_size("1T", &v) == 0 && v == 1ull << 40);
	T_CHECK("size: B and iB suffixes", btr_parse_size("4KB", &v) == 0 && v == 4096 && btr_parse_size("4KiB", &v) == 0 && v == 4096);
	T_CHECK("size: overflow refused", btr_parse_size("99999999999T", &v) < 0 && btr_parse_size("18446744073709551616", &v) < 0);
	T_CHECK("size: junk refused", btr_parse_size("", &v) < 0 && btr_parse_size("4Q", &v) < 0 && btr_parse_size("-1", &v) < 0 &&
		btr_parse_size("K", &v) < 0);
	T_CHECK("size: human form", strstr(btr_fmt_size(3u << 29, buf, sizeof buf), "1.5 GiB") != NULL);
	return t_done();
}
