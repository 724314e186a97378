#include "plot_ts.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "plot_driver.h"
#include "plot_series.h"
#include "plot_sweep.h"

int plot_csv_split(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        char *w = p;
        fields[n++] = w;
        int quoted = *p == '"';
        if (quoted)
            p++;
        for (;;) {
            if (quoted && *p == '"' && p[1] == '"') {
                *w++ = '"';
                p += 2;
            } else if (quoted && *p == '"') {
                quoted = 0;
                p++;
            } else if (*p == '\0' || (!quoted && (*p == ',' || *p == '\r' || *p == '\n'))) {
                break;
            } else {
                *w++ = *p++;
            }
        }
        if (quoted)
            return -1;
        char sep = *p;
        *w = '\0';
        if (sep != ',')
            break;
        p++;
    }
    return n;
}

struct ts_seg {
    char step[128];
    double repeat;
    char group[64];
    size_t first, n; /* points */
};

struct ts_data {
    double *t, *g, *p, *q50, *q99; /* q: the probe's p50 and p99 (probe = udp|tcp) */
    size_t n, cap;
    struct ts_seg *seg;
    size_t nseg;
};

static void ts_free(struct ts_data *d)
{
    free(d->t);
    free(d->g);
    free(d->p);
    free(d->q50);
    free(d->q99);
    free(d->seg);
}

/* One interval: t, goodput, p99, the probe's p50 and p99. */
static int ts_push(struct ts_data *d, const double v[5])
{
    double **cols[5] = {&d->t, &d->g, &d->p, &d->q50, &d->q99};
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 256;
        for (int k = 0; k < 5; k++) {
            double *a = realloc(*cols[k], cap * sizeof(double));
            if (!a)
                return -1;
            *cols[k] = a;
        }
        d->cap = cap;
    }
    for (int k = 0; k < 5; k++)
        (*cols[k])[d->n] = v[k];
    d->n++;
    return 0;
}

/* Starts a new segment when step or repeat changes. */
static int ts_segment(struct ts_data *d, const struct plot_rows *rows, const char *step,
                      double repeat)
{
    struct ts_seg *last = d->nseg ? &d->seg[d->nseg - 1] : NULL;
    if (last && strcmp(last->step, step) == 0 &&
        (last->repeat == repeat || (isnan(last->repeat) && isnan(repeat))))
        return 0;
    struct ts_seg *s = realloc(d->seg, (d->nseg + 1) * sizeof(*s));
    if (!s)
        return -1;
    d->seg = s;
    s = &d->seg[d->nseg++];
    snprintf(s->step, sizeof(s->step), "%s", step);
    s->repeat = repeat;
    const struct test_result *r = plot_rows_step(rows, step);
    if (r)
        snprintf(s->group, sizeof(s->group), "%s %s", r->proto, r->mode);
    else
        snprintf(s->group, sizeof(s->group), "other steps");
    s->first = d->n;
    s->n = 0;
    return 0;
}

static double num(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    return *s && *end == '\0' ? v : NAN;
}

enum { F_STEP, F_REPEAT, F_T, F_G, F_P, F_Q50, F_Q99, F_N };

/* Column positions of the fields netrig uses, from the header. */
static int ts_columns(char *header, int *col, const char *path, char *err, size_t errlen)
{
    static const char *const names[F_N] = {"step",   "repeat",       "t_s",         "goodput_bps",
                                           "p99_us", "probe_p50_us", "probe_p99_us"};
    char *f[64];
    int n = plot_csv_split(header, f, 64);
    for (int k = 0; k < F_N; k++) {
        col[k] = -1;
        for (int i = 0; i < n; i++)
            if (strcmp(f[i], names[k]) == 0)
                col[k] = i;
    }
    if (col[F_STEP] < 0 || col[F_T] < 0 || (col[F_G] < 0 && col[F_P] < 0)) {
        snprintf(err, errlen, "%s:1: needs columns step, t_s and goodput_bps or p99_us", path);
        return -1;
    }
    return 0;
}

