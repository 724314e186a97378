#include "plot.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "plot_driver.h"
#include "plot_gnuplot.h"
#include "plot_hgrm.h"
#include "plot_rows.h"
#include "plot_series.h"
#include "plot_sweep.h"
#include "plot_ts.h"
#include "report_html.h"

const char plot_no_gnuplot_msg[] =
    "gnuplot not found on PATH: the data for the plots is written, the images are not.\n"
    "Install it (Debian, Ubuntu: apt-get install gnuplot-nox) and run: netrig plot RUN_DIR";

void plot_opts_init(struct plot_opts *o)
{
    o->scripts_dir = NULL;
    o->link_bps = NAN;
    o->timeout_s = 60;
}

/* The link rate the run was measured on, from meta.json's "link_rate_bps"
 * (absent file or key, null or 0: unknown, NAN). Returns 0, or -1 with a
 * message when meta.json is there but not a readable regular file. */
static int meta_link_rate(const char *dir, double *rate, char *err, size_t errlen)
{
    char path[PATH_MAX + 16], buf[65536];
    snprintf(path, sizeof(path), "%s/meta.json", dir);
    *rate = NAN;
    FILE *f = fileio_open_read(path, FILEIO_RESULT_MAX, err, errlen);
    if (!f)
        return errno == ENOENT ? 0 : -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *k = strstr(buf, "\"link_rate_bps\"");
    if (!k)
        return 0;
    k += strlen("\"link_rate_bps\"");
    while (*k == ' ' || *k == '\t' || *k == '\n' || *k == '\r' || *k == ':')
        k++;
    char *end;
    double v = strtod(k, &end);
    *rate = end != k && v > 0 ? v : NAN;
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Removes what an earlier `netrig plot` left, so a figure whose data is
 * gone does not linger. Only netrig's own kinds of files are touched. */
static void clear_old(const char *dir, const char *const *suffixes, size_t ns)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        for (size_t i = 0; i < ns; i++) {
            if (ends_with(e->d_name, suffixes[i])) {
                char p[PATH_MAX + 256];
                snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
                unlink(p);
                break;
            }
        }
    }
    closedir(d);
}

static int ctx_init(struct plot_ctx *c, const char *dir, const struct plot_opts *o, char *err,
                    size_t errlen)
{
    memset(c, 0, sizeof(*c));
    c->opts = o;
    c->run_dir = dir;
    snprintf(c->plots_dir, sizeof(c->plots_dir), "%s/plots", dir);
    snprintf(c->data_dir, sizeof(c->data_dir), "%s/plots/data", dir);
    c->link_bps = o->link_bps;
    if (isnan(c->link_bps) && meta_link_rate(dir, &c->link_bps, err, errlen) != 0)
        return -1;
    /* Stale figures are removed and new ones written in these folders:
     * never through a symlink to somewhere else. */
    if (fileio_own_dir(c->plots_dir, err, errlen) != 0 ||
        fileio_own_dir(c->data_dir, err, errlen) != 0)
        return -1;
    static const char *const figs[] = {".png", ".svg"};
    static const char *const data[] = {".dat", ".gp", ".log"};
    clear_old(c->plots_dir, figs, 2);
    clear_old(c->data_dir, data, 3);
    return 0;
}

/* Every figure's data and driver. */
static int prepare(struct plot_ctx *c, const struct plot_rows *rows, char *err, size_t errlen)
{
    struct plot_series_set sizes, rates;
    if (plot_series_build(rows, 0, &sizes) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (plot_series_build(rows, 1, &rates) != 0) {
        plot_series_free(&sizes);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = plot_sweep_throughput(c, rows, &sizes, err, errlen);
    if (rc == 0)
        rc = plot_sweep_overhead(c, rows, &sizes, err, errlen);
    if (rc == 0)
        rc = plot_sweep_load(c, rows, &rates, err, errlen);
    if (rc == 0)
        rc = plot_spectrum(c, rows, err, errlen);
    if (rc == 0)
        rc = plot_timeseries(c, rows, err, errlen);
    plot_series_free(&sizes);
    plot_series_free(&rates);
    return rc;
}

/* Runs gnuplot for each figure; a failed figure does not stop the others.
 * Returns 0 or -1 with the first failure in err. */
static int draw(struct plot_ctx *c, const char *gnuplot, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < c->nfigs; i++) {
        char driver[160], log[PATH_MAX + 160], why[1024];
        snprintf(driver, sizeof(driver), "data/%s.gp", c->figs[i].name);
        snprintf(log, sizeof(log), "%s/%s.log", c->data_dir, c->figs[i].name);
        if (plot_gnuplot_run(gnuplot, c->plots_dir, driver, log, c->opts->timeout_s, why,
                             sizeof(why)) != 0) {
            if (rc == 0)
                snprintf(err, errlen, "%s", why);
            rc = -1;
            continue;
        }
        c->drawn++;
    }
    return rc;
}

int plot_run(const char *dir, const struct plot_opts *o, struct plot_ctx *ctx_out, char *err,
             size_t errlen)
{
    struct plot_ctx *c = ctx_out ? ctx_out : malloc(sizeof(*c));
    struct plot_rows rows = {NULL, 0};
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return PLOT_ERR;
    }
    char path[PATH_MAX + 16], gnuplot[PATH_MAX];
    int rc = PLOT_ERR_INPUT;
    snprintf(path, sizeof(path), "%s/summary.csv", dir);
    if (access(path, R_OK) != 0) {
        snprintf(err, errlen, "%s: no summary.csv (is this a results folder?)", dir);
        goto out;
    }
    if (plot_rows_load(path, &rows, err, errlen) != 0)
        goto out;
    rc = PLOT_ERR;
    if (ctx_init(c, dir, o, err, errlen) != 0 ||
        plot_find_scripts(o->scripts_dir, c->scripts_dir, sizeof(c->scripts_dir), err, errlen) != 0)
        goto out;
    if (prepare(c, &rows, err, errlen) != 0)
        goto out;
    int have = plot_gnuplot_find(gnuplot, sizeof(gnuplot)) == 0;
    int drew = have ? draw(c, gnuplot, err, errlen) : 0;
    char herr[512];
    if (report_html_write(dir, &rows, c, have, herr, sizeof(herr)) != 0) {
        if (drew == 0)
            snprintf(err, errlen, "%s", herr);
        goto out;
    }
    if (!have) {
        snprintf(err, errlen, "%s", plot_no_gnuplot_msg);
        rc = PLOT_NO_GNUPLOT;
        goto out;
    }
    rc = drew == 0 ? PLOT_OK : PLOT_ERR;
out:
    plot_rows_free(&rows);
    if (c != ctx_out)
        free(c);
    return rc;
}

int plot_run_dir(const char *dir, int *drawn, char *err, size_t errlen)
{
    struct plot_opts o;
    plot_opts_init(&o);
    struct plot_ctx *c = calloc(1, sizeof(*c)); /* large: 3 paths and the figure list */
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return PLOT_ERR;
    }
    int rc = plot_run(dir, &o, c, err, errlen);
    *drawn = c->drawn;
    free(c);
    return rc;
}
