#include "seal.h"
#include "err.h"
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#define LINE_MAX_ (sizeof SIGN_SK_PREFIX + B64LEN + 2)

/* One key line: prefix, base64, newline (in the caller's buffer, wiped by it). */
static size_t key_line(char line[LINE_MAX_], const char *prefix, const uint8_t k[32])
{
	size_t n = strlen(prefix);
	memcpy(line, prefix, n);
	sodium_bin2base64(line + n, B64LEN, k, 32, sodium_base64_VARIANT_ORIGINAL);
	n = strlen(line);
	line[n++] = '\n';
	return n;
}

/* Writes text to a new file with a random name beside the target: O_EXCL never
 * reuses a planted file or follows a symlink, and the mode is ours from creation. */
static int write_temp(int dfd, const char *base, char tmp[NAME_MAX + 1], mode_t mode, const char *text, size_t n)
{
	uint8_t r[8];
	char hex[sizeof r * 2 + 1];
	randombytes_buf(r, sizeof r);
	sodium_bin2hex(hex, sizeof hex, r, sizeof r);
	if ((size_t)snprintf(tmp, NAME_MAX + 1, ".%s.%s.tmp", base, hex) > NAME_MAX) {
		tmp[0] = '\0';
		return btr_fail(BTR_EXIT_USAGE, "key file name %s is too long", base);
	}
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		btr_fail_errno(BTR_EXIT_SYS, "create a temporary file for %s", base);
		tmp[0] = '\0';
		return -1;
	}
	int rc = fchmod(fd, mode) < 0 ? btr_fail_errno(BTR_EXIT_SYS, "chmod %s", tmp) : 0; /* past the umask */
	if (rc == 0)
		rc = btr_write_or_fail(fd, text, n, base);
	if (rc == 0)
		rc = btr_fsync_file(fd, base);
	if (close(fd) < 0 && rc == 0)
		rc = btr_fail_errno(BTR_EXIT_SYS, "close %s", tmp);
	return rc;
}

/* Moves tmp onto name; without force never replaces an existing file. */
static int put_in_place(int dfd, const char *tmp, const char *name, int force)
{
	if ((force ? renameat(dfd, tmp, dfd, name) : renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE)) == 0)
		return 0;
	/* a file system without RENAME_NOREPLACE: a hard link also never replaces */
	if (!force && errno == EINVAL && linkat(dfd, tmp, dfd, name, 0) == 0) {
		unlinkat(dfd, tmp, 0);
		return 0;
	}
	if (errno == EEXIST)
		return btr_fail(BTR_EXIT_USAGE, "%s already exists (use -f to replace it)", name);
	return btr_fail_errno(BTR_EXIT_SYS, "cannot put %s in place", name);
}

/* Both files are written under temporary names in the target's directory, then
 * renamed into place, the public key first and the secret key last; if the secret
 * key cannot be put in place, the old public key is put back.  Any failure leaves
 * the old pair (or no pair) as it was, never half of a new one. */