static int ts_read(FILE *in, const char *path, const struct plot_rows *rows, struct ts_data *d,
                   char *err, size_t errlen)
{
    char *line = NULL;
    size_t cap = 0;
    long lineno = 1;
    int col[F_N], rc = -1;
    if (getline(&line, &cap, in) < 0) {
        snprintf(err, errlen, "%s: empty file, expected a header row", path);
        goto out;
    }
    if (ts_columns(line, col, path, err, errlen) != 0)
        goto out;
    double shift = 0, last_t = -INFINITY;
    while (getline(&line, &cap, in) >= 0) {
        lineno++;
        char *f[64];
        int n = plot_csv_split(line, f, 64);
        if (n == 1 && f[0][0] == '\0')
            continue;
        int need = col[F_T] > col[F_STEP] ? col[F_T] : col[F_STEP];
        double t = n > need ? num(f[col[F_T]]) : NAN;
        if (n < 0 || isnan(t)) {
            snprintf(err, errlen, "%s:%ld: malformed row (t_s missing or not a number)", path,
                     lineno);
            goto out;
        }
        double rep = col[F_REPEAT] >= 0 && n > col[F_REPEAT] ? num(f[col[F_REPEAT]]) : NAN;
        size_t before = d->nseg;
        if (ts_segment(d, rows, f[col[F_STEP]], rep) != 0)
            goto oom;
        /* Times that restart at each step are laid end to end. */
        if (d->nseg != before && t + shift < last_t)
            shift = last_t - t;
        last_t = t + shift;
        double v[5] = {t + shift, NAN, NAN, NAN, NAN};
        static const int fields[] = {F_G, F_P, F_Q50, F_Q99};
        for (int k = 0; k < 4; k++)
            if (col[fields[k]] >= 0 && n > col[fields[k]])
                v[k + 1] = num(f[col[fields[k]]]);
        if (ts_push(d, v) != 0)
            goto oom;
        d->seg[d->nseg - 1].n++;
    }
    rc = 0;
    goto out;
oom:
    snprintf(err, errlen, "%s:%ld: out of memory", path, lineno);
out:
    free(line);
    return rc;
}

static void range(const double *v, size_t n, double *lo, double *hi)
{
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i]) || v[i] <= 0)
            continue;
        *lo = isnan(*lo) || v[i] < *lo ? v[i] : *lo;
        *hi = isnan(*hi) || v[i] > *hi ? v[i] : *hi;
    }
}

/* Separators between the steps of group (repetitions of a step are one
 * span) and, when there are few enough to read, a label per step naming
 * what differs: arrays sep[], lab_x[], lab_t[] for the script. */
static int ts_marks(FILE *f, const struct ts_data *d, const char *group)
{
    size_t ns = 0;
    const char **name = malloc((d->nseg + 1) * sizeof(*name));
    double *x0 = malloc((d->nseg + 1) * sizeof(double));
    double *x1 = malloc((d->nseg + 1) * sizeof(double));
    int rc = -1;
    if (!name || !x0 || !x1)
        goto out;
    for (size_t s = 0; s < d->nseg; s++) {
        const struct ts_seg *g = &d->seg[s];
        if (strcmp(g->group, group) != 0 || g->n == 0)
            continue;
        double a = d->t[g->first], b = d->t[g->first + g->n - 1];
        if (ns > 0 && strcmp(name[ns - 1], g->step) == 0) {
            x1[ns - 1] = b;
            continue;
        }
        name[ns] = g->step;
        x0[ns] = a;
        x1[ns++] = b;
    }
    plot_gp_num(f, "nsep", ns > 1 ? (double)(ns - 1) : 0);
    if (ns > 1)
        plot_gp_array(f, "sep", ns - 1);
    for (size_t i = 1; i < ns; i++)
        plot_gp_elem_num(f, "sep", i - 1, (x1[i - 1] + x0[i]) / 2);
    size_t nl = ns >= 2 && ns <= 14 ? ns : 0, cut = plot_common_prefix(name, ns);
    plot_gp_num(f, "nlab", (double)nl);
    if (nl) {
        plot_gp_array(f, "lab_x", nl);
        plot_gp_array(f, "lab_t", nl);
    }
    for (size_t i = 0; i < nl; i++) {
        plot_gp_elem_num(f, "lab_x", i, (x0[i] + x1[i]) / 2);
        plot_gp_elem_str(f, "lab_t", i, name[i] + cut);
    }
    rc = 0;
out:
    free(name);
    free(x0);
    free(x1);
    return rc;
}

/* One figure for the segments of group: a table with a blank line
 * between steps (gnuplot breaks the curve there). */
