/* Joining pieces back, each checked against the manifest: missing, extra, resized
 * or altered pieces are named.  A piece's checksum is known only at its end, so the
 * output of a join is valid only when the join exits 0. */
#include "split.h"
#include "err.h"
#include "io.h"
#include "progress.h"
#include "spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BLOCK (1u << 20)
#define WINDOW (8u << 20)
/* The longest manifest BTR_SPLIT_MAX_PIECES pieces can have: its first line, piece lines
 * of at most 7+7+4 name, 15 size, 32 checksum bytes, two spaces and a newline, and
 * the end line.  A larger MANIFEST (a sparse file, say) is refused before any read. */
#define MANIFEST_MAX (21 + BTR_SPLIT_MAX_PIECES * 69ull + 72)

/* Why a file of a split could not be opened: one line, exit class by cause. */
static int open_failed(const char *dir, const char *name)
{
	if (errno == ENOENT && !strcmp(name, BTR_SPLIT_MANIFEST))
		return btr_fail(BTR_EXIT_DATA, "%s has no %s: not a finished split (or not a split at all)", dir, name);
	if (errno == ENOENT)
		return btr_fail(BTR_EXIT_DATA, "piece %s is missing", name);
	if (errno == ELOOP)
		return btr_fail(BTR_EXIT_DATA, "%s/%s is a symbolic link: refusing to follow it", dir, name);
	return btr_fail_errno(BTR_EXIT_SYS, "open %s/%s", dir, name);
}

/* Opens a file of the split for reading: never through a symlink, never a fifo or
 * device (O_NONBLOCK: opening a fifo must not wait for a writer). */
static int open_regular(int dfd, const char *dir, const char *name, struct stat *st)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return open_failed(dir, name);
	if (fstat(fd, st) < 0) {
		btr_fail_errno(BTR_EXIT_SYS, "stat %s/%s", dir, name);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		btr_fail(BTR_EXIT_DATA, "%s/%s is not a regular file", dir, name);
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads the manifest a block at a time: memory grows only with its valid lines. */
static int read_manifest(int dfd, const char *dir, struct btr_split_manifest *m)
{
	struct stat st;
	int fd = open_regular(dfd, dir, BTR_SPLIT_MANIFEST, &st);
	if (fd < 0)
		return -1;
	if ((uint64_t)st.st_size > MANIFEST_MAX) {
		close(fd);
		return btr_fail(BTR_EXIT_DATA, "%s/%s has %lld bytes, more than a manifest of %u pieces can have",
				dir, BTR_SPLIT_MANIFEST, (long long)st.st_size, BTR_SPLIT_MAX_PIECES);
	}
	char buf[1u << 16];
	size_t have = 0;
	uint64_t total = 0;
	struct btr_split_parse ps;
	btr_split_manifest_begin(&ps, m);
	int rc = 0;
	for (;;) {
		ssize_t n = btr_read_or_fail(fd, buf + have, sizeof buf - have, BTR_SPLIT_MANIFEST);
		if (n < 0) {
			btr_split_manifest_free(m);
			rc = -1;
			break;
		}
		have += (size_t)n;
		if ((total += (uint64_t)n) > MANIFEST_MAX) {
			btr_split_manifest_free(m);
			rc = btr_fail(BTR_EXIT_DATA, "%s grew past %llu bytes while it was read", BTR_SPLIT_MANIFEST, MANIFEST_MAX);
			break;
		}
		size_t pos = 0;
		const char *nl;
		while (rc == 0 && (nl = memchr(buf + pos, '\n', have - pos))) {
			rc = btr_split_manifest_line(&ps, buf + pos, (size_t)(nl - buf - pos));
			pos = (size_t)(nl - buf) + 1;
		}
		if (rc == 0 && have - pos > BTR_SPLIT_MANIFEST_LINE_MAX)
			rc = btr_split_manifest_line(&ps, buf + pos, have - pos); /* says it is too long */
		if (rc < 0)
			break;
		memmove(buf, buf + pos, have - pos);
		have -= pos;
		if (n == 0) {
			rc = btr_split_manifest_end(&ps, have > 0);
			break;
		}
	}
	close(fd);
	if (rc < 0) {
		char msg[1100];
		snprintf(msg, sizeof msg, "%s/%s: %s", dir, BTR_SPLIT_MANIFEST, btr_errmsg());
		btr_fail(btr_errcode(), "%s", msg);
	}
	return rc;
}

/* Pieces in the directory that the manifest does not list. */
static int check_extra(int dfd, const char *dir, const struct btr_split_manifest *m)
{
	DIR *d = btr_dir_list(dfd, dir);
	if (!d)
		return -1;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d))) {
		size_t i;
		if (strncmp(e->d_name, "ARCHIVE", 7) != 0)
			continue;
		if (btr_split_piece_index(e->d_name, &i) < 0 || i >= m->n) {
			rc = btr_fail(BTR_EXIT_DATA, "extra piece %s is not in the manifest", e->d_name);
			break;
		}
	}
	closedir(d);
	return rc;
}

/* Where a piece's bytes go while they are summed. */
struct sink {
	int out;
	struct btr_xxh128 h;
	struct btr_progress *pg;
};

static int sink_put(struct sink *k, const uint8_t *p, size_t n)
{
	btr_xxh128_update(&k->h, p, n);
	btr_progress_add(k->pg, 0, n);
	return k->out >= 0 ? btr_write_or_fail(k->out, p, n, "stdout") : 0;
}

