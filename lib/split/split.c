/* Writing pieces.  Each piece is fsynced before the next starts, the manifest is
 * written to a temporary name, fsynced and renamed last, then the directory is
 * fsynced: no manifest means the split did not finish.  The directory is opened once
 * and every file is created in it with O_EXCL|O_NOFOLLOW: backups often go to shared
 * places, where a planted symlink or file must never be followed or reused. */
#include "split.h"
#include "err.h"
#include "io.h"
#include "progress.h"
#include "rate.h"
#include "spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BLOCK (1u << 20)
#define MANIFEST_TMP "." BTR_SPLIT_MANIFEST ".tmp"

/* Refuses a directory that holds files; with force, removes an earlier split's. */
static int dir_empty(int dfd, const char *dir, int force)
{
	DIR *d = btr_dir_list(dfd, dir);
	if (!d)
		return -1;
	struct dirent *e;
	int files = 0, rc = 0;
	while ((e = readdir(d))) {
		size_t i;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		files++;
		/* A forced rerun replaces an earlier split: its pieces would be "extra". */
		if (force && (btr_split_piece_index(e->d_name, &i) == 0 || !strcmp(e->d_name, BTR_SPLIT_MANIFEST) ||
			      !strcmp(e->d_name, MANIFEST_TMP)) &&
		    unlinkat(dfd, e->d_name, 0) < 0 && errno != ENOENT) {
			rc = btr_fail_errno(BTR_EXIT_SYS, "remove %s/%s", dir, e->d_name);
			break;
		}
	}
	closedir(d);
	if (rc == 0 && files && !force)
		rc = btr_fail(BTR_EXIT_USAGE, "%s already holds files (use --force to write into it)", dir);
	return rc;
}

/* Creates name in the split's directory: never through a symlink, never an existing
 * file (a planted one would keep its owner and mode, or point elsewhere). */
static int create_in(int dfd, const char *dir, const char *name)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		return btr_fail(BTR_EXIT_SYS, "%s/%s appeared while splitting (another writer, or planted): refusing to reuse it", dir, name);
	if (fd < 0)
		return btr_fail_errno(BTR_EXIT_SYS, "create %s/%s", dir, name);
	return fd;
}

/* Opens DIR once (creating it 0700 when missing), refuses one that others could
 * plant files in, as ssh refuses such a key, and locks it; every file of the split
 * is then created relative to this descriptor, so no path is ever built or re-resolved. */
