#include "plot_hgrm.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

#include "plot_driver.h"
#include "plot_series.h"
#include "plot_sweep.h"

int plot_hgrm_read(const char *path, struct plot_hgrm *h, char *err, size_t errlen)
{
    memset(h, 0, sizeof(*h));
    FILE *f = fileio_open_read(path, FILEIO_RESULT_MAX, err, errlen);
    if (!f)
        return -1;
    char line[512];
    size_t cap = 0;
    long lineno = 0;
    int rc = -1;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        double v, p, count;
        if (line[0] == '#' || sscanf(line, "%lf %lf %lf", &v, &p, &count) != 3)
            continue;
        if (!(p >= 0 && p <= 1) || !(v >= 0)) {
            snprintf(err, errlen, "%s:%ld: percentile %g or value %g out of range", path, lineno, p,
                     v);
            goto out;
        }
        if (h->n == cap) {
            cap = cap ? cap * 2 : 256;
            double *nv = realloc(h->value, cap * sizeof(double));
            if (nv)
                h->value = nv;
            double *np = realloc(h->pct, cap * sizeof(double));
            if (np)
                h->pct = np;
            if (!nv || !np) {
                snprintf(err, errlen, "%s: out of memory", path);
                goto out;
            }
        }
        h->value[h->n] = v;
        h->pct[h->n++] = p;
    }
    if (h->n == 0)
        snprintf(err, errlen, "%s: no percentile rows", path);
    else
        rc = 0;
out:
    fclose(f);
    if (rc != 0)
        plot_hgrm_free(h);
    return rc;
}

void plot_hgrm_free(struct plot_hgrm *h)
{
    free(h->value);
    free(h->pct);
    memset(h, 0, sizeof(*h));
}

struct hfile {
    char base[256];
    char title[272]; /* the curve: the step, and for a probe's file idle or loaded */
    char group[80];  /* "tcp stream", "tcp stream probe", or "other steps" */
    bool probe;
    size_t order; /* the row's position: sweeps keep their order */
};

static int hfile_cmp(const void *a, const void *b)
{
    const struct hfile *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return strcmp(x->base, y->base);
}

/* The .hgrm files of dir, in summary order. Returns the count or -1. */
static long scan(const char *dir, const struct plot_rows *rows, struct hfile **out, char *err,
                 size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot read: %s", dir, strerror(errno));
        return -1;
    }
    struct hfile *v = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || len > 255 || strcmp(e->d_name + len - 5, ".hgrm") != 0)
            continue;
        struct hfile *nv = realloc(v, (n + 1) * sizeof(*v));
        if (!nv) {
            free(v);
            closedir(d);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        v = nv;
        snprintf(v[n].base, sizeof(v[n].base), "%.*s", (int)(len - 5), e->d_name);
        /* STEP.probe_idle and STEP.probe_load: the probe's round trips
         * before and under the load, drawn together in a figure of their own. */
        char step[256];
        snprintf(step, sizeof(step), "%s", v[n].base);
        size_t sl = strlen(step);
        const char *kind = NULL;
        if (sl > 11 && strcmp(step + sl - 11, ".probe_idle") == 0)
            kind = " idle";
        else if (sl > 11 && strcmp(step + sl - 11, ".probe_load") == 0)
            kind = " loaded";
        if (kind)
            step[sl - 11] = '\0';
        v[n].probe = kind != NULL;
        snprintf(v[n].title, sizeof(v[n].title), "%s%s", step, kind ? kind : "");
        const struct test_result *r = plot_rows_step(rows, step);
        if (r)
            snprintf(v[n].group, sizeof(v[n].group), "%s %s%s", r->proto, r->mode,
                     kind ? " probe" : "");
        else
            snprintf(v[n].group, sizeof(v[n].group), "%s", kind ? "probe" : "other steps");
        v[n].order = r ? (size_t)(r - rows->r) : rows->n;
        n++;
    }
    closedir(d);
    if (n)
        qsort(v, n, sizeof(*v), hfile_cmp);
    *out = v;
    return (long)n;
}

/* One table per curve: 1/(1-p), latency (in unit), percentile. The row at
 * p = 1 has no place on a 1/(1-p) axis and is left out. */
