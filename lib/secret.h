/* Secrets (passphrases, passwords) from a file, a file descriptor, an environment
 * variable, or a prompt on /dev/tty: never from argv, never from stdin (stdin is data).
 * The secret lives in sodium_malloc'd memory; release it with btr_secret_free. */
#ifndef BTR_SECRET_H
#define BTR_SECRET_H
#include <stddef.h>

struct btr_secret_src {
	const char *file;   /* --passphrase-file: first line of the file */
	int fd;             /* --passphrase-fd: first line read from it; -1 for none */
	const char *env;    /* name of an environment variable to take it from, or NULL */
	const char *what;   /* "passphrase", "etcd password": used in prompts and messages */
	const char *hint;   /* the options to suggest when there is no terminal */
	int insecure_ok;    /* --insecure-key-file: take a file that group or others can read */
};

/* Refuses (2) a secret file that group or others may read or write, as ssh refuses
 * such a key, unless insecure_ok.  what: "passphrase file", "secret key file". */
int btr_secret_file_private(int fd, const char *what, const char *path, int insecure_ok);
/* Parses a --passphrase-fd argument: a descriptor above 2 (0-2 are the data and
 * the messages).  -1 with btr_fail (2) naming why. */
int btr_secret_fd_arg(const char *arg, const char *opt, int *fd);

/* Returns the secret (NUL-terminated, *len without the NUL) from the first source
 * that is set, in the order file, fd, env, terminal.  With confirm, the terminal asks
 * twice.  NULL on failure (btr_fail: 2 when there is no source, 3 on I/O). */
char *btr_secret_get(const struct btr_secret_src *src, const char *prompt, int confirm, size_t *len);
void btr_secret_free(char *s);
#endif
