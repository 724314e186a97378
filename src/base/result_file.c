#include "result_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

/* Reads the whole file into a NUL-terminated buffer: a regular file of a
 * bounded size, never a device such as /dev/zero read until memory runs
 * out. */
static char *slurp(const char *path, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    if (fileio_read_all(path, FILEIO_RESULT_MAX, &buf, &len, err, errlen) != 0)
        return NULL;
    if (memchr(buf, '\0', len)) {
        snprintf(err, errlen, "%s: binary data, not a CSV file", path);
        free(buf);
        return NULL;
    }
    return buf;
}

/* Cuts the record starting at *p (a line break inside quotes belongs to
 * the field) and advances *p and *lineno past it. */
static char *next_record(char **p, size_t *lineno)
{
    char *start = *p, *s = *p;
    int quoted = 0;
    for (; *s; s++) {
        if (*s == '"')
            quoted = !quoted;
        else if (*s == '\n' && !quoted)
            break;
        else if (*s == '\n')
            (*lineno)++;
    }
    if (*s == '\n') {
        *s = '\0';
        *p = s + 1;
    } else {
        *p = s;
    }
    size_t l = strlen(start);
    if (l && start[l - 1] == '\r')
        start[l - 1] = '\0';
    return start;
}

int result_file_load(const char *path, struct result_file *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof(*f));
    char *buf = slurp(path, err, errlen);
    if (!buf)
        return -1;
    char *p = buf, *header = NULL;
    size_t lineno = 0, header_line = 0, cap = 0;
    int rc = -1;
    while (*p) {
        size_t first = ++lineno;
        char *rec = next_record(&p, &lineno);
        if (rec[0] == '\0')
            continue;
        if (!header) {
            header = rec;
            header_line = first;
            if (!strstr(header, "goodput_bps")) {
                snprintf(err, errlen, "%s:%zu: not a netrig summary (no goodput_bps column)", path,
                         first);
                goto out;
            }
            continue;
        }
        if (f->n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            struct test_result *nr = realloc(f->rows, nc * sizeof(*nr));
            size_t *nl = nr ? realloc(f->line, nc * sizeof(*nl)) : NULL;
            if (nr)
                f->rows = nr;
            if (!nl) {
                snprintf(err, errlen, "%s: out of memory", path);
                goto out;
            }
            f->line = nl;
            cap = nc;
        }
        char why[256];
        if (result_csv_parse(header, rec, &f->rows[f->n], why, sizeof(why)) < 0) {
            snprintf(err, errlen, "%s:%zu: %s", path, first, why);
            goto out;
        }
        f->line[f->n++] = first;
    }
    if (!header) {
        snprintf(err, errlen, "%s:%zu: empty file, no header", path, header_line);
        goto out;
    }
    rc = 0;
out:
    free(buf);
    if (rc < 0)
        result_file_close(f);
    return rc;
}

int result_file_save(const char *path, const struct result_file *f, char *err, size_t errlen)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
        snprintf(err, errlen, "%s: path too long", path);
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: creating a temporary file: %s", tmp, strerror(errno));
        return -1;
    }
    FILE *out = fdopen(fd, "w");
    if (!out) {
        close(fd);
        unlink(tmp);
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    errno = 0;
    result_csv_header(out);
    for (size_t i = 0; i < f->n; i++)
        result_csv_row(out, &f->rows[i]);
    int bad = fflush(out) != 0 || fsync(fileno(out)) != 0;
    int saved = errno;
    bad |= fclose(out) != 0;
    if (bad || chmod(tmp, 0644) != 0 || rename(tmp, path) != 0) {
        saved = saved ? saved : errno;
        unlink(tmp);
        snprintf(err, errlen, "%s: writing: %s", path, strerror(saved));
        return -1;
    }
    return 0;
}

void result_file_close(struct result_file *f)
{
    free(f->rows);
    free(f->line);
    memset(f, 0, sizeof(*f));
}
