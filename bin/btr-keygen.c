/* btr-keygen: an X25519 key pair for btr-seal -r / btr-unseal -k, or with --sign an
 * Ed25519 pair for btr-seal -s / btr-unseal --signer. */
#include "err.h"
#include "io.h"
#include "tool.h"
#include "seal/seal.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* --fingerprint FILE: of a signing public key, or of the secret one. */
static int fingerprint(const char *file)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	char fp[BTR_FINGERPRINT_LEN + 1];
	if (btr_signpub_load(file, pk) < 0) {
		uint8_t *sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
		if (!sk)
			btr_die(BTR_EXIT_SYS, "out of memory");
		if (btr_signkey_load(file, sk, 0) < 0)
			btr_die_last();
		crypto_sign_ed25519_sk_to_pk(pk, sk);
		sodium_free(sk);
	}
	btr_sign_fingerprint(pk, fp);
	printf("%s\n", fp);
	if (btr_close_stdout() < 0)
		btr_die_last();
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: btr-keygen [--sign] -o FILE [-f] [-q]\n"
		   "       btr-keygen --fingerprint FILE\n"
		   "Writes a secret key to FILE (mode 0600) and its public key to FILE.pub.\n"
		   "  -o, --output FILE     the secret key file\n"
		   "      --sign            a signing key pair instead (FILE.sign, FILE.sign.pub)\n"
		   "  -f, --force           replace existing files\n"
		   "      --fingerprint F   print the fingerprint of signing key file F\n"
		   "  -q, --quiet           no message saying where the keys went\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
					     {"force", no_argument, NULL, 'f'},
					     {"sign", no_argument, NULL, 's'},
					     {"fingerprint", required_argument, NULL, 'F'},
					     {NULL, 0, NULL, 0}};
	struct btr_cli cli = {.name = "btr-keygen", .usage = usage, .shortopts = "o:f", .longopts = opts};
	const char *out = NULL, *fp_of = NULL;
	int force = 0, sign = 0, c;
	btr_init(argv[0]);
	while ((c = btr_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'f': force = 1; break;
		case 's': sign = 1; break;
		case 'F': fp_of = optarg; break;
		default: btr_cli_unexpected(&cli, c);
		}
	}
	if (fp_of) {
		if (out || sign || force)
			btr_usage_error("--fingerprint takes no other option");
		return fingerprint(fp_of);
	}
	if (!out)
		btr_usage_error("-o FILE is required");
	if (!sign) {
		if (btr_keygen_write(out, force) < 0)
			btr_die_last();
		if (!cli.quiet)
			fprintf(stderr, "btr-keygen: secret key in %s, public key in %s.pub\n", out, out);
		return 0;
	}
	/* -o host writes host.sign: the name says which kind of key a file holds. */
	char name[4096];
	size_t n = strlen(out);
	int ends = n >= 5 && strcmp(out + n - 5, ".sign") == 0;
	if ((size_t)snprintf(name, sizeof name, "%s%s", out, ends ? "" : ".sign") >= sizeof name)
		btr_usage_error("key file name too long");
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	char fp[BTR_FINGERPRINT_LEN + 1];
	if (btr_signkey_write(name, force, pk) < 0)
		btr_die_last();
	btr_sign_fingerprint(pk, fp);
	if (!cli.quiet)
		fprintf(stderr, "btr-keygen: signing key in %s, public key in %s.pub (fingerprint %s)\n", name, name, fp);
	return 0;
}