static int dir_open(const char *dir, int force)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return btr_fail_errno(BTR_EXIT_SYS, "create directory %s", dir);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			return btr_fail(BTR_EXIT_USAGE, "%s is a symbolic link or not a directory: refusing to write into it", dir);
		return btr_fail_errno(BTR_EXIT_SYS, "open directory %s", dir);
	}
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) < 0)
		rc = btr_fail_errno(BTR_EXIT_SYS, "stat %s", dir);
	else if (st.st_uid != geteuid())
		rc = btr_fail(BTR_EXIT_USAGE, "%s is owned by uid %u, not by us (uid %u): refusing to write a backup into it",
			      dir, (unsigned)st.st_uid, (unsigned)geteuid());
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		rc = btr_fail(BTR_EXIT_USAGE, "%s is writable by group or others (mode %04o): refusing to write a backup into it (chmod go-w)",
			      dir, (unsigned)(st.st_mode & 07777));
	/* A lock on the directory itself: nothing is left behind when we exit. */
	else if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		rc = errno == EWOULDBLOCK ? btr_fail(BTR_EXIT_USAGE, "%s is in use by another btr-split", dir)
					  : btr_fail_errno(BTR_EXIT_SYS, "lock %s", dir);
	if (rc == 0)
		rc = dir_empty(fd, dir, force);
	if (rc < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One open piece: a file, a filter's stdin, or both. */
struct piece {
	const struct btr_split_opts *o;
	int fd, pipe_fd;
	pid_t pid;
	struct btr_watch watch;
	int epipe;              /* the filter stopped reading */
	int dfd;                /* the directory, for spooled pieces */
	char name[32];
	struct btr_xxh128 h;
	uint64_t size;
};

/* Starts the filter for one piece (or the manifest), in a process group of its own
 * when it has a time limit. */
static int filter_start(struct piece *p)
{
	const struct btr_split_opts *o = p->o;
	p->pipe_fd = btr_spawn_sh_watched(&p->watch, o->timeout_ms, o->filter, p->name, 0, &p->pid);
	return p->pipe_fd < 0 ? -1 : 0;
}

static const char *dur(long ms, char *buf, size_t n)
{
	snprintf(buf, n, ms % 1000 ? "%ld ms" : "%ld s", ms % 1000 ? ms : ms / 1000);
	return buf;
}

/* Ends the filter: EOF, wait (counting against its time), and judge.  `failed`: the
 * piece could not be written into it. */
static int filter_end(struct piece *p, int failed)
{
	char d[32];
	close(p->pipe_fd);
	p->pipe_fd = -1;
	int st = btr_watch_wait(&p->watch, p->pid);
	if (btr_watch_fired())
		return btr_fail(BTR_EXIT_SYS, "the filter for %s did not finish within %s (--filter-timeout): "
			       "killed it and its process group", p->name, dur(p->o->timeout_ms, d, sizeof d));
	/* A filter that failed is the news, not the broken pipe it left us. */
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		return btr_fail(BTR_EXIT_SYS, "the filter for %s failed (%s %d)", p->name,
				WIFEXITED(st) ? "exit status" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	if (failed && p->epipe)
		return btr_fail(BTR_EXIT_SYS, "the filter for %s exited (status 0) before reading the whole piece", p->name);
	return failed ? -1 : 0;
}

static int filter_write(struct piece *p, const void *b, size_t n)
{
	btr_rate_take(p->o->limit_rate, n);
	btr_watch_start(&p->watch);
	int r = btr_write_full(p->pipe_fd, b, n), e = errno;
	btr_watch_stop(&p->watch);
	if (r == 0)
		return 0;
	p->epipe = e == EPIPE;
	errno = e;
	return btr_fail_errno(BTR_EXIT_SYS, "write %s to its filter", p->name);
}

/* One attempt to hand a spooled piece (path) or the manifest (text) to the filter. */
static int send_once(struct piece *p, const char *text, uint8_t *buf)
{
	int rc = 0, fd = -1;
	if (!text && (fd = openat(p->dfd, p->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return btr_fail_errno(BTR_EXIT_SYS, "open %s/%s", p->o->dir, p->name);
	if (filter_start(p) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (text) {
		rc = filter_write(p, text, strlen(text));
	} else {
		ssize_t n;
		while (rc == 0 && (n = btr_read_full(fd, buf, BLOCK)) > 0)
			rc = filter_write(p, buf, (size_t)n);
		if (rc == 0 && n < 0)
			rc = btr_fail_errno(BTR_EXIT_SYS, "read %s/%s", p->o->dir, p->name);
		close(fd);
	}
	return filter_end(p, rc < 0);
}

/* Hands a spooled piece or the manifest to the filter, up to 1 + --retries times,
 * waiting 1, 2, 4... (at most 60) seconds between attempts. */
static int send(struct piece *p, const char *text, uint8_t *buf)
{
	const struct btr_split_opts *o = p->o;
	for (unsigned a = 0;; a++) {
		if (send_once(p, text, buf) == 0)
			return 0;
		if (a == o->retries)
			return a ? btr_fail(BTR_EXIT_SYS, "%s (gave up after %u attempts)", btr_errmsg(), a + 1) : -1;
		unsigned wait = a < 6 ? 1u << a : 60;
		/* o->say writes bare lines ("creating new file"): this one names the tool */
		btr_say(o->say, "%s: %s; retry %u of %u in %u s", btr_prog, btr_errmsg(), a + 1, o->retries, wait);
		sleep(wait);
	}
}

static int piece_open(struct piece *p, const struct btr_split_opts *o, int dfd, size_t i)
{
	memset(p, 0, sizeof *p);
	p->o = o;
	p->fd = p->pipe_fd = -1;
	btr_split_piece_name(p->name, sizeof p->name, i);
	p->dfd = dfd;
	btr_xxh128_init(&p->h);
	btr_say(o->say, "creating new file %s", p->name);
	if (!o->filter || o->keep || o->spool) {
		if ((p->fd = create_in(dfd, o->dir, p->name)) < 0)
			return -1;
	}
	if (o->filter && !o->spool && filter_start(p) < 0)
		return -1;
	return 0;
}

static int piece_write(struct piece *p, const uint8_t *b, size_t n)
{
	btr_xxh128_update(&p->h, b, n);
	p->size += n;
	if (!p->o->filter) /* with a filter, what goes to it is limited */
		btr_rate_take(p->o->limit_rate, n);
	if (p->fd >= 0 && btr_write_full(p->fd, b, n) < 0)
		return btr_fail_errno(BTR_EXIT_SYS, "write %s", p->name);
	if (p->pipe_fd >= 0 && filter_write(p, b, n) < 0)
		return -1;
	return 0;
}

/* sbuf: BLOCK bytes for a spooled piece's trip to the filter; NULL: do not send it
 * (the split failed). */
static int piece_close(struct piece *p, uint8_t sum[BTR_SUM_BYTES], uint8_t *buf)
{
	int rc = 0;
	btr_xxh128_final(&p->h, sum);
	if (p->fd >= 0) {
		if (btr_fsync_file(p->fd, p->name) < 0)
			rc = -1;
		if (close(p->fd) < 0 && rc == 0)
			rc = btr_fail_errno(BTR_EXIT_SYS, "close %s", p->name);
		p->fd = -1;
	}
	if (p->pipe_fd >= 0 && filter_end(p, 0) < 0 && rc == 0)
		rc = -1;
	if (rc == 0 && p->o->filter && p->o->spool && buf) {
		rc = send(p, NULL, buf);
		if (rc == 0 && !p->o->keep && unlinkat(p->dfd, p->name, 0) < 0)
			rc = btr_fail_errno(BTR_EXIT_SYS, "remove %s/%s", p->o->dir, p->name);
	}
	return rc;
}

/* Runs the filter once more for the manifest, so the remote side holds it too. */
static int filter_manifest(const struct btr_split_opts *o, const char *text)
{
	struct piece p = {.o = o, .fd = -1, .pipe_fd = -1, .dfd = -1}; /* text: no file */
	snprintf(p.name, sizeof p.name, "%s", BTR_SPLIT_MANIFEST);
	return send(&p, text, NULL);
}

static int write_manifest(const struct btr_split_opts *o, int dfd, const struct btr_split_manifest *m)
{
	char *text = btr_split_manifest_format(m);
	if (!text)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	/* The remote copy first: a local manifest claims the whole split is done. */
	int rc = o->filter ? filter_manifest(o, text) : 0, fd = -1;
	if (rc == 0 && (fd = create_in(dfd, o->dir, MANIFEST_TMP)) < 0)
		rc = -1;
	if (fd >= 0) {
		if (btr_write_full(fd, text, strlen(text)) < 0)
			rc = btr_fail_errno(BTR_EXIT_SYS, "write %s/%s", o->dir, MANIFEST_TMP);
		else if (btr_fsync_file(fd, MANIFEST_TMP) < 0)
			rc = -1;
		if (close(fd) < 0 && rc == 0)
			rc = btr_fail_errno(BTR_EXIT_SYS, "close %s/%s", o->dir, MANIFEST_TMP);
		if (rc == 0 && renameat(dfd, MANIFEST_TMP, dfd, BTR_SPLIT_MANIFEST) < 0)
			rc = btr_fail_errno(BTR_EXIT_SYS, "rename %s/%s", o->dir, MANIFEST_TMP);
		if (rc < 0)
			unlinkat(dfd, MANIFEST_TMP, 0);
	}
	free(text);
	if (rc == 0)
		rc = btr_fsync_file(dfd, o->dir);
	return rc;
}

int btr_split(int in, const struct btr_split_opts *o)
{
	struct btr_split_manifest m = {0};
	struct piece p;
	uint8_t *buf = malloc(BLOCK), *sbuf = o->spool ? malloc(BLOCK) : NULL;
	size_t cap = 0;
	int rc = -1, open_piece = 0, dfd = -1;
	if (!buf || (o->spool && !sbuf)) {
		free(buf);
		free(sbuf);
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	}
	if ((dfd = dir_open(o->dir, o->force)) < 0)
		goto out;
	struct btr_progress pg;
	btr_progress_init(&pg, "split", o->progress);
	pg.unit = "pieces";
	pg.limit_bytes = btr_rate_per_sec(o->limit_rate);
	for (;;) {
		ssize_t n = read(in, buf, BLOCK);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			btr_fail_errno(BTR_EXIT_SYS, "read stdin");
			goto out;
		}
		if (n == 0 && (open_piece || m.n))
			break;
		size_t off = 0;
		do {
			if (!open_piece) {
				if (m.n == cap) {
					cap = cap ? cap * 2 : 64;
					struct btr_split_piece *np = realloc(m.pieces, cap * sizeof *np);
					if (!np) {
						btr_fail(BTR_EXIT_SYS, "out of memory");
						goto out;
					}
					m.pieces = np;
				}
				if (m.n == BTR_SPLIT_MAX_PIECES) {
					/* a join would refuse a longer manifest */
					btr_fail(BTR_EXIT_USAGE, "more than %u pieces: use a larger -b", BTR_SPLIT_MAX_PIECES);
					goto out;
				}
				if (piece_open(&p, o, dfd, m.n) < 0)
					goto out;
				open_piece = 1;
			}
			size_t k = (size_t)n - off;
			if (k > o->size - p.size)
				k = (size_t)(o->size - p.size);
			if (k && piece_write(&p, buf + off, k) < 0)
				goto out;
			off += k;
			m.total += k;
			btr_progress_add(&pg, 0, k);
			if (p.size == o->size) {
				m.pieces[m.n].size = p.size;
				if (piece_close(&p, m.pieces[m.n].sum, sbuf) < 0) {
					open_piece = 0;
					goto out;
				}
				m.n++;
				open_piece = 0;
				btr_progress_add(&pg, 1, 0);
			}
		} while (off < (size_t)n);
		if (n == 0)
			break;
	}
	if (open_piece) {
		m.pieces[m.n].size = p.size;
		open_piece = 0;
		if (piece_close(&p, m.pieces[m.n].sum, sbuf) < 0)
			goto out;
		m.n++;
		btr_progress_add(&pg, 1, 0);
	}
	btr_split_manifest_seal(&m);
	rc = write_manifest(o, dfd, &m);
	if (rc == 0)
		btr_progress_done(&pg);
out:
	if (open_piece) {
		uint8_t s[BTR_SUM_BYTES];
		int saved = btr_errcode();
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", btr_errmsg());
		piece_close(&p, s, NULL);
		btr_fail(saved, "%s", msg);
	}
	btr_split_manifest_free(&m);
	free(buf);
	free(sbuf);
	if (dfd >= 0)
		close(dfd);
	return rc;
}
