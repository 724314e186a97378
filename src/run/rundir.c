#include "rundir.h"

#include "rundir_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "result.h"

void rundir_default_dir(const char *name, double epoch_s, char *out, size_t len)
{
    char stamp[32];
    time_t t = (time_t)epoch_s;
    struct tm tm;
    if (!localtime_r(&t, &tm) || strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm) == 0)
        snprintf(stamp, sizeof(stamp), "%ld", (long)t);
    snprintf(out, len, "results/%s-%s", name, stamp);
    struct stat st;
    size_t base = strlen(out);
    for (int i = 2; stat(out, &st) == 0 && i < 1000; i++)
        snprintf(out + base, len > base ? len - base : 0, "-%d", i);
}

int rundir_path_in(const struct results *r, const char *name, const char *ext, char *out,
                   size_t len)
{
    int n = snprintf(out, len, "%s/%s%s", r->dir, name, ext);
    if (n < 0 || (size_t)n >= len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* Creates summary.csv with its header, exclusively: of two runs given one
 * folder, only the first to get here owns it (a check followed by a write
 * would let both in). Creating it before the first test also finds a
 * folder that cannot be written before any time is spent. Returns 0, -2
 * when the file exists, or -1 with errno set. */
static int claim_summary(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return errno == EEXIST ? -2 : -1;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    int rc = -1;
    if (m) {
        result_csv_header(m);
        if (fclose(m) == 0)
            rc = write(fd, buf, len) == (ssize_t)len && fsync(fd) == 0 ? 0 : -1;
        free(buf);
    }
    int saved = errno;
    if (close(fd) != 0 && rc == 0) {
        saved = errno;
        rc = -1;
    }
    if (rc != 0)
        unlink(path);
    errno = saved;
    return rc;
}

/* The last summaries of a run are written when its disk may be full:
 * summary.json with the final status (at most one row and a message more
 * than the last one), then meta.json, each beside its old copy until the
 * rename. Twice the last summary.json covers the row; the rest is slack. */
#define RESERVE_SLACK (32 * 1024)

static uint64_t reserve_wanted(const struct results *r)
{
    return RESERVE_SLACK + 2 * (uint64_t)r->json_len + (uint64_t)r->meta_len;
}

/* Grows .reserve to what finishing the run would need now. Returns 0 or
 * -1 with errno set (ENOSPC: the disk cannot hold another repetition). */
int rundir_reserve_grow(struct results *r)
{
    uint64_t want = reserve_wanted(r);
    if (r->reserve_fd < 0) {
        char p[4096];
        if (rundir_path_in(r, ".reserve", "", p, sizeof(p)) != 0)
            return -1;
        r->reserve_fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (r->reserve_fd < 0)
            return -1;
    }
    if (want <= r->reserve_len)
        return 0;
    int e = posix_fallocate(r->reserve_fd, 0, (off_t)want);
    if (e != 0) {
        errno = e;
        return -1;
    }
    r->reserve_len = want;
    return 0;
}

void rundir_release_reserve(struct results *r)
{
    if (r->reserve_fd < 0)
        return;
    char p[4096];
    if (rundir_path_in(r, ".reserve", "", p, sizeof(p)) == 0)
        unlink(p);
    close(r->reserve_fd);
    r->reserve_fd = -1;
    r->reserve_len = 0;
}

int rundir_open(struct results *r, const struct scenario *sc, const char *dir, char *err,
                size_t errlen)
{
    memset(r, 0, sizeof(*r));
    r->reserve_fd = -1;
    r->sc = sc;
    if (strlen(dir) >= sizeof(r->dir) - 200) {
        snprintf(err, errlen, "%s: folder name too long", dir);
        return -1;
    }
    snprintf(r->dir, sizeof(r->dir), "%s", dir);
    char p[4096];
    rundir_path_in(r, "summary", ".csv", p, sizeof(p));
    if (fileio_mkdirs(dir) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    int rc = claim_summary(p);
    if (rc == -2) {
        snprintf(err, errlen, "%s already holds results (summary.csv): choose another --out", dir);
        return -2;
    }
    if (rc != 0) {
        snprintf(err, errlen, "cannot write %s: %s", p, strerror(errno));
        return -1;
    }
    if (rundir_reserve_grow(r) != 0) {
        int e = errno;
        rundir_release_reserve(r);
        unlink(p); /* nothing ran: the folder stays free for another try */
        snprintf(err, errlen, "cannot keep %llu bytes aside in %s: %s",
                 (unsigned long long)reserve_wanted(r), dir, strerror(e));
        return -1;
    }
    r->info = calloc(sc->nsteps, sizeof(*r->info));
    if (!r->info) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < sc->nsteps; i++) {
        const struct scenario_step *s = &sc->steps[i];
        r->info[i] = (struct summary_step_info){s->name, s->file, s->params, s->repeat};
    }
    return 0;
}

/* Renders with fn into memory, then replaces path in one rename; *size
 * (when not NULL) gets the bytes written. */
int rundir_write_with(const char *path, void (*fn)(FILE *, const void *), const void *arg,
                      size_t *size)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return -1;
    fn(m, arg);
    if (fclose(m) != 0) {
        free(buf);
        return -1;
    }
    int rc = fileio_write_atomic(path, buf, len);
    free(buf);
    if (rc == 0 && size)
        *size = len;
    return rc;
}

static void meta_fn(FILE *f, const void *arg)
{
    meta_json(f, arg);
}

int rundir_write_meta(struct results *r)
{
    char p[4096];
    if (rundir_path_in(r, "meta", ".json", p, sizeof(p)) != 0)
        return -1;
    return rundir_write_with(p, meta_fn, &r->meta, &r->meta_len);
}

struct json_args {
    const struct results *r;
    const char *status, *message;
};

static void json_fn(FILE *f, const void *arg)
{
    const struct json_args *a = arg;
    summary_json(f, a->r->sc->name, a->status, a->message, a->r->info, a->r->sc->nsteps, a->r->rows,
                 a->r->nrows);
}

struct ci_args {
    const struct summary_step *s;
    size_t n;
};

static void ci_fn(FILE *f, const void *arg)
{
    const struct ci_args *a = arg;
    summary_ci_csv(f, a->s, a->n);
}

int rundir_write_summaries(struct results *r, const char *status, const char *message)
{
    char p[4096];
    struct json_args ja = {r, status, message};
    if (rundir_path_in(r, "summary", ".json", p, sizeof(p)) != 0 ||
        rundir_write_with(p, json_fn, &ja, &r->json_len) != 0)
        return -1;
    struct summary_step *s = NULL;
    size_t n = 0;
    if (summary_group(r->rows, r->nrows, &s, &n) != 0)
        return -1;
    struct ci_args ca = {s, n};
    int rc = rundir_path_in(r, "summary_ci", ".csv", p, sizeof(p));
    if (rc == 0)
        rc = rundir_write_with(p, ci_fn, &ca, NULL);
    free(s);
    return rc;
}

void rundir_close(struct results *r)
{
    rundir_release_reserve(r);
    rundir_step_end(r);
    free(r->rows);
    free(r->info);
    r->rows = NULL;
    r->info = NULL;
}
