/* Writing pieces.  Each piece is fsynced before the next starts, the manifest is
 * written to a temporary name, fsynced and renamed last, then the directory is
 * fsynced: no manifest means the split did not finish. */
#include "split.h"
#include "err.h"
#include "io.h"
#include "progress.h"
#include "spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BLOCK (1u << 20)

static int dir_prepare(const char *dir, int force)
{
	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return btr_fail_errno(BTR_EXIT_SYS, "create directory %s", dir);
	DIR *d = opendir(dir);
	if (!d)
		return btr_fail_errno(BTR_EXIT_SYS, "open directory %s", dir);
	struct dirent *e;
	int files = 0, rc = 0;
	while ((e = readdir(d))) {
		size_t i;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		files++;
		/* A forced rerun replaces an earlier split: its pieces would be "extra". */
		if (force && (split_piece_index(e->d_name, &i) == 0 || !strcmp(e->d_name, SPLIT_MANIFEST)) &&
		    unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT) {
			rc = btr_fail_errno(BTR_EXIT_SYS, "remove %s/%s", dir, e->d_name);
			break;
		}
	}
	closedir(d);
	if (rc == 0 && files && !force)
		rc = btr_fail(BTR_EXIT_USAGE, "%s already holds files (use --force to write into it)", dir);
	return rc;
}

/* One open piece: a file, a filter's stdin, or both. */
struct piece {
	int fd, pipe_fd;
	pid_t pid;
	char name[32], path[4096];
	struct btr_sum h;
	uint64_t size;
};

static int piece_open(struct piece *p, const struct split_opts *o, size_t i)
{
	memset(p, 0, sizeof *p);
	p->fd = p->pipe_fd = -1;
	split_piece_name(p->name, sizeof p->name, i);
	snprintf(p->path, sizeof p->path, "%s/%s", o->dir, p->name);
	btr_sum_init(&p->h);
	btr_say(o->say, "creating new file %s", p->name);
	if (!o->filter || o->keep) {
		p->fd = open(p->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (p->fd < 0)
			return btr_fail_errno(BTR_EXIT_SYS, "create %s", p->path);
	}
	if (o->filter && (p->pipe_fd = btr_spawn_sh(o->filter, p->name, 0, &p->pid)) < 0)
		return -1;
	return 0;
}

static int piece_write(struct piece *p, const uint8_t *b, size_t n)
{
	btr_sum_update(&p->h, b, n);
	p->size += n;
	if (p->fd >= 0 && btr_write_full(p->fd, b, n) < 0)
		return btr_fail_errno(BTR_EXIT_SYS, "write %s", p->name);
	if (p->pipe_fd >= 0 && btr_write_full(p->pipe_fd, b, n) < 0)
		return btr_fail_errno(BTR_EXIT_SYS, "write %s to its filter", p->name);
	return 0;
}

static int piece_close(struct piece *p, uint8_t sum[BTR_SUM_BYTES])
{
	int rc = 0;
	btr_sum_final(&p->h, sum);
	if (p->fd >= 0) {
		if (btr_fsync_file(p->fd, p->name) < 0)
			rc = -1;
		if (close(p->fd) < 0 && rc == 0)
			rc = btr_fail_errno(BTR_EXIT_SYS, "close %s", p->name);
		p->fd = -1;
	}
	if (p->pipe_fd >= 0) {
		close(p->pipe_fd);
		p->pipe_fd = -1;
		int st = btr_spawn_wait(p->pid);
		if (rc == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
			rc = btr_fail(BTR_EXIT_SYS, "the filter for %s failed (%s %d)", p->name,
				      WIFEXITED(st) ? "exit status" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	}
	return rc;
}

/* Runs the filter once more for the manifest, so the remote side holds it too. */
static int filter_manifest(const struct split_opts *o, const char *text)
{
	struct piece p = {.fd = -1};
	uint8_t sum[BTR_SUM_BYTES];
	snprintf(p.name, sizeof p.name, "%s", SPLIT_MANIFEST);
	btr_sum_init(&p.h);
	if ((p.pipe_fd = btr_spawn_sh(o->filter, p.name, 0, &p.pid)) < 0)
		return -1;
	if (piece_write(&p, (const uint8_t *)text, strlen(text)) < 0) {
		piece_close(&p, sum);
		return -1;
	}
	return piece_close(&p, sum);
}

static int write_manifest(const struct split_opts *o, const struct split_manifest *m)
{
	char tmp[4096], path[4096];
	char *text = split_manifest_format(m);
	if (!text)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	snprintf(tmp, sizeof tmp, "%s/.%s.tmp", o->dir, SPLIT_MANIFEST);
	snprintf(path, sizeof path, "%s/%s", o->dir, SPLIT_MANIFEST);
	/* The remote copy first: a local manifest claims the whole split is done. */
	int rc = o->filter ? filter_manifest(o, text) : 0, fd = -1;
	if (rc == 0 && (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		rc = btr_fail_errno(BTR_EXIT_SYS, "create %s", tmp);
	if (fd >= 0) {
		if (btr_write_full(fd, text, strlen(text)) < 0)
			rc = btr_fail_errno(BTR_EXIT_SYS, "write %s", tmp);
		else if (btr_fsync_file(fd, tmp) < 0)
			rc = -1;
		if (close(fd) < 0 && rc == 0)
			rc = btr_fail_errno(BTR_EXIT_SYS, "close %s", tmp);
		if (rc == 0 && rename(tmp, path) < 0)
			rc = btr_fail_errno(BTR_EXIT_SYS, "rename %s", tmp);
		if (rc < 0)
			unlink(tmp);
	}
	free(text);
	if (rc == 0) {
		int d = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (d < 0 || btr_fsync_file(d, o->dir) < 0)
			rc = d < 0 ? btr_fail_errno(BTR_EXIT_SYS, "open %s", o->dir) : -1;
		if (d >= 0)
			close(d);
	}
	return rc;
}

int btr_split(int in, const struct split_opts *o)
{
	struct split_manifest m = {0};
	struct piece p;
	uint8_t *buf = malloc(BLOCK);
	size_t cap = 0;
	int rc = -1, open_piece = 0;
	if (!buf)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	if (dir_prepare(o->dir, o->force) < 0)
		goto out;
	struct btr_progress pg;
	btr_progress_init(&pg, "split", o->progress);
	pg.unit = "pieces";
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
					struct split_piece *np = realloc(m.pieces, cap * sizeof *np);
					if (!np) {
						btr_fail(BTR_EXIT_SYS, "out of memory");
						goto out;
					}
					m.pieces = np;
				}
				if (m.n == SPLIT_MAX_PIECES) {
					/* a join would refuse a longer manifest */
					btr_fail(BTR_EXIT_USAGE, "more than %u pieces: use a larger -b", SPLIT_MAX_PIECES);
					goto out;
				}
				if (piece_open(&p, o, m.n) < 0)
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
				if (piece_close(&p, m.pieces[m.n].sum) < 0) {
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
		if (piece_close(&p, m.pieces[m.n].sum) < 0)
			goto out;
		m.n++;
		btr_progress_add(&pg, 1, 0);
	}
	split_manifest_seal(&m);
	rc = write_manifest(o, &m);
	if (rc == 0)
		btr_progress_done(&pg);
out:
	if (open_piece) {
		uint8_t s[BTR_SUM_BYTES];
		int saved = btr_errcode();
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", btr_errmsg());
		piece_close(&p, s);
		btr_fail(saved, "%s", msg);
	}
	split_manifest_free(&m);
	free(buf);
	return rc;
}
