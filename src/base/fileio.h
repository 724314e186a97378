#ifndef NETRIG_FILEIO_H
#define NETRIG_FILEIO_H
/* Whole-file reads and crash-safe writes for the results folder: a file is
 * either replaced whole (temporary file + rename) or grown by one append
 * of a single write(2), so an interrupted run never leaves half a file or
 * half a row. */
#include <stddef.h>
#include <stdio.h>

/* The largest results file (summary.csv, intervals.csv, .hgrm, meta.json)
 * that netrig plot and netrig model read. */
#define FILEIO_RESULT_MAX ((size_t)256 << 20)

/* Reads path into a malloc'd, NUL-terminated buffer (*out, length *len).
 * Refuses what is not a regular file and files over max bytes. Returns 0, or -1 with a message
 * naming the file in err. */
int fileio_read_all(const char *path, size_t max, char **out, size_t *len, char *err,
                    size_t errlen);

/* Opens path for reading as a stream, as fileio_read_all checks it: a
 * regular file (symlinks followed) of at most max bytes, never a device
 * such as /dev/zero or a FIFO, which would be read forever or waited on.
 * Returns the stream, or NULL with "PATH: why" in err and errno set
 * (ENOENT: no such file). */
FILE *fileio_open_read(const char *path, size_t max, char *err, size_t errlen);

/* Opens path for writing (0644, truncated), refusing a symlink in its
 * place. Returns the stream or NULL with errno set (ELOOP: a symlink). */
FILE *fileio_open_write(const char *path);

/* Makes path a folder of this program's own: creates it (its parent must
 * exist) or takes the folder there, and refuses a symlink or a file in its
 * place. Returns 0 or -1 with "PATH: why" in err. */
int fileio_own_dir(const char *path, char *err, size_t errlen);

/* Replaces path with buf: writes PATH.tmp.PID in the same folder, syncs it
 * and renames it over path. Returns 0 or -1 with errno set (the temporary
 * file is removed). */
int fileio_write_atomic(const char *path, const void *buf, size_t len);

/* Appends buf to path (created 0644 if missing) with one write(2) and
 * syncs. Returns 0 or -1 with errno set; a short write is undone (the
 * file cut back to its old length) and reported as ENOSPC. */
int fileio_append(const char *path, const void *buf, size_t len);

/* Creates a folder and its missing parents (mode 0755). An existing folder
 * is fine. Returns 0 or -1 with errno set. */
int fileio_mkdirs(const char *path);

#endif