static int spectrum_table(struct plot_ctx *c, const char *src, const char *file, double scale,
                          double *lo, double *hi, double *xmax, char *err, size_t errlen)
{
    struct plot_hgrm h;
    if (plot_hgrm_read(src, &h, err, errlen) != 0)
        return -1;
    FILE *f = plot_data_open(c, file, err, errlen);
    if (!f) {
        plot_hgrm_free(&h);
        return -1;
    }
    fprintf(f, "# %s\n# inv_1_minus_p latency percentile\n", src);
    for (size_t i = 0; i < h.n; i++) {
        if (h.pct[i] >= 1)
            continue;
        double inv = 1 / (1 - h.pct[i]), v = h.value[i] / scale;
        fprintf(f, "%.9g %.9g %.9g\n", inv, v, 100 * h.pct[i]);
        *xmax = inv > *xmax ? inv : *xmax;
        if (v > 0)
            *lo = isnan(*lo) || v < *lo ? v : *lo;
        *hi = isnan(*hi) || v > *hi ? v : *hi;
    }
    plot_hgrm_free(&h);
    return plot_data_close(f, file, err, errlen);
}

/* The largest value in a group's files, to choose us or ms. */
static double group_max(const struct plot_ctx *c, struct hfile **g, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX + 300], e[8];
        struct plot_hgrm h;
        snprintf(path, sizeof(path), "%s/%s.hgrm", c->run_dir, g[i]->base);
        if (plot_hgrm_read(path, &h, e, sizeof(e)) != 0)
            continue;
        for (size_t j = 0; j < h.n; j++)
            m = h.value[j] > m ? h.value[j] : m;
        plot_hgrm_free(&h);
    }
    return m;
}

static int spectrum_group(struct plot_ctx *c, struct hfile **g, size_t n, char *err, size_t errlen)
{
    char slug[64], name[96], title[160];
    plot_slug(g[0]->group, slug, sizeof(slug));
    snprintf(name, sizeof(name), "spectrum-%s", slug);
    size_t gl = strlen(g[0]->group);
    if (g[0]->probe && gl > 6) /* "tcp stream probe": the protocol and mode */
        snprintf(title, sizeof(title), "Probe latency, idle and under load: %.*s", (int)(gl - 6),
                 g[0]->group);
    else if (g[0]->probe)
        snprintf(title, sizeof(title), "Probe latency, idle and under load");
    else
        snprintf(title, sizeof(title), "Latency percentile spectrum: %s", g[0]->group);
    double scale, lo = NAN, hi = NAN, xmax = 1;
    const char *unit;
    plot_lat_unit(group_max(c, g, n), &scale, &unit);
    for (size_t i = 0; i < n; i++) {
        char src[PATH_MAX + 300], file[160];
        snprintf(src, sizeof(src), "%s/%s.hgrm", c->run_dir, g[i]->base);
        snprintf(file, sizeof(file), "%s-%zu.dat", name, i + 1);
        if (spectrum_table(c, src, file, scale, &lo, &hi, &xmax, err, errlen) != 0)
            return -1;
    }
    FILE *f = plot_driver_begin(c, name, "spectrum.gp", title, err, errlen);
    if (!f)
        return -1;
    const char **names = malloc(n * sizeof(*names));
    if (!names) {
        fclose(f);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        names[i] = g[i]->title;
    size_t cut = plot_common_prefix(names, n);
    free(names);
    plot_gp_num(f, "n", (double)n);
    plot_gp_array(f, "titles", n);
    for (size_t i = 0; i < n; i++)
        plot_gp_elem_str(f, "titles", i, g[i]->title + cut);
    plot_gp_str(f, "lunit", unit);
    /* a log latency axis once the tail spans more than a decade and a half */
    plot_gp_num(f, "ylog", lo > 0 && hi / lo > 30);
    plot_gp_num(f, "ydec", lo > 0 ? log10(hi / lo) : 0);
    plot_gp_num(f, "xmax", pow(10, ceil(log10(xmax > 10 ? xmax : 10))));
    return plot_driver_end(c, f, err, errlen);
}

int plot_spectrum(struct plot_ctx *c, const struct plot_rows *rows, char *err, size_t errlen)
{
    struct hfile *v = NULL;
    long n = scan(c->run_dir, rows, &v, err, errlen);
    if (n <= 0)
        return (int)n;
    struct hfile **g = malloc((size_t)n * sizeof(*g));
    int *done = calloc((size_t)n, sizeof(int));
    int rc = -1;
    if (!g || !done) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    rc = 0;
    for (long i = 0; i < n && rc == 0; i++) {
        if (done[i])
            continue;
        size_t k = 0;
        for (long j = i; j < n; j++) {
            if (!done[j] && strcmp(v[j].group, v[i].group) == 0) {
                g[k++] = &v[j];
                done[j] = 1;
            }
        }
        rc = spectrum_group(c, g, k, err, errlen);
    }
out:
    free(g);
    free(done);
    free(v);
    return rc;
}
