/* btr-keygen: an X25519 key pair for btr-seal -r / btr-unseal -k. */
#include "err.h"
#include "tool.h"
#include "seal/seal.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
					     {"force", no_argument, NULL, 'f'},
					     {"help", no_argument, NULL, 'h'},
					     {"version", no_argument, NULL, 'V'},
					     {NULL, 0, NULL, 0}};
	const char *out = NULL;
	int force = 0, c;
	btr_init(argv[0]);
	while ((c = getopt_long(argc, argv, "o:fhV", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'f': force = 1; break;
		case 'h':
			printf("usage: btr-keygen -o FILE [-f]\n"
			       "Writes a secret key to FILE (mode 0600) and its public key to FILE.pub.\n"
			       "  -f, --force   replace existing files\n");
			return 0;
		case 'V': printf("btr-keygen %s\n", BTR_VERSION); return 0;
		default: btr_usage_error("unknown option");
		}
	}
	if (!out)
		btr_usage_error("-o FILE is required");
	if (optind != argc)
		btr_usage_error("unexpected argument '%s'", argv[optind]);
	if (btr_keygen_write(out, force) < 0)
		btr_die_last();
	fprintf(stderr, "btr-keygen: secret key in %s, public key in %s.pub\n", out, out);
	return 0;
}
