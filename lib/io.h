/* EINTR-safe whole reads and writes, and the checks a filter makes on its ends. */
#ifndef BTR_IO_H
#define BTR_IO_H

#include <stddef.h>
#include <sys/types.h>

/* Reads until n bytes or end of input.  Returns the count (short only at EOF),
 * or -1 with errno set. */
ssize_t btr_read_full(int fd, void *buf, size_t n);
/* Writes all n bytes.  Returns 0, or -1 with errno set (EPIPE when downstream left). */
int btr_write_full(int fd, const void *buf, size_t n);

/* Same, but record a one-line failure naming `what` (btr_fail, exit class 3). */
ssize_t btr_read_or_fail(int fd, void *buf, size_t n, const char *what);
int btr_write_or_fail(int fd, const void *buf, size_t n, const char *what);

/* Refuses (-1 with btr_fail, exit class 2) to write binary data to a terminal on fd. */
int btr_refuse_tty(int fd, const char *what) __attribute__((warn_unused_result));

/* Flushes and closes stdout, then stderr, checking for errors, so a full disk or
 * vanished reader is never mistaken for success.  Returns 0 or -1 (btr_fail). */
int btr_close_stdout(void);

/* Grows the pipe on fd to n bytes when it is a pipe (best effort, silent), so that
 * the tools either side keep running while a whole record is read or written. */
void btr_pipe_size(int fd, size_t n);

/* fsync that treats EINVAL/EROFS on pipes and special files as fine. */
int btr_fsync_file(int fd, const char *what);

/* A listing of the directory open on dfd (which stays open and usable), for
 * readdir/closedir; NULL with btr_fail naming what. */
#include <dirent.h>
DIR *btr_dir_list(int dfd, const char *what);

#endif