static int write_pair(const char *file, int force, const char *sk_text, size_t sk_len, const char *pk_text, size_t pk_len)
{
	char dir[PATH_MAX], base[NAME_MAX + 1], pub[NAME_MAX + 1];
	char sk_tmp[NAME_MAX + 1] = "", pk_tmp[NAME_MAX + 1] = "", old_tmp[NAME_MAX + 1] = "";
	const char *slash = strrchr(file, '/');
	size_t dl = slash ? (size_t)(slash - file) : 0;
	const char *b = slash ? slash + 1 : file;
	if (!*b)
		return btr_fail(BTR_EXIT_USAGE, "%s names a directory, not a key file", file);
	if (dl >= sizeof dir || strlen(b) + 4 > NAME_MAX)
		return btr_fail(BTR_EXIT_USAGE, "key file name %s is too long", file);
	memcpy(dir, slash ? file : ".", slash ? (dl ? dl : 1) : 1);
	dir[slash ? (dl ? dl : 1) : 1] = '\0';
	snprintf(base, sizeof base, "%s", b);
	snprintf(pub, sizeof pub, "%s.pub", b);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return btr_fail_errno(errno == ENOENT ? BTR_EXIT_USAGE : BTR_EXIT_SYS, "open directory %s", dir);
	struct stat st;
	int rc = 0;
	if (!force && fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
		rc = btr_fail(BTR_EXIT_USAGE, "%s already exists (use -f to replace it)", file);
	else if (!force && fstatat(dfd, pub, &st, AT_SYMLINK_NOFOLLOW) == 0)
		rc = btr_fail(BTR_EXIT_USAGE, "%s.pub already exists (use -f to replace it)", file);
	if (rc == 0)
		rc = write_temp(dfd, pub, pk_tmp, 0644, pk_text, pk_len);
	if (rc == 0)
		rc = write_temp(dfd, base, sk_tmp, 0600, sk_text, sk_len);
	/* A hard link keeps the old public key, to put back if the secret key cannot follow. */
	if (rc == 0 && force && fstatat(dfd, pub, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
		snprintf(old_tmp, sizeof old_tmp, "%.*s.old", (int)(strlen(pk_tmp) - 4), pk_tmp);
		if (linkat(dfd, pub, dfd, old_tmp, 0) < 0)
			rc = btr_fail_errno(BTR_EXIT_SYS, "keep the old %s.pub", file);
	}
	if (rc == 0 && (rc = put_in_place(dfd, pk_tmp, pub, force)) == 0) {
		pk_tmp[0] = '\0';
		if ((rc = put_in_place(dfd, sk_tmp, base, force)) == 0)
			sk_tmp[0] = '\0';
		else if (old_tmp[0] && renameat(dfd, old_tmp, dfd, pub) == 0)
			old_tmp[0] = '\0';
		else if (!old_tmp[0])
			unlinkat(dfd, pub, 0);
	}
	const char *left[] = {pk_tmp, sk_tmp, old_tmp};
	for (size_t i = 0; i < 3; i++)
		if (left[i][0])
			unlinkat(dfd, left[i], 0);
	if (rc == 0)
		rc = btr_fsync_file(dfd, dir);
	close(dfd);
	return rc;
}

/* FILE gets the secret sk, FILE.pub the public pk (both 32 bytes). */
static int write_keys(const char *file, int force, const char *sk_prefix, const uint8_t *sk,
		      const char *pk_prefix, const uint8_t *pk)
{
	char sk_line[LINE_MAX_], pk_line[LINE_MAX_];
	size_t skn = key_line(sk_line, sk_prefix, sk), pkn = key_line(pk_line, pk_prefix, pk);
	int rc = write_pair(file, force, sk_line, skn, pk_line, pkn);
	sodium_memzero(sk_line, sizeof sk_line);
	return rc;
}

int btr_keygen_write(const char *file, int force)
{
	uint8_t pk[32];
	uint8_t *sk = sodium_malloc(32);
	if (!sk)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	crypto_box_keypair(pk, sk);
	int rc = write_keys(file, force, SK_PREFIX, sk, PK_PREFIX, pk);
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
		rc = write_keys(file, force, SIGN_SK_PREFIX, seed, SIGN_PK_PREFIX, pk);
	}
	sodium_free(seed);
	sodium_free(sk);
	return rc;
}

static int load_key(const char *file, const char *prefix, uint8_t k[32], const char *kind, int insecure_ok)
{
	char *buf = sodium_malloc(8192);
	if (!buf)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	int fd = open(file, O_RDONLY | O_CLOEXEC), rc = -1;
	if (fd < 0) {
		btr_fail_errno(errno == ENOENT ? BTR_EXIT_USAGE : BTR_EXIT_SYS, "open %s %s", kind, file);
		goto out;
	}
	/* a public key may be world-readable, a secret key may not */
	ssize_t n = insecure_ok || btr_secret_file_private(fd, "secret key file", file, 0) == 0
			    ? btr_read_or_fail(fd, buf, 8191, file) : -1;
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
	return load_key(file, PK_PREFIX, pk, "public key", 1);
}

int btr_seckey_load(const char *file, uint8_t sk[32], int insecure_ok)
{
	return load_key(file, SK_PREFIX, sk, "secret key", insecure_ok);
}

int btr_signpub_load(const char *file, uint8_t pk[32])
{
	return load_key(file, SIGN_PK_PREFIX, pk, "signing public key", 1);
}

int btr_signkey_load(const char *file, uint8_t *sk, int insecure_ok)
{
	uint8_t *seed = sodium_malloc(32), pk[crypto_sign_PUBLICKEYBYTES];
	if (!seed)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	int rc = load_key(file, SIGN_SK_PREFIX, seed, "signing secret key", insecure_ok);
	if (rc == 0)
		crypto_sign_seed_keypair(pk, sk, seed);
	sodium_free(seed);
	return rc;
}
