/* pipe-rate: reads stdin to the end, timestamping every read, and prints
 *   BYTES SECONDS MAXWINDOW
 * the bytes read, the seconds from the first byte to the end, and the most bytes
 * read within any one second (windows starting at each read), for the rate tests. */
#include "err.h"
#include "grow.h"
#include "progress.h"
#include "tool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct ev {
	double t;
	size_t n;
};

int main(int argc, char **argv)
{
	(void)argc;
	btr_init(argv[0]);
	static char buf[1 << 16];
	struct ev *ev = NULL;
	size_t nev = 0, cap = 0;
	unsigned long long total = 0;
	for (;;) {
		ssize_t r = read(STDIN_FILENO, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			btr_die(3, "read stdin");
		double now = btr_now();
		if (r == 0) {
			double dur = nev ? now - ev[0].t : 0;
			unsigned long long best = 0, sum = 0;
			for (size_t i = 0, j = 0; i < nev; i++) { /* window [t_i, t_i + 1) */
				while (j < nev && ev[j].t < ev[i].t + 1.0)
					sum += ev[j++].n;
				if (sum > best)
					best = sum;
				sum -= ev[i].n;
			}
			printf("%llu %.3f %llu\n", total, dur, best);
			free(ev);
			return 0;
		}
		if (btr_grow((void **)&ev, &cap, nev + 1, sizeof *ev) < 0)
			btr_die_last();
		ev[nev++] = (struct ev){now, (size_t)r};
		total += (unsigned long long)r;
	}
}
