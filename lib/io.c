#include "io.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t btr_read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int btr_write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

ssize_t btr_read_or_fail(int fd, void *buf, size_t n, const char *what)
{
	ssize_t r = btr_read_full(fd, buf, n);
	if (r < 0)
		btr_fail_errno(BTR_EXIT_SYS, "read %s", what);
	return r;
}

int btr_write_or_fail(int fd, const void *buf, size_t n, const char *what)
{
	if (btr_write_full(fd, buf, n) == 0)
		return 0;
	if (errno == EPIPE)
		return btr_fail(BTR_EXIT_SYS, "write %s: the reader went away (broken pipe)", what);
	return btr_fail_errno(BTR_EXIT_SYS, "write %s", what);
}

int btr_refuse_tty(int fd, const char *what)
{
	if (isatty(fd))
		return btr_fail(BTR_EXIT_USAGE, "refusing to write binary data to a terminal (redirect %s to a file or pipe)", what);
	return 0;
}

int btr_close_stdout(void)
{
	int bad = 0;
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout))
		bad = 1;
	if (fclose(stdout) != 0)
		bad = 1;
	if (bad) {
		if (errno == EPIPE)
			return btr_fail(BTR_EXIT_SYS, "write stdout: the reader went away (broken pipe)");
		return btr_fail_errno(BTR_EXIT_SYS, "write stdout");
	}
	return 0;
}

int btr_fsync_file(int fd, const char *what)
{
	if (fsync(fd) == 0 || errno == EINVAL || errno == EROFS)
		return 0;
	return btr_fail_errno(BTR_EXIT_SYS, "fsync %s", what);
}

void btr_pipe_size(int fd, size_t n)
{
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, (int)n);
}

DIR *btr_dir_list(int dfd, const char *what)
{
	int fd = dup(dfd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		btr_fail_errno(BTR_EXIT_SYS, "read directory %s", what);
		if (fd >= 0)
			close(fd);
	}
	return d;
}
