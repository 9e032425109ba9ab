/* btr-filter: keep or drop whole objects and keys of a record stream, rename pools
 * and key prefixes, and write a valid stream. */
#include "err.h"
#include "tool.h"
#include "filter/filter.h"
#include "io.h"
#include "progress.h"
#include "size.h"

#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: btr-filter [OPTION]... < STREAM > STREAM\n"
		   "Keeps the objects and keys of a record stream that match, drops the rest.\n"
		   "Ceph entries (objects, deletions, index entries):\n"
		   "  -p, --pool P              in pool P\n"
		   "  -N, --namespace NS        in namespace NS (- is the default namespace)\n"
		   "      --object GLOB         name matches the shell pattern (* matches / too)\n"
		   "  -E, --object-regex RE     name matches the POSIX extended regex (unanchored)\n"
		   "      --object-hex HEX      name is exactly these bytes\n"
		   "etcd keys:\n"
		   "      --key-prefix P        key starts with P\n"
		   "  -K, --key GLOB            key matches the shell pattern\n"
		   "      --key-regex RE        key matches the regex\n"
		   "      --key-hex HEX         key is exactly these bytes\n"
		   "both:\n"
		   "      --from-list FILE      entries listed in FILE (lines of btr-inspect -l)\n"
		   "      --only ceph|etcd      only entries of that kind\n"
		   "      --invert              keep what does not match (--only still applies)\n"
		   "      --rename-pool OLD:NEW    write pool OLD as NEW\n"
		   "  -R, --rename-prefix OLD:NEW  write keys starting with OLD with NEW instead\n"
		   "      --verify              also check every object's digest here (by default\n"
		   "                            they pass on unchanged for the next reader to check)\n"
		   "      --data                write the data of the one object that matches, raw,\n"
		   "                            instead of a stream (exit 1 unless exactly one)\n"
		   "Criteria on one field (pool, namespace, name, key) are alternatives, on different\n"
		   "fields all must hold; entries of a kind without criteria are kept only when no\n"
		   "criterion is given at all.  Decisions are on the names read; renames come after.\n"
		   "Names are written as btr-inspect -l prints them: \\xHH for any byte, \\\\ for \\.\n"
		   "  -q, --quiet     no progress, no notes\n"
		   "      --verbose   a summary of what was kept on stderr\n");
}

enum { O_OHEX = 256, O_KREGEX, O_KHEX, O_ONLY, O_VERBOSE, O_VERIFY, O_DATA };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pool", required_argument, NULL, 'p'},       {"namespace", required_argument, NULL, 'N'},
		{"object", required_argument, NULL, 'o'},     {"object-regex", required_argument, NULL, 'E'},
		{"object-hex", required_argument, NULL, O_OHEX}, {"key-prefix", required_argument, NULL, 'k'},
		{"key", required_argument, NULL, 'K'},        {"key-regex", required_argument, NULL, O_KREGEX},
		{"key-hex", required_argument, NULL, O_KHEX}, {"from-list", required_argument, NULL, 'l'},
		{"only", required_argument, NULL, O_ONLY},    {"invert", no_argument, NULL, 'v'},
		{"rename-pool", required_argument, NULL, 'r'}, {"rename-prefix", required_argument, NULL, 'R'},
		{"verbose", no_argument, NULL, O_VERBOSE},    {"verify", no_argument, NULL, O_VERIFY},
		{"data", no_argument, NULL, O_DATA},          {NULL, 0, NULL, 0}};
	struct btr_cli cli = {.name = "btr-filter", .usage = usage, .shortopts = "p:N:E:K:R:",
			      .longopts = opts,
			      .no_operands = "the stream is read from stdin"};
	int verbose = 0, c, rc = 0;
	btr_init(argv[0]);
	struct btr_filter *f = btr_filter_new();
	if (!f)
		btr_die_last();
	while ((c = btr_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'p': rc = btr_filter_add(f, BTR_F_POOL, optarg); break;
		case 'N': rc = btr_filter_add(f, BTR_F_NAMESPACE, optarg); break;
		case 'o': rc = btr_filter_add(f, BTR_F_OBJECT_GLOB, optarg); break;
		case 'E': rc = btr_filter_add(f, BTR_F_OBJECT_REGEX, optarg); break;
		case O_OHEX: rc = btr_filter_add(f, BTR_F_OBJECT_HEX, optarg); break;
		case 'k': rc = btr_filter_add(f, BTR_F_KEY_PREFIX, optarg); break;
		case 'K': rc = btr_filter_add(f, BTR_F_KEY_GLOB, optarg); break;
		case O_KREGEX: rc = btr_filter_add(f, BTR_F_KEY_REGEX, optarg); break;
		case O_KHEX: rc = btr_filter_add(f, BTR_F_KEY_HEX, optarg); break;
		case 'l': rc = btr_filter_from_list(f, optarg); break;
		case O_ONLY: rc = btr_filter_only(f, optarg); break;
		case 'v': btr_filter_invert(f); break;
		case 'r': rc = btr_filter_rename_pool(f, optarg); break;
		case 'R': rc = btr_filter_rename_prefix(f, optarg); break;
		case O_VERBOSE: verbose = 1; break;
		case O_VERIFY: btr_filter_verify_objects(f); break;
		case O_DATA: btr_filter_data_mode(f); break;
		default: btr_cli_unexpected(&cli, c);
		}
		if (rc < 0)
			btr_die_last();
	}
	if (isatty(STDIN_FILENO))
		btr_usage_error("stdin is a terminal: pipe a record stream in");
	if (btr_refuse_tty(STDOUT_FILENO, "stdout") < 0)
		btr_die_last();

	struct btr_filter_stats st;
	if (btr_filter_run(f, STDIN_FILENO, STDOUT_FILENO, cli.progress, &st) < 0)
		btr_die_last();
	uint64_t kept = 0, seen = 0, listed, missing = btr_filter_list_missing(f, &listed);
	for (int k = 0; k < BTR_FK_N; k++) {
		kept += st.kept[k];
		seen += st.seen[k];
	}
	if (verbose) {
		char b[32];
		btr_msg("kept %" PRIu64 " of %" PRIu64 " objects (%s), %" PRIu64 " of %" PRIu64 " keys, %" PRIu64
			" of %" PRIu64 " deletions, %" PRIu64 " of %" PRIu64 " index entries, in %" PRIu64 " segments",
			st.kept[BTR_FK_OBJECT], st.seen[BTR_FK_OBJECT], btr_fmt_size(st.bytes_kept, b, sizeof b),
			st.kept[BTR_FK_KV], st.seen[BTR_FK_KV], st.kept[BTR_FK_DELETE], st.seen[BTR_FK_DELETE],
			st.kept[BTR_FK_INDEX], st.seen[BTR_FK_INDEX], st.segments);
	}
	if (!cli.quiet && kept == 0 && !btr_filter_in_data_mode(f))
		btr_msg("note: nothing matched (%" PRIu64 " entries read); the output is a valid stream of %" PRIu64
			" empty segment%s", seen, st.segments, st.segments == 1 ? "" : "s");
	if (!cli.quiet && missing)
		btr_msg("note: %" PRIu64 " of the %" PRIu64 " listed entries are not in the stream", missing, listed);
	btr_filter_free(f);
	if (btr_close_stdout() < 0)
		btr_die_last();
	return 0;
}
