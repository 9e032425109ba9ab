/* btr-unseal: authenticate and decrypt a sealed stream; every chunk is checked
 * before any of its bytes are written. */
#include "args.h"
#include "err.h"
#include "tool.h"
#include "io.h"
#include "progress.h"
#include "seal/seal.h"

#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: btr-unseal [-k FILE | --passphrase-file F | --passphrase-fd N] [--signer FILE.pub] [--check] [-q] < IN > OUT\n"
		   "  -k, --identity FILE     secret key (btr-keygen) for streams sealed with -r\n"
		   "      --passphrase-file F first line of F is the passphrase\n"
		   "      --passphrase-fd N   read the passphrase from file descriptor N (3 or above)\n"
		   "      --signer FILE.pub   refuse a stream not signed by this key (btr-keygen --sign)\n"
		   "      --insecure-key-file take a key or passphrase file that group or others can read\n"
		   "      --check             authenticate the whole stream, write nothing\n"
		   "  -q, --quiet             no messages but errors, no progress\n"
		   "Without -k the passphrase comes from --passphrase-file, --passphrase-fd,\n"
		   "BTR_PASSPHRASE, or the terminal.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"identity", required_argument, NULL, 'k'}, {"passphrase-file", required_argument, NULL, 'F'},
		{"passphrase-fd", required_argument, NULL, 'D'}, {"check", no_argument, NULL, 'c'},
		{"signer", required_argument, NULL, 'S'}, {"insecure-key-file", no_argument, NULL, 'I'},
		{NULL, 0, NULL, 0}};
	struct btr_cli cli = {.name = "btr-unseal", .usage = usage, .shortopts = "k:", .longopts = opts,
			      .no_operands = "input is stdin, output stdout"};
	struct btr_unseal_keys k = {.pass = {.fd = -1, .env = "BTR_PASSPHRASE", .what = "passphrase",
					     .hint = "--passphrase-file, --passphrase-fd or BTR_PASSPHRASE"},
				  .say = btr_say_msg};
	const char *identity = NULL;
	uint8_t signer[crypto_sign_PUBLICKEYBYTES];
	int check = 0, c;
	btr_init(argv[0]);
	while ((c = btr_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'k': identity = optarg; break;
		case 'F': k.pass.file = optarg; break;
		case 'D':
			if (btr_secret_fd_arg(optarg, "--passphrase-fd", &k.pass.fd) < 0)
				btr_usage_error("%s", btr_errmsg());
			break;
		case 'I': k.pass.insecure_ok = 1; break;
		case 'c': check = 1; break;
		case 'S':
			if (k.signer)
				btr_usage_error("one --signer at most");
			if (btr_signpub_load(optarg, signer) < 0)
				btr_die_last();
			k.signer = signer;
			break;
		default: btr_cli_unexpected(&cli, c);
		}
	}
	if (cli.quiet)
		k.say = NULL;
	k.progress = cli.progress;
	if (identity && (k.pass.file || k.pass.fd >= 0))
		btr_usage_error("-k and a passphrase option exclude each other");
	if (!check)
		if (btr_refuse_tty(STDOUT_FILENO, "stdout") < 0)
			btr_die_last();
	uint8_t *sk = NULL;
	if (identity) {
		if (!(sk = sodium_malloc(32)))
			btr_die(BTR_EXIT_SYS, "out of memory");
		if (btr_seckey_load(identity, sk, k.pass.insecure_ok) < 0)
			btr_die_last();
		k.sk = sk;
	}
	int rc = btr_unseal(STDIN_FILENO, check ? -1 : STDOUT_FILENO, &k);
	if (sk)
		sodium_free(sk);
	if (rc < 0 || btr_close_stdout() < 0)
		btr_die_last();
	return 0;
}