/* From a fetch command's pipe; *got is what arrived, and more than size is an error. */
static int pass_read(int fd, const char *name, uint64_t size, uint8_t *buf, struct sink *k, uint64_t *got)
{
	*got = 0;
	for (;;) {
		ssize_t n = read(fd, buf, BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return btr_fail_errno(BTR_EXIT_SYS, "read %s", name);
		if (n == 0)
			return 0;
		*got += (uint64_t)n;
		if (*got > size)
			return btr_fail(BTR_EXIT_DATA, "piece %s is longer than the manifest's %llu bytes", name,
					(unsigned long long)size);
		if (sink_put(k, buf, (size_t)n) < 0)
			return -1;
	}
}

static sigjmp_buf bus_jmp;
static volatile sig_atomic_t bus_armed;

static void on_bus(int sig)
{
	if (bus_armed)
		siglongjmp(bus_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* From a file, whose size was checked: windows of it are mapped, so its bytes are
 * summed where they lie in the page cache instead of being copied first (this keeps
 * a join at the speed of cat).  A file cut short meanwhile raises SIGBUS, caught. */
static int pass_mapped(int fd, const char *name, uint64_t size, struct sink *k)
{
	struct sigaction sa = {.sa_handler = on_bus}, old;
	uint8_t *volatile map = NULL;
	volatile size_t len = 0;
	volatile uint64_t off = 0;
	volatile int rc = 0;
	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(bus_jmp, 1)) {
		rc = btr_fail(BTR_EXIT_DATA, "piece %s was cut short while it was read", name);
		goto done;
	}
	bus_armed = 1;
	for (; off < size && rc == 0; off += len) {
		len = size - off < WINDOW ? (size_t)(size - off) : WINDOW;
		void *p = mmap(NULL, len, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, (off_t)off);
		if (p == MAP_FAILED) {
			rc = btr_fail_errno(BTR_EXIT_SYS, "map %s", name);
			break;
		}
		map = p;
		for (size_t o = 0; o < len && rc == 0; o += BLOCK)
			rc = sink_put(k, map + o, len - o < BLOCK ? len - o : BLOCK);
		munmap(map, len);
		map = NULL;
	}
done:
	bus_armed = 0;
	if (map)
		munmap(map, len);
	sigaction(SIGBUS, &old, NULL);
	return rc;
}

int btr_join(const char *dir, const char *fetch, int out, int progress)
{
	struct btr_progress pg;
	struct btr_split_manifest m;
	/* The directory may be a symlink (a "latest" link to a backup); its files may not. */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) /* no directory is no finished split, as no MANIFEST is (exit 1) */
		return btr_fail_errno(errno == ENOENT || errno == ENOTDIR ? BTR_EXIT_DATA : BTR_EXIT_SYS, "open directory %s", dir);
	if (read_manifest(dfd, dir, &m) < 0) {
		close(dfd);
		return -1;
	}
	int rc = -1;
	uint8_t *buf = malloc(BLOCK);
	if (!buf) {
		btr_fail(BTR_EXIT_SYS, "out of memory");
		goto out;
	}
	if (!fetch && check_extra(dfd, dir, &m) < 0)
		goto out;
	btr_progress_init(&pg, out >= 0 ? "join" : "check", progress);
	pg.unit = "pieces";
	pg.total_bytes = m.total;
	for (size_t i = 0; i < m.n; i++) {
		char name[32];
		pid_t pid = 0;
		btr_split_piece_name(name, sizeof name, i);
		struct stat st;
		int fd = fetch ? btr_spawn_sh(fetch, name, 1, &pid) : open_regular(dfd, dir, name, &st);
		if (fd < 0)
			goto out;
		if (!fetch && (uint64_t)st.st_size != m.pieces[i].size) {
			btr_fail(BTR_EXIT_DATA, "piece %s has %lld bytes, the manifest says %llu (resized or replaced)", name,
				 (long long)st.st_size, (unsigned long long)m.pieces[i].size);
			close(fd);
			goto out;
		}
		struct sink k = {.out = out, .pg = &pg};
		btr_xxh128_init(&k.h);
		uint64_t got = m.pieces[i].size;
		int err = fetch ? pass_read(fd, name, m.pieces[i].size, buf, &k, &got) : pass_mapped(fd, name, got, &k);
		close(fd);
		if (pid > 0) {
			if (err)
				kill(pid, SIGTERM);
			int ws = btr_spawn_wait(pid);
			if (!err && !(WIFEXITED(ws) && WEXITSTATUS(ws) == 0)) {
				btr_fail(BTR_EXIT_SYS, "fetching %s failed", name);
				goto out;
			}
		}
		if (err)
			goto out;
		uint8_t sum[BTR_SUM_BYTES];
		btr_xxh128_final(&k.h, sum);
		if (got != m.pieces[i].size) {
			btr_fail(BTR_EXIT_DATA, "piece %s has %llu bytes, the manifest says %llu", name,
				 (unsigned long long)got, (unsigned long long)m.pieces[i].size);
			goto out;
		}
		if (memcmp(sum, m.pieces[i].sum, BTR_SUM_BYTES) != 0) {
			btr_fail(BTR_EXIT_DATA, "piece %s does not match its checksum in the manifest (altered or out of order)", name);
			goto out;
		}
		btr_progress_add(&pg, 1, 0);
	}
	btr_progress_done(&pg);
	rc = 0;
out:
	btr_split_manifest_free(&m);
	free(buf);
	close(dfd);
	return rc;
}
