/* legacy-dump: a backup made by the original BTrDB backup tool (or a full backup and
 * its incrementals) as a record stream on stdout, every frame authenticated first. */
#include "args.h"
#include "err.h"
#include "io.h"
#include "secret.h"
#include "tool.h"
#include "legacy/legacy.h"
#include "progress.h"

#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_DIRS 1024

static void usage(FILE *f)
{
	fprintf(f, "usage: legacy-dump -d DIR [-d INCREMENTAL_DIR]... [--passphrase-file F | --passphrase-fd N]\n"
		   "                   [--progress | -q] > STREAM\n"
		   "Reads a backup written by the original BTrDB backup tool (ARCHIVE*.bin, METADATA.bin)\n"
		   "and writes every object and etcd key as a record stream.\n"
		   "  -d, --dir DIR           the backup directory; repeat for a full backup followed by\n"
		   "                          its incrementals, in the order they were made\n"
		   "      --passphrase-file F first line of F is the passphrase\n"
		   "      --insecure-key-file take a passphrase file that group or others can read\n"
		   "      --passphrase-fd N   read the passphrase from file descriptor N\n"
		   "  -q, --quiet             no summary, no progress\n"
		   "The passphrase comes from --passphrase-file, --passphrase-fd, BTR_PASSPHRASE, or the terminal.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'}, {"passphrase-file", required_argument, NULL, 'F'},
		{"passphrase-fd", required_argument, NULL, 'D'}, {"insecure-key-file", no_argument, NULL, 'I'},
		{NULL, 0, NULL, 0}};
	struct btr_cli cli = {.name = "legacy-dump", .usage = usage, .shortopts = "d:", .longopts = opts,
			      .no_operands = "the backup is named with -d"};
	struct btr_secret_src src = {.fd = -1, .env = "BTR_PASSPHRASE", .what = "passphrase",
				     .hint = "--passphrase-file, --passphrase-fd or BTR_PASSPHRASE"};
	const char *dirs[MAX_DIRS];
	size_t n = 0, len;
	int c;
	unsigned long num;
	btr_init(argv[0]);
	while ((c = btr_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'd':
			if (!*optarg)
				btr_usage_error("--dir: empty directory name");
			if (n == MAX_DIRS)
				btr_usage_error("more than %d directories", MAX_DIRS);
			dirs[n++] = optarg;
			break;
		case 'F': src.file = optarg; break;
		case 'I': src.insecure_ok = 1; break;
		case 'D':
			if (btr_parse_ulong(optarg, 0, INT_MAX, &num) < 0)
				btr_usage_error("bad file descriptor '%s'", optarg);
			src.fd = (int)num;
			break;
		default: btr_cli_unexpected(&cli, c);
		}
	}
	if (!n)
		btr_usage_error("no backup directory (-d DIR)");
	if (src.file && src.fd >= 0)
		btr_usage_error("--passphrase-file and --passphrase-fd exclude each other");
	if (btr_refuse_tty(STDOUT_FILENO, "stdout") < 0)
		btr_die_last();

	uint8_t *key = sodium_malloc(BTR_LEGACY_KEY);
	char *pass;
	if (!key)
		btr_die(BTR_EXIT_SYS, "out of memory");
	if (!(pass = btr_secret_get(&src, "passphrase of the old backup: ", 0, &len)))
		btr_die_last();
	int rc = btr_legacy_derive_key(pass, len, key);
	btr_secret_free(pass);
	struct btr_legacy_dump_stats st = {0};
	if (rc == 0)
		rc = btr_legacy_dump(dirs, n, key, STDOUT_FILENO, cli.progress, &st);
	sodium_free(key);
	if (rc < 0) {
		btr_legacy_dump_stats_free(&st);
		btr_die_last();
	}
	/* The original tool's summary lines. */
	if (!cli.quiet) {
		fprintf(stderr, "archive contains %llu ceph objects and %llu etcd records\n",
			(unsigned long long)st.objects, (unsigned long long)st.kvs);
		fprintf(stderr, "the following %zu pools are referenced:\n", st.n_pools);
		for (size_t i = 0; i < st.n_pools; i++)
			fprintf(stderr, " - %s\n", st.pools[i]);
	}
	btr_legacy_dump_stats_free(&st);
	if (btr_close_stdout() < 0)
		btr_die_last();
	return 0;
}
