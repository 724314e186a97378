#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
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

static int path_in(const struct results *r, const char *name, const char *ext, char *out,
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
static int reserve_grow(struct results *r)
{
    uint64_t want = reserve_wanted(r);
    if (r->reserve_fd < 0) {
        char p[4096];
        if (path_in(r, ".reserve", "", p, sizeof(p)) != 0)
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
    if (path_in(r, ".reserve", "", p, sizeof(p)) == 0)
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
    path_in(r, "summary", ".csv", p, sizeof(p));
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
    if (reserve_grow(r) != 0) {
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
static int write_with(const char *path, void (*fn)(FILE *, const void *), const void *arg,
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
    if (path_in(r, "meta", ".json", p, sizeof(p)) != 0)
        return -1;
    return write_with(p, meta_fn, &r->meta, &r->meta_len);
}

int rundir_step_begin(struct results *r, size_t i)
{
    r->step = i;
    r->hlog_started = false;
    r->hlog_buf = NULL;
    r->hlog_len = 0;
    r->hlog_mem = open_memstream(&r->hlog_buf, &r->hlog_len);
    if (!r->hlog_mem)
        return -1;
    if (hist_init_default(&r->lat) != 0)
        return -1;
    r->lat_on = true;
    return 0;
}

static int64_t epoch_ms(double s)
{
    return (int64_t)llround(s * 1000);
}

/* The wall time a log of out starts at: the probe starts before the load. */
static double first_wall(const struct client_output *out)
{
    return out->nprobe_iv && out->probe_start_wall_s < out->start_wall_s ? out->probe_start_wall_s
                                                                         : out->start_wall_s;
}

/* probe = udp|tcp: the probe's intervals, tagged "probe" (tools that read
 * untagged lines by default see the load's alone), into w. */
static int hlog_add_probe(struct hlog_writer *w, struct client_output *out)
{
    for (size_t i = 0; i < out->nprobe_iv; i++) {
        struct client_interval *iv = &out->probe_iv[i];
        snprintf(iv->lat.tag, sizeof(iv->lat.tag), "probe");
        iv->lat.start_ms = epoch_ms(out->probe_start_wall_s + iv->t_start_s);
        iv->lat.end_ms = epoch_ms(out->probe_start_wall_s + iv->t_end_s);
        if (hlog_write_interval(w, &iv->lat) != 0)
            return -1;
    }
    return 0;
}

/* Interval lines for one repetition; a driver that kept no intervals
 * gives one interval spanning the whole measurement. Intervals stay
 * untagged so that HdrHistogram tools (and netrig hist show) read them by
 * default; repetitions follow each other in time. */
static int hlog_add(struct results *r, struct client_output *out)
{
    const struct scenario_step *st = &r->sc->steps[r->step];
    if (!r->hlog_started) {
        char comment[300];
        snprintf(comment, sizeof(comment), "netrig %s: %s (latency in ns)", r->sc->name, st->name);
        /* Whole milliseconds, as the interval times: no interval may
         * start before the log. */
        double start = (double)epoch_ms(first_wall(out)) / 1000;
        if (hlog_writer_init(&r->hw, r->hlog_mem, start, comment) != 0)
            return -1;
        r->hlog_started = true;
    }
    if (out->nintervals == 0) {
        out->lat.tag[0] = '\0';
        out->lat.start_ms = epoch_ms(out->start_wall_s);
        double d = isnan(out->result.duration_s) ? 0 : out->result.duration_s;
        out->lat.end_ms = epoch_ms(out->start_wall_s + d);
        return hlog_write_interval(&r->hw, &out->lat) == 0 ? hlog_add_probe(&r->hw, out) : -1;
    }
    for (size_t i = 0; i < out->nintervals; i++) {
        struct client_interval *iv = &out->intervals[i];
        iv->lat.tag[0] = '\0';
        iv->lat.start_ms = epoch_ms(out->start_wall_s + iv->t_start_s);
        iv->lat.end_ms = epoch_ms(out->start_wall_s + iv->t_end_s);
        if (hlog_write_interval(&r->hw, &iv->lat) != 0)
            return -1;
    }
    return hlog_add_probe(&r->hw, out);
}

static void hgrm_fn(FILE *f, const void *arg)
{
    /* ns recorded, microseconds shown: the unit of the CSV columns. */
    hist_write_hgrm(f, arg, 5, 1000.0, false);
}

/* probe = udp|tcp: STEP.probe_idle.hgrm and STEP.probe_load.hgrm, the
 * probe's round trips before the load and under it (the repetitions so far
 * merged), for the idle-against-loaded spectrum. */
static int probe_files(struct results *r, const struct client_output *out)
{
    if (out->probe_idle.total_count == 0 && out->probe_load.total_count == 0)
        return 0;
    if (!r->probe_on) {
        if (hist_init_default(&r->probe_idle) != 0)
            return -1;
        if (hist_init_default(&r->probe_load) != 0) {
            hist_close(&r->probe_idle);
            return -1;
        }
        r->probe_on = true;
    }
    if (hist_add(&r->probe_idle, &out->probe_idle) != 0 ||
        hist_add(&r->probe_load, &out->probe_load) != 0)
        return -1;
    const char *file = r->sc->steps[r->step].file;
    char p[4096];
    if (r->probe_idle.total_count && (path_in(r, file, ".probe_idle.hgrm", p, sizeof(p)) != 0 ||
                                      write_with(p, hgrm_fn, &r->probe_idle, NULL) != 0))
        return -1;
    if (r->probe_load.total_count && (path_in(r, file, ".probe_load.hgrm", p, sizeof(p)) != 0 ||
                                      write_with(p, hgrm_fn, &r->probe_load, NULL) != 0))
        return -1;
    return 0;
}

static int step_files(struct results *r, struct client_output *out)
{
    const struct scenario_step *st = &r->sc->steps[r->step];
    char p[4096];
    if (hlog_add(r, out) != 0 || fflush(r->hlog_mem) != 0)
        return -1;
    if (path_in(r, st->file, ".hlog", p, sizeof(p)) != 0 ||
        fileio_write_atomic(p, r->hlog_buf, r->hlog_len) != 0)
        return -1;
    if (hist_add(&r->lat, &out->lat) != 0)
        return -1;
    if (path_in(r, st->file, ".hgrm", p, sizeof(p)) != 0 ||
        write_with(p, hgrm_fn, &r->lat, NULL) != 0)
        return -1;
    return probe_files(r, out);
}

static void put_us(FILE *f, const struct hist *h, double p)
{
    if (h->total_count > 0)
        fprintf(f, ",%.3f", (double)hist_value_at_percentile(h, p) / 1000);
    else
        fputc(',', f);
}

static void put_dbl(FILE *f, double v)
{
    fputc(',', f);
    if (!isnan(v))
        fprintf(f, "%.10g", v);
}

/* intervals.csv: the time series of goodput and latency that the plots
 * draw, one block of rows per repetition, appended in one write. */
static int intervals_add(struct results *r, uint32_t repeat, const struct client_output *out)
{
    const struct scenario_step *st = &r->sc->steps[r->step];
    char *buf = NULL, path[4096];
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return -1;
    if (!r->intervals_header)
        fputs("step,repeat,t_start_s,t_s,goodput_bps,msgs_per_s,p50_us,p99_us,probe_p50_us,"
              "probe_p99_us,messages\r\n",
              m);
    double base = out->start_wall_s - r->run_start_s;
    size_t n = out->nintervals ? out->nintervals : 1;
    for (size_t i = 0; i < n; i++) {
        const struct client_interval *iv = out->nintervals ? &out->intervals[i] : NULL;
        double d = isnan(out->result.duration_s) ? 0 : out->result.duration_s;
        result_csv_str(m, st->name);
        fprintf(m, ",%u,%.3f,%.3f", repeat, base + (iv ? iv->t_start_s : 0),
                base + (iv ? iv->t_end_s : d));
        put_dbl(m, iv ? iv->goodput_bps : out->result.goodput_bps);
        put_dbl(m, iv ? iv->msgs_per_s : out->result.msgs_per_s);
        put_us(m, iv ? &iv->lat : &out->lat, 50);
        put_us(m, iv ? &iv->lat : &out->lat, 99);
        put_dbl(m, iv ? iv->probe_p50_us : out->result.probe_p50_us);
        put_dbl(m, iv ? iv->probe_p99_us : out->result.probe_p99_us);
        put_dbl(m, iv ? iv->messages : out->result.messages); /* exact: rates are rounded */
        fputs("\r\n", m);
    }
    int rc = fclose(m) == 0 && path_in(r, "intervals", ".csv", path, sizeof(path)) == 0
                 ? fileio_append(path, buf, len)
                 : -1;
    free(buf);
    if (rc == 0)
        r->intervals_header = true;
    return rc;
}

static void fill_identity(struct test_result *t, const struct scenario *sc,
                          const struct scenario_step *st, uint32_t repeat)
{
    const struct netrig_config *c = &st->cfg;
    snprintf(t->scenario, sizeof(t->scenario), "%s", sc->name);
    snprintf(t->step, sizeof(t->step), "%s", st->name);
    t->repeat = repeat;
    /* The drivers fill these; a driver that does not still gets rows a
     * reader can match by parameters. */
    if (t->proto[0] == '\0')
        snprintf(t->proto, sizeof(t->proto), "%s", proto_name(c->proto));
    if (t->mode[0] == '\0')
        snprintf(t->mode, sizeof(t->mode), "%s", mode_name(c->mode));
    if (isnan(t->size_bytes))
        t->size_bytes = (double)c->size;
    if (isnan(t->conns))
        t->conns = c->conns;
    if (isnan(t->threads))
        t->threads = c->threads;
    if (isnan(t->pipeline))
        t->pipeline = c->pipeline;
}

int rundir_add(struct results *r, uint32_t repeat, struct client_output *out, char *err,
               size_t errlen)
{
    const struct scenario_step *st = &r->sc->steps[r->step];
    struct test_result *t = &out->result;
    fill_identity(t, r->sc, st, repeat);
    char p[4096];
    if (r->nrows == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        struct test_result *n = realloc(r->rows, cap * sizeof(*n));
        if (!n) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        r->rows = n;
        r->cap = cap;
    }
    /* Room to finish the summaries whatever happens next; without it the
     * test is not kept, and the summaries still agree. */
    if (reserve_grow(r) != 0) {
        snprintf(err, errlen, "%s: no room to keep this test: %s", r->dir, strerror(errno));
        return -1;
    }
    /* The row first: it is what a reader counts as a finished test. */
    path_in(r, "summary", ".csv", p, sizeof(p));
    if (result_csv_append(p, t) != 0) {
        snprintf(err, errlen, "%s: %s", p, strerror(errno));
        return -1;
    }
    r->rows[r->nrows++] = *t;
    errno = 0;
    if (step_files(r, out) != 0) {
        snprintf(err, errlen, "%s/%s.hlog or .hgrm: %s", r->dir, st->file,
                 errno ? strerror(errno) : "histogram error");
        return -1;
    }
    if (intervals_add(r, repeat, out) != 0) {
        snprintf(err, errlen, "%s/intervals.csv: %s", r->dir, strerror(errno));
        return -1;
    }
    if (rundir_write_summaries(r, "running", "") != 0) {
        snprintf(err, errlen, "%s/summary.json: %s", r->dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* The host's .hlog text of the current step, started on first use. */
static struct rundir_host_log *host_log(struct results *r, const struct client_output *out)
{
    const char *host = out->result.host;
    for (size_t i = 0; i < r->nhost_logs; i++)
        if (strcmp(r->host_logs[i]->host, host) == 0)
            return r->host_logs[i];
    struct rundir_host_log **v = realloc(r->host_logs, (r->nhost_logs + 1) * sizeof(*v));
    if (!v)
        return NULL;
    r->host_logs = v;
    struct rundir_host_log *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    v[r->nhost_logs++] = l;
    snprintf(l->host, sizeof(l->host), "%s", host);
    l->mem = open_memstream(&l->buf, &l->len);
    if (!l->mem)
        return NULL;
    char comment[400];
    snprintf(comment, sizeof(comment), "netrig %s: %s on %s (latency in ns)", r->sc->name,
             r->sc->steps[r->step].name, host);
    if (hlog_writer_init(&l->hw, l->mem, (double)epoch_ms(first_wall(out)) / 1000, comment) != 0)
        return NULL;
    return l;
}

int rundir_add_host(struct results *r, uint32_t repeat, struct client_output *out, char *err,
                    size_t errlen)
{
    const struct scenario_step *st = &r->sc->steps[r->step];
    struct test_result *t = &out->result;
    fill_identity(t, r->sc, st, repeat);
    t->hosts[0] = '\0'; /* a part of the step, not the step */
    char p[4096], name[200], host[64];
    scenario_file_name(t->host, host, sizeof(host));
    snprintf(name, sizeof(name), "%s.%s", st->file, host);
    struct test_result *rows =
        r->nrows == r->cap ? realloc(r->rows, (r->cap + 32) * sizeof(*rows)) : r->rows;
    if (!rows) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    r->cap = rows == r->rows ? r->cap : r->cap + 32;
    r->rows = rows;
    path_in(r, "summary", ".csv", p, sizeof(p));
    if (reserve_grow(r) != 0 || result_csv_append(p, t) != 0) {
        snprintf(err, errlen, "%s: %s", p, strerror(errno));
        return -1;
    }
    r->rows[r->nrows++] = *t;
    struct rundir_host_log *l = host_log(r, out);
    int rc = l ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < out->nintervals; i++) {
        struct hist *h = &out->intervals[i].lat;
        h->tag[0] = '\0';
        h->start_ms = epoch_ms(out->start_wall_s + out->intervals[i].t_start_s);
        h->end_ms = epoch_ms(out->start_wall_s + out->intervals[i].t_end_s);
        rc = hlog_write_interval(&l->hw, h);
    }
    if (rc == 0 && out->nintervals == 0) {
        out->lat.tag[0] = '\0';
        double d = isnan(out->result.duration_s) ? 0 : out->result.duration_s;
        out->lat.start_ms = epoch_ms(out->start_wall_s);
        out->lat.end_ms = epoch_ms(out->start_wall_s + d);
        rc = hlog_write_interval(&l->hw, &out->lat);
    }
    if (rc == 0)
        rc = hlog_add_probe(&l->hw, out);
    if (rc != 0 || fflush(l->mem) != 0 || path_in(r, name, ".hlog", p, sizeof(p)) != 0 ||
        fileio_write_atomic(p, l->buf, l->len) != 0) {
        snprintf(err, errlen, "%s/%s.hlog: %s", r->dir, name,
                 errno ? strerror(errno) : "histogram error");
        return -1;
    }
    return 0;
}

void rundir_step_end(struct results *r)
{
    for (size_t i = 0; i < r->nhost_logs; i++) {
        if (r->host_logs[i]->mem)
            fclose(r->host_logs[i]->mem);
        free(r->host_logs[i]->buf);
        free(r->host_logs[i]);
    }
    free(r->host_logs);
    r->host_logs = NULL;
    r->nhost_logs = 0;
    if (r->hlog_mem)
        fclose(r->hlog_mem);
    r->hlog_mem = NULL;
    free(r->hlog_buf);
    r->hlog_buf = NULL;
    if (r->lat_on)
        hist_close(&r->lat);
    r->lat_on = false;
    if (r->probe_on) {
        hist_close(&r->probe_idle);
        hist_close(&r->probe_load);
    }
    r->probe_on = false;
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
    if (path_in(r, "summary", ".json", p, sizeof(p)) != 0 ||
        write_with(p, json_fn, &ja, &r->json_len) != 0)
        return -1;
    struct summary_step *s = NULL;
    size_t n = 0;
    if (summary_group(r->rows, r->nrows, &s, &n) != 0)
        return -1;
    struct ci_args ca = {s, n};
    int rc = path_in(r, "summary_ci", ".csv", p, sizeof(p));
    if (rc == 0)
        rc = write_with(p, ci_fn, &ca, NULL);
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
