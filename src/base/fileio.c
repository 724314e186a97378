#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens a regular file of at most max bytes for reading; its size in
 * *size. Returns the descriptor, or -1 with a message and errno set. */
static int open_regular(const char *path, size_t max, size_t *size, char *err, size_t errlen)
{
    /* O_NONBLOCK: opening a FIFO for reading would wait for a writer; the
     * check below refuses it. Regular files ignore the flag. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        errno = e;
        return -1;
    }
    struct stat st;
    int e = EINVAL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
    } else if ((size_t)st.st_size > max) {
        snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
        e = EFBIG;
    } else {
        *size = (size_t)st.st_size;
        return fd;
    }
    close(fd);
    errno = e;
    return -1;
}

FILE *fileio_open_read(const char *path, size_t max, char *err, size_t errlen)
{
    size_t size;
    int fd = open_regular(path, max, &size, err, errlen);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

int fileio_read_all(const char *path, size_t max, char **out, size_t *len, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t cap, n = 0;
    int fd = open_regular(path, max, &cap, err, errlen);
    if (fd < 0)
        return -1;
    buf = malloc(cap + 1);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            goto fail;
        }
        if (r == 0)
            break; /* shrank while reading: take what is there */
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
fail:
    free(buf);
    close(fd);
    return -1;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int fileio_write_atomic(const char *path, const void *buf, size_t len)
{
    char tmp[4096];
    int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return -1;
    if (write_all(fd, buf, len) != 0 || fsync(fd) != 0) {
        int saved = errno;
        close(fd);
        unlink(tmp);
        errno = saved;
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
        return -1;
    }
    return 0;
}

int fileio_append(const char *path, const void *buf, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    /* One write: with O_APPEND a reader sees all of it or none of it on a
     * local file system, and a signal cannot split it. */
    ssize_t w;
    do
        w = write(fd, buf, len);
    while (w < 0 && errno == EINTR);
    int rc = w == (ssize_t)len ? 0 : -1;
    /* A short write (disk full, a quota) would leave half a row that
     * readers take for a row: the file goes back to its last whole one. */
    if (w > 0 && rc != 0 && ftruncate(fd, st.st_size) != 0)
        w = -1; /* could not undo it: errno says why */
    if (w >= 0 && rc != 0)
        errno = ENOSPC;
    if (rc == 0 && fsync(fd) != 0)
        rc = -1;
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int fileio_mkdirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(buf)) {
        errno = n ? ENAMETOOLONG : ENOENT;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(buf, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int fileio_own_dir(const char *path, char *err, size_t errlen)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        return -1;
    }
    /* O_NOFOLLOW: a symlink left in its place (by accident or by another
     * user) would send every file written there, and every stale one
     * removed, somewhere else. */
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: not a directory of its own (%s): remove it or move it away",
                 path,
                 errno == ELOOP || errno == ENOTDIR ? "a symlink or a file" : strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

FILE *fileio_open_write(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}
