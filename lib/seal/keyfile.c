#include "seal.h"
#include "err.h"
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SK_PREFIX "btr-secret-key-1 "
#define PK_PREFIX "btr-public-key-1 "
/* Signing keys have first words of their own: neither kind loads as the other. */
#define SIGN_SK_PREFIX "btr-sign-secret-key-1 "
#define SIGN_PK_PREFIX "btr-sign-public-key-1 "
#define B64LEN sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)

static const struct {
	const char *prefix, *kind;
} kinds[] = {{SK_PREFIX, "secret key"},
	     {PK_PREFIX, "public key"},
	     {SIGN_SK_PREFIX, "signing secret key"},
	     {SIGN_PK_PREFIX, "signing public key"}};

static int write_key(const char *path, int mode, int force, const char *prefix, const uint8_t k[32])
{
	char line[sizeof SIGN_SK_PREFIX + B64LEN + 2];
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), mode);
	if (fd < 0) {
		if (errno == EEXIST)
			return btr_fail(BTR_EXIT_USAGE, "%s already exists (use -f to replace it)", path);
		return btr_fail_errno(BTR_EXIT_SYS, "create %s", path);
	}
	if (fchmod(fd, (mode_t)mode) < 0) {
		close(fd);
		return btr_fail_errno(BTR_EXIT_SYS, "chmod %s", path);
	}
	size_t n = strlen(prefix);
	memcpy(line, prefix, n);
	sodium_bin2base64(line + n, B64LEN, k, 32, sodium_base64_VARIANT_ORIGINAL);
	n = strlen(line);
	line[n++] = '\n';
	int rc = btr_write_or_fail(fd, line, n, path);
	sodium_memzero(line, sizeof line);
	if (rc == 0)
		rc = btr_fsync_file(fd, path);
	if (close(fd) < 0 && rc == 0)
		rc = btr_fail_errno(BTR_EXIT_SYS, "close %s", path);
	return rc;
}

/* FILE gets the secret sk, FILE.pub the public pk. */
static int write_pair(const char *file, int force, const char *sk_prefix, const uint8_t *sk,
		      const char *pk_prefix, const uint8_t *pk)
{
	char pub[4096];
	if ((size_t)snprintf(pub, sizeof pub, "%s.pub", file) >= sizeof pub)
		return btr_fail(BTR_EXIT_USAGE, "key file name too long");
	int rc = write_key(file, 0600, force, sk_prefix, sk);
	if (rc == 0 && (rc = write_key(pub, 0644, force, pk_prefix, pk)) < 0)
		unlink(file); /* never leave half a key pair */
	return rc;
}

int btr_keygen_write(const char *file, int force)
{
	uint8_t pk[32];
	uint8_t *sk = sodium_malloc(32);
	if (!sk)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	crypto_box_keypair(pk, sk);
	int rc = write_pair(file, force, SK_PREFIX, sk, PK_PREFIX, pk);
	sodium_free(sk);
	return rc;
}

/* The file holds the 32-byte seed; the 64-byte libsodium secret key is made from it. */
int btr_signkey_write(const char *file, int force, uint8_t pk[32])
{
	uint8_t *seed = sodium_malloc(32), *sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	int rc = -1;
	if (!seed || !sk)
		btr_fail(BTR_EXIT_SYS, "out of memory");
	else {
		randombytes_buf(seed, 32);
		crypto_sign_seed_keypair(pk, sk, seed);
		rc = write_pair(file, force, SIGN_SK_PREFIX, seed, SIGN_PK_PREFIX, pk);
	}
	sodium_free(seed);
	sodium_free(sk);
	return rc;
}

static int load_key(const char *file, const char *prefix, uint8_t k[32], const char *kind)
{
	char *buf = sodium_malloc(8192);
	if (!buf)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	int fd = open(file, O_RDONLY | O_CLOEXEC), rc = -1;
	if (fd < 0) {
		btr_fail_errno(errno == ENOENT ? BTR_EXIT_USAGE : BTR_EXIT_SYS, "open %s %s", kind, file);
		goto out;
	}
	ssize_t n = btr_read_or_fail(fd, buf, 8191, file);
	close(fd);
	if (n < 0)
		goto out;
	buf[n] = '\0';
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		size_t pl = strlen(prefix), klen = 0;
		if (strncmp(line, prefix, pl) != 0) {
			const char *other = NULL;
			for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
				if (strncmp(line, kinds[i].prefix, strlen(kinds[i].prefix)) == 0)
					other = kinds[i].kind;
			if (other)
				btr_fail(BTR_EXIT_USAGE, "%s is a %s, not a %s", file, other, kind);
			else
				btr_fail(BTR_EXIT_USAGE, "%s is not a btr key file, not a %s", file, kind);
			goto out;
		}
		char *end = line + strlen(line);
		while (end > line && (end[-1] == '\r' || end[-1] == ' '))
			*--end = '\0';
		/* libsodium 1.0.18 decodes some bytes above 0x7f as base64 digits: a damaged
		 * key file would load as another key (a backup sealed to nobody). */
		size_t b64len = strlen(line + pl);
		if (b64len != B64LEN - 1 ||
		    strspn(line + pl, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != b64len ||
		    sodium_base642bin(k, 32, line + pl, b64len, NULL, &klen, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0 || klen != 32) {
			btr_fail(BTR_EXIT_USAGE, "%s: malformed %s", file, kind);
			goto out;
		}
		rc = 0;
		goto out;
	}
	btr_fail(BTR_EXIT_USAGE, "%s holds no %s", file, kind);
out:
	sodium_free(buf);
	return rc;
}

int btr_pubkey_load(const char *file, uint8_t pk[32])
{
	return load_key(file, PK_PREFIX, pk, "public key");
}

int btr_seckey_load(const char *file, uint8_t sk[32])
{
	return load_key(file, SK_PREFIX, sk, "secret key");
}

int btr_signpub_load(const char *file, uint8_t pk[32])
{
	return load_key(file, SIGN_PK_PREFIX, pk, "signing public key");
}

int btr_signkey_load(const char *file, uint8_t *sk)
{
	uint8_t *seed = sodium_malloc(32), pk[crypto_sign_PUBLICKEYBYTES];
	if (!seed)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	int rc = load_key(file, SIGN_SK_PREFIX, seed, "signing secret key");
	if (rc == 0)
		crypto_sign_seed_keypair(pk, sk, seed);
	sodium_free(seed);
	return rc;
}
