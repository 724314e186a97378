#ifndef NETRIG_RESULT_FILE_H
#define NETRIG_RESULT_FILE_H
/* A whole summary.csv in memory: loading every row (with the line each
 * came from, for error messages) and rewriting the file atomically. */
#include <stddef.h>

#include "result.h"

struct result_file {
    struct test_result *rows;
    size_t *line; /* first line of each row in the file, from 1 */
    size_t n;
};

/* Reads path: a header record, then one row per record (RFC 4180, quoted
 * fields may hold line breaks; blank lines are skipped). Returns 0, or -1
 * with "PATH:LINE: what is wrong" in err. Release with result_file_close. */
int result_file_load(const char *path, struct result_file *f, char *err, size_t errlen);

/* Writes header and rows to a temporary file beside path, syncs it and
 * renames it over path, so that a reader sees the old file or the new one,
 * never a mix. Returns 0 or -1 with a message. */
int result_file_save(const char *path, const struct result_file *f, char *err, size_t errlen);

void result_file_close(struct result_file *f);

#endif
