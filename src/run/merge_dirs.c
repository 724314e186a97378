#include "merge_dirs.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fileio.h"
#include "hlog.h"
#include "merge.h"
#include "model_check.h"
#include "opts.h"
#include "plot.h"
#include "plot_ts.h"
#include "result_file.h"
#include "rundir.h"

/* Appends h to the series v[0..*n) whose first interval's start is
 * *start (set by the first); h is taken over. */
static int append_interval(struct client_interval **v, size_t *n, double *start, struct hist *h)
{
    struct client_interval *w = realloc(*v, (*n + 1) * sizeof(*w));
    if (!w)
        return -1;
    *v = w;
    if (*n == 0)
        *start = (double)h->start_ms / 1000;
    struct client_interval *iv = &w[(*n)++];
    memset(iv, 0, sizeof(*iv));
    iv->t_start_s = (double)h->start_ms / 1000 - *start;
    iv->t_end_s = (double)h->end_ms / 1000 - *start;
    iv->goodput_bps = iv->msgs_per_s = iv->messages = NAN; /* not in a .hlog */
    iv->probe_p50_us = iv->probe_p99_us = NAN;
    iv->lat = *h;
    return 0;
}

int merge_read_hlog(const char *path, struct client_output *o, char *err, size_t errlen)
{
    FILE *in = fileio_open_read(path, FILEIO_RESULT_MAX, err, errlen);
    if (!in)
        return -1;
    struct hlog_reader rd;
    hlog_reader_init(&rd, in);
    rd.name = path;
    int rc = hist_init_default(&o->lat) == 0 ? 1 : -1;
    struct hist h;
    while (rc == 1 && (rc = hlog_read_interval(&rd, &h, err, errlen)) == 1) {
        int a;
        if (h.tag[0] == '\0')
            a = hist_add_grow(&o->lat, &h) == 0
                    ? append_interval(&o->intervals, &o->nintervals, &o->start_wall_s, &h)
                    : -1;
        else if (strcmp(h.tag, "probe") == 0)
            a = append_interval(&o->probe_iv, &o->nprobe_iv, &o->probe_start_wall_s, &h);
        else {
            hist_close(&h); /* another tool's series: not the load's */
            continue;
        }
        if (a != 0) {
            hist_close(&h);
            snprintf(err, errlen, "%s: out of memory", path);
            rc = -1;
        }
    }
    hlog_reader_close(&rd);
    fclose(in);
    return rc < 0 ? -1 : 0;
}

/* The rates and counts of step's intervals, which a .hlog does not hold,
 * from the host's intervals.csv: its rows of that step, in order, onto
 * o's intervals. Without the file or its columns they stay unknown. */
static void read_interval_rates(const char *dir, const char *step, struct client_output *o)
{
    static const char *const names[] = {"step", "repeat", "goodput_bps", "msgs_per_s", "messages"};
    char p[4200], err[256], *line = NULL, *f[64];
    size_t cap = 0, k = 0;
    int col[5] = {-1, -1, -1, -1, -1};
    snprintf(p, sizeof(p), "%s/intervals.csv", dir);
    FILE *in = fileio_open_read(p, FILEIO_RESULT_MAX, err, sizeof(err));
    if (!in)
        return;
    int n = getline(&line, &cap, in) >= 0 ? plot_csv_split(line, f, 64) : -1;
    for (int i = 0; i < n; i++)
        for (int c = 0; c < 5; c++)
            if (strcmp(f[i], names[c]) == 0)
                col[c] = i;
    while (col[0] >= 0 && col[1] >= 0 && k < o->nintervals && getline(&line, &cap, in) >= 0) {
        n = plot_csv_split(line, f, 64);
        if (n <= col[0] || n <= col[1] || strcmp(f[col[0]], step) != 0 ||
            strcmp(f[col[1]], "1") != 0)
            continue;
        struct client_interval *iv = &o->intervals[k++];
        double *dst[] = {&iv->goodput_bps, &iv->msgs_per_s, &iv->messages};
        for (int c = 2; c < 5; c++)
            if (col[c] >= 0 && col[c] < n && f[col[c]][0] != '\0')
                *dst[c - 2] = strtod(f[col[c]], NULL);
    }
    free(line);
    fclose(in);
}

/* One input folder: its rows and the host it names. */
struct input {
    const char *dir;
    struct result_file f;
    char host[64];
};

