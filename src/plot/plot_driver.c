#include "plot_driver.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "fileio.h"
#include "plot_series.h"

/* A double-quoted gnuplot string: backslash escapes, so any text is safe
 * (a single-quoted one cannot start with an escaped quote). */
static void put_quoted(FILE *f, const char *val)
{
    fputc('"', f);
    for (const char *p = val; *p; p++) {
        if (*p == '"' || *p == '\\')
            fputc('\\', f);
        if ((unsigned char)*p >= 0x20)
            fputc(*p, f);
    }
    fputc('"', f);
}

void plot_gp_str(FILE *f, const char *var, const char *val)
{
    fprintf(f, "%s = ", var);
    put_quoted(f, val);
    fputc('\n', f);
}

void plot_put(FILE *f, double v)
{
    if (isnan(v) || isinf(v))
        fputs("NaN", f);
    else
        fprintf(f, "%.9g", v);
}

void plot_gp_num(FILE *f, const char *var, double val)
{
    fprintf(f, "%s = ", var);
    plot_put(f, val);
    fputc('\n', f);
}

void plot_gp_array(FILE *f, const char *var, size_t n)
{
    fprintf(f, "array %s[%zu]\n", var, n);
}

void plot_gp_elem_str(FILE *f, const char *var, size_t i, const char *val)
{
    fprintf(f, "%s[%zu] = ", var, i + 1);
    put_quoted(f, val);
    fputc('\n', f);
}

void plot_gp_elem_num(FILE *f, const char *var, size_t i, double val)
{
    fprintf(f, "%s[%zu] = ", var, i + 1);
    plot_put(f, val);
    fputc('\n', f);
}

FILE *plot_data_open(const struct plot_ctx *c, const char *file, char *err, size_t errlen)
{
    char path[PATH_MAX + 128];
    snprintf(path, sizeof(path), "%s/%s", c->data_dir, file);
    FILE *f = fileio_open_write(path);
    if (!f)
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    return f;
}

int plot_data_close(FILE *f, const char *file, char *err, size_t errlen)
{
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        snprintf(err, errlen, "plots/data/%s: write failed", file);
        return -1;
    }
    return 0;
}

FILE *plot_driver_begin(struct plot_ctx *c, const char *name, const char *script, const char *title,
                        char *err, size_t errlen)
{
    if (c->nfigs == PLOT_MAX_FIGS) {
        snprintf(err, errlen, "more than %d figures; not drawing %s", PLOT_MAX_FIGS, name);
        return NULL;
    }
    struct plot_fig *g = &c->figs[c->nfigs];
    snprintf(g->name, sizeof(g->name), "%s", name);
    snprintf(g->title, sizeof(g->title), "%s", title);
    snprintf(g->script, sizeof(g->script), "%s", script);
    char file[128];
    snprintf(file, sizeof(file), "%s.gp", g->name);
    FILE *f = plot_data_open(c, file, err, errlen);
    if (!f)
        return NULL;
    fprintf(f, "# Made by netrig plot. Run from RUN_DIR/plots: gnuplot data/%s\n", file);
    plot_gp_str(f, "scripts", c->scripts_dir);
    plot_gp_str(f, "data", "data");
    plot_gp_str(f, "out", g->name);
    plot_gp_str(f, "fig_title", g->title);
    return f;
}

int plot_driver_end(struct plot_ctx *c, FILE *f, char *err, size_t errlen)
{
    const struct plot_fig *g = &c->figs[c->nfigs];
    fprintf(f, "fmt = 'png'\nload scripts.'/%s'\n", g->script);
    fprintf(f, "fmt = 'svg'\nload scripts.'/%s'\n", g->script);
    char file[128];
    snprintf(file, sizeof(file), "%s.gp", g->name);
    if (plot_data_close(f, file, err, errlen) != 0)
        return -1;
    c->nfigs++;
    return 0;
}

void plot_rate_unit(double max_bps, double *scale, const char **name)
{
    if (!(max_bps >= 1e3)) {
        *scale = 1;
        *name = "bit/s";
    } else if (max_bps < 1e6) {
        *scale = 1e3;
        *name = "kbit/s";
    } else if (max_bps < 1e9) {
        *scale = 1e6;
        *name = "Mbit/s";
    } else {
        *scale = 1e9;
        *name = "Gbit/s";
    }
}

void plot_byte_tics(double lo, double hi, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!(lo > 0) || !(hi >= lo))
        return;
    double e0 = floor(log2(lo)), e1 = ceil(log2(hi));
    /* at most about ten labels: every power of two, of four or of 16 */
    double stepe = e1 - e0 <= 10 ? 1 : e1 - e0 <= 20 ? 2 : 4;
    size_t o = 0;
    for (double e = e0; e <= e1 && o < len; e += stepe) {
        char b[32];
        plot_fmt_bytes(pow(2, e), b, sizeof(b));
        int w = snprintf(buf + o, len - o, "%s\"%s\" %.0f", o ? ", " : "", b, pow(2, e));
        if (w < 0 || (size_t)w >= len - o) {
            buf[o] = '\0';
            break;
        }
        o += (size_t)w;
    }
}
