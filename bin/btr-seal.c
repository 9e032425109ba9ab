/* btr-seal: compress, then encrypt and authenticate stdin to stdout. */
#include "args.h"
#include "err.h"
#include "tool.h"
#include "io.h"
#include "progress.h"
#include "seal/seal.h"
#include "secret.h"
#include "size.h"

#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: btr-seal [-LEVEL] [-T N] [--no-compress] [-r FILE.pub]... [--passphrase-file F | --passphrase-fd N]\n"
		   "                [--kdf interactive|moderate|sensitive] [-s FILE.sign] [-q] < IN > OUT\n"
		   "Compresses stdin with zstd and seals it (XChaCha20-Poly1305 secretstream).\n"
		   "  -1 .. -19               zstd level (default 1)\n"
		   "  -T, --threads N         compression threads (default, and 0: one per core)\n"
		   "      --no-compress       encrypt only\n"
		   "  -r, --recipient FILE    seal to this public key (btr-keygen); repeatable\n"
		   "      --passphrase-file F first line of F is the passphrase\n"
		   "      --passphrase-fd N   read the passphrase from file descriptor N (3 or above)\n"
		   "      --insecure-key-file take a passphrase file that group or others can read\n"
		   "      --kdf PRESET        Argon2id cost: interactive, moderate (default), sensitive\n"
		   "  -s, --sign-key FILE     sign the header with this signing key (btr-keygen --sign)\n"
		   "      --chunk SIZE        plaintext bytes per authenticated chunk (default 256K)\n"
		   "  -q, --quiet             no messages but errors, no progress\n"
		   "Without -r the passphrase comes from --passphrase-file, --passphrase-fd,\n"
		   "BTR_PASSPHRASE, or the terminal (asked twice).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"threads", required_argument, NULL, 'T'}, {"no-compress", no_argument, NULL, 'N'},
		{"recipient", required_argument, NULL, 'r'}, {"passphrase-file", required_argument, NULL, 'F'},
		{"passphrase-fd", required_argument, NULL, 'D'}, {"kdf", required_argument, NULL, 'K'},
		{"chunk", required_argument, NULL, 'C'}, {"level", required_argument, NULL, 'L'},
		{"sign-key", required_argument, NULL, 's'}, {"insecure-key-file", no_argument, NULL, 'I'},
		{NULL, 0, NULL, 0}};
	struct btr_cli cli = {.name = "btr-seal", .usage = usage, .shortopts = "T:r:s:", .longopts = opts,
			      .no_operands = "input is stdin, output stdout"};
	struct btr_seal_opts o = {.level = 1, .threads = (int)sysconf(_SC_NPROCESSORS_ONLN), .chunk = 256u << 10,
				  .say = btr_say_msg};
	struct btr_secret_src src = {.fd = -1, .env = "BTR_PASSPHRASE", .what = "passphrase",
				     .hint = "--passphrase-file, --passphrase-fd or BTR_PASSPHRASE"};
	const char *kdf = getenv("BTR_KDF") ? getenv("BTR_KDF") : "moderate", *sign_file = NULL;
	static uint8_t rcpt[64][32];
	uint64_t v;
	int c;
	unsigned long num;
	btr_init(argv[0]);
	/* zstd-style "-3", "-19" are --level=3, --level=19 (never -s -3: a file named -3). */
	if (btr_cli_digit_words(&cli, argc, argv, "level") < 0)
		btr_die_last();
	while ((c = btr_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'L':
			if (btr_parse_ulong(optarg, 1, 19, &num) < 0)
				btr_usage_error("compression level must be 1 to 19, not '%s'", optarg);
			o.level = (int)num;
			break;
		case 'T':
			if (btr_parse_ulong(optarg, 0, 256, &num) < 0)
				btr_usage_error("bad thread count '%s'", optarg);
			o.threads = (int)num;
			if (o.threads == 0) /* as zstd -T0 */
				o.threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
			break;
		case 'N': o.level = 0; break;
		case 'r':
			if (o.n_recipients == 64)
				btr_usage_error("at most 64 recipients");
			if (btr_pubkey_load(optarg, rcpt[o.n_recipients]) < 0)
				btr_die_last();
			o.n_recipients++;
			break;
		case 'F': src.file = optarg; break;
		case 'D':
			if (btr_secret_fd_arg(optarg, "--passphrase-fd", &src.fd) < 0)
				btr_usage_error("%s", btr_errmsg());
			break;
		case 'I': src.insecure_ok = 1; break;
		case 'K': kdf = optarg; break;
		case 's':
			if (sign_file)
				btr_usage_error("one -s signing key at most");
			sign_file = optarg;
			break;
		case 'C':
			if (btr_parse_size(optarg, &v) < 0 || v < 1024 || v > (16u << 20))
				btr_usage_error("chunk size must be 1K to 16M, not '%s'", optarg);
			o.chunk = (uint32_t)v;
			break;
		default: btr_cli_unexpected(&cli, c);
		}
	}
	if (cli.quiet)
		o.say = NULL;
	o.progress = cli.progress;
	if (btr_kdf_preset(kdf, &o.ops, &o.mem) < 0)
		btr_usage_error("unknown --kdf '%s' (interactive, moderate or sensitive)", kdf);
	if (o.n_recipients && (src.file || src.fd >= 0))
		btr_usage_error("-r and a passphrase option exclude each other");
	if (btr_refuse_tty(STDOUT_FILENO, "stdout") < 0)
		btr_die_last();
	o.recipients = (const uint8_t(*)[32])rcpt;
	if (sign_file) {
		if (!(o.sign_sk = sodium_malloc(crypto_sign_SECRETKEYBYTES)))
			btr_die(BTR_EXIT_SYS, "out of memory");
		if (btr_signkey_load(sign_file, o.sign_sk, src.insecure_ok) < 0)
			btr_die_last();
	}
	char *pass = NULL;
	if (!o.n_recipients) {
		if (!(pass = btr_secret_get(&src, "passphrase: ", 1, &o.pass_len)))
			btr_die_last();
		o.pass = pass;
	}
	int rc = btr_seal(STDIN_FILENO, STDOUT_FILENO, &o);
	btr_secret_free(pass);
	if (o.sign_sk)
		sodium_free(o.sign_sk);
	if (rc < 0 || btr_close_stdout() < 0)
		btr_die_last();
	return 0;
}