static int load_input(struct input *in, const char *dir, char *err, size_t errlen)
{
    char p[4200];
    in->dir = dir;
    snprintf(p, sizeof(p), "%s/summary.csv", dir);
    if (result_file_load(p, &in->f, err, errlen) != 0)
        return -1;
    const char *base = strrchr(dir, '/');
    snprintf(in->host, sizeof(in->host), "%s", base && base[1] ? base + 1 : dir);
    for (size_t i = 0; i < in->f.n; i++) {
        const struct test_result *r = &in->f.rows[i];
        if (r->repeat > 1) {
            snprintf(err, errlen,
                     "%s:%zu: step '%s' has repetitions: merge reads one test per step and "
                     "folder (run each repetition into its own folder)",
                     p, in->f.line[i], r->step);
            return -1;
        }
        if (r->host[0] && strcmp(r->host, "all") != 0)
            snprintf(in->host, sizeof(in->host), "%s", r->host);
    }
    return 0;
}

/* The row of step `name` in in, or NULL. */
static const struct test_result *row_of(const struct input *in, const char *name)
{
    for (size_t i = 0; i < in->f.n; i++)
        if (strcmp(in->f.rows[i].step, name) == 0 && !result_is_host_row(&in->f.rows[i]))
            return &in->f.rows[i];
    return NULL;
}

/* The steps of every input, in order of first appearance, as a scenario
 * the results folder can be written for. */
static int make_scenario(struct scenario *sc, const struct input *in, size_t n)
{
    memset(sc, 0, sizeof(*sc));
    size_t cap = 0;
    for (size_t k = 0; k < n; k++)
        cap += in[k].f.n;
    sc->steps = calloc(cap ? cap : 1, sizeof(*sc->steps));
    if (!sc->steps)
        return -1;
    snprintf(sc->file, sizeof(sc->file), "(netrig merge)");
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; i < in[k].f.n; i++) {
            const struct test_result *r = &in[k].f.rows[i];
            if (result_is_host_row(r))
                continue;
            if (sc->name[0] == '\0')
                snprintf(sc->name, sizeof(sc->name), "%s", r->scenario[0] ? r->scenario : "merge");
            size_t j = 0;
            while (j < sc->nsteps && strcmp(sc->steps[j].name, r->step) != 0)
                j++;
            if (j < sc->nsteps)
                continue;
            struct scenario_step *st = &sc->steps[sc->nsteps++];
            snprintf(st->name, sizeof(st->name), "%s", r->step);
            scenario_file_name(r->step, st->file, sizeof(st->file));
            snprintf(st->group, sizeof(st->group), "%.63s", r->step);
            st->repeat = 1;
            opts_defaults(&st->cfg);
        }
    }
    sc->text = "";
    return 0;
}

/* Step i from every input that has it. Returns 0, 1 when an input lacks
 * it, -1 on error. */
static int merge_step(struct results *res, const struct input *in, size_t n, char *err,
                      size_t errlen)
{
    const struct scenario_step *st = &res->sc->steps[res->step];
    struct client_output *outs = calloc(n, sizeof(*outs));
    struct merge_host *mh = calloc(n, sizeof(*mh));
    int rc = outs && mh ? 0 : -1, missing = 0;
    for (size_t k = 0; rc == 0 && k < n; k++) {
        const struct test_result *row = row_of(&in[k], st->name);
        mh[k] = (struct merge_host){in[k].host, &outs[k], 0, false};
        if (!row) {
            missing = 1;
            continue;
        }
        char p[4400], e[600];
        snprintf(p, sizeof(p), "%s/%s.hlog", in[k].dir, st->file);
        outs[k].result = *row;
        if (merge_read_hlog(p, &outs[k], e, sizeof(e)) != 0) {
            snprintf(err, errlen, "%s", e);
            rc = -1;
            break;
        }
        read_interval_rates(in[k].dir, st->name, &outs[k]);
        if (merge_probe_windows(&outs[k]) != 0) {
            snprintf(err, errlen, "%s: out of memory", p);
            rc = -1;
            break;
        }
        snprintf(outs[k].result.host, sizeof(outs[k].result.host), "%s", in[k].host);
        mh[k].ok = true;
        rc = rundir_add_host(res, 1, &outs[k], err, errlen);
    }
    struct client_output all;
    memset(&all, 0, sizeof(all));
    if (rc == 0 && (rc = merge_outputs(mh, n, &all, err, errlen)) == 0) {
        if (res->run_start_s == 0) /* the time series count from here */
            res->run_start_s = all.start_wall_s;
        rc = rundir_add(res, 1, &all, err, errlen);
    }
    client_output_close(&all);
    for (size_t k = 0; outs && k < n; k++)
        client_output_close(&outs[k]);
    free(outs);
    free(mh);
    return rc != 0 ? -1 : missing;
}