static int ts_group(struct plot_ctx *c, const struct ts_data *d, const char *group, char *err,
                    size_t errlen)
{
    double glo = NAN, ghi = NAN, plo = NAN, phi = NAN, qlo = NAN, qhi = NAN;
    for (size_t s = 0; s < d->nseg; s++) {
        if (strcmp(d->seg[s].group, group) != 0)
            continue;
        range(d->g + d->seg[s].first, d->seg[s].n, &glo, &ghi);
        range(d->p + d->seg[s].first, d->seg[s].n, &plo, &phi);
        range(d->q50 + d->seg[s].first, d->seg[s].n, &qlo, &qhi);
        range(d->q99 + d->seg[s].first, d->seg[s].n, &qlo, &qhi);
    }
    /* The probe's latency shares the latency panel: one unit, one range. */
    double llo = isnan(plo) || qlo < plo ? qlo : plo, lhi = isnan(phi) || qhi > phi ? qhi : phi;
    double gs, ps;
    const char *gu, *pu;
    plot_rate_unit(ghi, &gs, &gu);
    plot_lat_unit(lhi, &ps, &pu);
    char slug[64], name[96], file[112], title[160];
    plot_slug(group, slug, sizeof(slug));
    snprintf(name, sizeof(name), "timeseries-%s", slug);
    snprintf(file, sizeof(file), "%s.dat", name);
    /* The title names only what the figure shows: stream intervals carry
     * goodput but no per-interval latency. */
    snprintf(title, sizeof(title), "%s over the run: %s",
             qhi > 0 && ghi > 0   ? "Goodput and latency under load"
             : ghi > 0 && phi > 0 ? "Goodput and p99 latency"
             : phi > 0 || qhi > 0 ? "Latency"
                                  : "Goodput",
             group);
    FILE *f = plot_data_open(c, file, err, errlen);
    if (!f)
        return -1;
    fprintf(f, "# t_s goodput p99 segment probe_p50 probe_p99\n");
    size_t k = 0;
    for (size_t s = 0; s < d->nseg; s++) {
        if (strcmp(d->seg[s].group, group) != 0)
            continue;
        fprintf(f, "%s# %s\n", k ? "\n" : "", d->seg[s].step);
        for (size_t i = d->seg[s].first; i < d->seg[s].first + d->seg[s].n; i++) {
            fprintf(f, "%.6f ", d->t[i]);
            plot_put(f, d->g[i] / gs);
            fputc(' ', f);
            plot_put(f, d->p[i] / ps);
            fprintf(f, " %zu ", k);
            plot_put(f, d->q50[i] / ps);
            fputc(' ', f);
            plot_put(f, d->q99[i] / ps);
            fputc('\n', f);
        }
        k++;
    }
    if (plot_data_close(f, file, err, errlen) != 0)
        return -1;
    if (!(ghi > 0) && !(phi > 0) && !(qhi > 0))
        return 0; /* nothing but empty intervals: no figure */
    f = plot_driver_begin(c, name, "timeseries.gp", title, err, errlen);
    if (!f)
        return -1;
    plot_gp_str(f, "file", file);
    plot_gp_str(f, "gunit", gu);
    plot_gp_str(f, "lunit", pu);
    plot_gp_num(f, "has_g", ghi > 0);
    plot_gp_num(f, "has_p", phi > 0);
    plot_gp_num(f, "has_q", qhi > 0);
    plot_gp_num(f, "ylog", llo > 0 && lhi / llo > 30);
    plot_gp_num(f, "ydec", llo > 0 ? log10(lhi / llo) : 0);
    if (ts_marks(f, d, group) != 0) {
        fclose(f);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return plot_driver_end(c, f, err, errlen);
}

int plot_timeseries(struct plot_ctx *c, const struct plot_rows *rows, char *err, size_t errlen)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/intervals.csv", c->run_dir);
    FILE *in = fileio_open_read(path, FILEIO_RESULT_MAX, err, errlen);
    if (!in) {
        if (errno == ENOENT) {
            err[0] = '\0';
            return 0;
        }
        return -1;
    }
    struct ts_data d = {0};
    int rc = ts_read(in, path, rows, &d, err, errlen);
    fclose(in);
    for (size_t s = 0; s < d.nseg && rc == 0; s++) {
        size_t j = 0;
        while (j < s && strcmp(d.seg[j].group, d.seg[s].group) != 0)
            j++;
        if (j == s)
            rc = ts_group(c, &d, d.seg[s].group, err, errlen);
    }
    ts_free(&d);
    return rc;
}