static void merge_meta(struct results *res, const struct merge_dirs_opts *o)
{
    struct meta_run *m = &res->meta;
    m->scenario_file = res->sc->file;
    m->scenario_name = res->sc->name;
    m->scenario_text = "";
    m->argc = o->argc;
    m->argv = o->argv;
    m->start_s = (double)clock_wall_ns() / 1e9;
    m->end_s = m->start_s;
    m->status = "complete";
    m->message = "";
    m->server = "";
}

/* The model and the plots on the merged folder, as after a run. */
static void after(const struct merge_dirs_opts *o, const char *dir)
{
    char err[4300], counts[256] = "not checked";
    struct model_check_opts mo;
    struct model_check mc;
    model_check_opts_init(&mo);
    if (model_check_run(dir, &mo, &mc, err, sizeof(err)) == 0)
        model_check_counts(&mc, counts, sizeof(counts));
    else
        fprintf(o->console, "model: %s\n", err);
    model_check_close(&mc);
    int drawn = 0;
    if (!o->no_plot && plot_run_dir(dir, &drawn, err, sizeof(err)) != PLOT_OK)
        fprintf(o->console, "plots: %s\n", err);
    fprintf(o->console, "model: %s\n", counts);
}

static int write_all(const struct merge_dirs_opts *o, struct input *in, struct scenario *sc,
                     char *err, size_t errlen)
{
    struct results res;
    if (rundir_open(&res, sc, o->out, err, errlen) != 0) {
        rundir_close(&res);
        return 2;
    }
    merge_meta(&res, o);
    int rc = 0;
    for (size_t i = 0; rc >= 0 && i < sc->nsteps; i++) {
        int s = rundir_step_begin(&res, i) == 0 ? merge_step(&res, in, o->ndirs, err, errlen) : -1;
        rundir_step_end(&res);
        if (s >= 0 && o->console) {
            const struct test_result *a = &res.rows[res.nrows - 1];
            fprintf(o->console, "%s: hosts %s, %.0f messages, p50 %.1f us, p99 %.1f us\n", a->step,
                    a->hosts, a->messages, a->lat_p50_us, a->lat_p99_us);
        }
        rc = s < 0 ? -1 : rc | s;
    }
    rundir_release_reserve(&res);
    const char *status = rc < 0 ? "failed" : "complete";
    res.meta.message = rc < 0 ? err : rc ? "a host lacks a step (see the hosts column)" : "";
    res.meta.status = status;
    if (rundir_write_summaries(&res, status, res.meta.message) != 0 || rundir_write_meta(&res) != 0)
        fprintf(o->console, "netrig merge: %s: %s\n", o->out, strerror(errno));
    rundir_close(&res);
    if (rc >= 0)
        after(o, o->out);
    return rc < 0 ? 2 : rc;
}

int merge_dirs(const struct merge_dirs_opts *o, char *err, size_t errlen)
{
    struct input *in = calloc(o->ndirs ? o->ndirs : 1, sizeof(*in));
    struct scenario sc;
    memset(&sc, 0, sizeof(sc));
    int rc = in ? 0 : 2;
    for (size_t k = 0; rc == 0 && k < o->ndirs; k++) {
        if (load_input(&in[k], o->dirs[k], err, errlen) != 0)
            rc = 2;
        for (size_t j = 0; rc == 0 && j < k; j++)
            if (strcmp(in[j].host, in[k].host) == 0) {
                snprintf(err, errlen, "%s and %s both hold host '%s' (client --host NAME)",
                         in[j].dir, in[k].dir, in[k].host);
                rc = 2;
            }
    }
    if (rc == 0 && make_scenario(&sc, in, o->ndirs) != 0) {
        snprintf(err, errlen, "out of memory");
        rc = 2;
    }
    if (rc == 0 && sc.nsteps == 0) {
        snprintf(err, errlen, "%s: no rows to merge", o->dirs[0]);
        rc = 2;
    }
    if (rc == 0)
        rc = write_all(o, in, &sc, err, errlen);
    for (size_t k = 0; in && k < o->ndirs; k++)
        result_file_close(&in[k].f);
    free(in);
    free(sc.steps);
    return rc;
}
