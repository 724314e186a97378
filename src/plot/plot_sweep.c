#include "plot_sweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_driver.h"

typedef double (*getter)(const struct test_result *r);

static double get_goodput(const struct test_result *r)
{
    return r->goodput_bps;
}
static double get_model(const struct test_result *r)
{
    return r->model_goodput_bps;
}
static double get_p50(const struct test_result *r)
{
    return r->lat_p50_us;
}
static double get_p99(const struct test_result *r)
{
    return r->lat_p99_us;
}
static double get_p999(const struct test_result *r)
{
    return r->lat_p999_us;
}
/* Achieved load in the unit of rate_target: transactions/s in rate mode,
 * bit/s for paced streams. */
static double get_achieved(const struct test_result *r)
{
    return strcmp(r->mode, "rate") == 0 ? r->msgs_per_s : r->goodput_bps;
}

static double get_target(const struct test_result *r)
{
    return r->rate_target;
}

/* Payload bytes per message as the goodput counts them. */
static double payload_bytes(const struct test_result *r)
{
    if (r->msgs_per_s > 0 && !isnan(r->goodput_bps))
        return r->goodput_bps / (8 * r->msgs_per_s);
    return r->size_bytes;
}

double plot_eff_pred(const struct test_result *r)
{
    double b = payload_bytes(r), o = r->overhead_bytes;
    if (isnan(o) || !(b > 0))
        return NAN;
    return 100 * b / (b + o);
}

double plot_eff_meas(const struct test_result *r)
{
    double g = r->goodput_bps, cap = r->model_c_bps;
    if (isnan(r->overhead_bytes) || !(cap > 0) || isnan(g))
        return NAN;
    if (strcmp(r->mode, "stream") == 0)
        return 100 * g / cap;
    /* Serial form: T = t0 + (B+O)/C, so (B+O)/C = T - t0 and the
     * efficiency B/(B+O) is B/C over (T - t0). Only exact for one
     * connection with one request in flight. */
    double par = (isnan(r->conns) ? 1 : r->conns) * (isnan(r->pipeline) ? 1 : r->pipeline);
    if (par != 1 || !(r->msgs_per_s > 0) || isnan(r->model_t0_us))
        return NAN;
    double t = 1 / r->msgs_per_s, link = t - r->model_t0_us * 1e-6;
    if (!(link > 0))
        return NAN;
    return 100 * (payload_bytes(r) * 8 / cap) / link;
}

void plot_lat_unit(double max_us, double *scale, const char **name)
{
    if (max_us >= 20000) {
        *scale = 1000;
        *name = "ms";
    } else {
        *scale = 1;
        *name = "us";
    }
}

/* Rows [a, b) of series s share one x value; returns b for a. */
static size_t x_end(const struct plot_rows *rows, const struct plot_series *s, size_t a)
{
    double x = plot_series_x(&rows->r[s->idx[a]], s->axis);
    size_t b = a + 1;
    while (b < s->n && plot_series_x(&rows->r[s->idx[b]], s->axis) == x)
        b++;
    return b;
}

static struct plot_stat stat_of(const struct plot_rows *rows, const struct plot_series *s, size_t a,
                                size_t b, getter get, double *buf)
{
    for (size_t i = a; i < b; i++)
        buf[i - a] = get(&rows->r[s->idx[i]]);
    return plot_stat_of(buf, b - a);
}

/* Writes "x mean lo hi" for one statistic, values divided by scale. */
static void put_stat(FILE *f, struct plot_stat st, double scale)
{
    double h = isnan(st.half) ? 0 : st.half;
    fputc(' ', f);
    plot_put(f, st.mean / scale);
    fputc(' ', f);
    plot_put(f, (st.mean - h) / scale);
    fputc(' ', f);
    plot_put(f, (st.mean + h) / scale);
}

/* Largest (sign 1) or smallest (sign -1) value of get over all rows of
 * the set (NaN ignored). */
static double set_ext(const struct plot_rows *rows, const struct plot_series_set *set, getter get,
                      int sign)
{
    double m = NAN;
    for (size_t k = 0; k < set->n; k++)
        for (size_t i = 0; i < set->s[k].n; i++) {
            double v = get(&rows->r[set->s[k].idx[i]]);
            if (!isnan(v) && (isnan(m) || (sign > 0 ? v > m : v < m)))
                m = v;
        }
    return m;
}

static double set_max(const struct plot_rows *rows, const struct plot_series_set *set, getter get)
{
    return set_ext(rows, set, get, 1);
}

/* The x range and axis label shared by the size figures. */
static void size_axis(FILE *f, const struct plot_rows *rows, const struct plot_series_set *set)
{
    double lo = NAN, hi = NAN;
    int resp = 0, req = 0;
    for (size_t k = 0; k < set->n; k++) {
        const struct plot_series *s = &set->s[k];
        double a = plot_series_x(&rows->r[s->idx[0]], s->axis);
        double b = plot_series_x(&rows->r[s->idx[s->n - 1]], s->axis);
        lo = isnan(lo) || a < lo ? a : lo;
        hi = isnan(hi) || b > hi ? b : hi;
        resp |= s->axis == PLOT_AXIS_RESP;
        req |= s->axis != PLOT_AXIS_RESP;
    }
    char tics[1024];
    plot_byte_tics(lo > 0 ? lo : 1, hi > 0 ? hi : 1, tics, sizeof(tics));
    plot_gp_str(f, "xtics_spec", tics);
    plot_gp_num(f, "xmin", pow(2, floor(log2(lo > 0 ? lo : 1))));
    plot_gp_num(f, "xmax", pow(2, ceil(log2(hi > 0 ? hi : 1))));
    plot_gp_str(f, "xlabel",
                resp && req ? "message size (payload per message; HTTP: body), bytes"
                : resp      ? "response size (body per response), bytes"
                            : "message size (payload per message), bytes");
}

static void series_arrays(FILE *f, const struct plot_series_set *set)
{
    plot_gp_array(f, "titles", set->n);
    plot_gp_array(f, "styles", set->n);
    for (size_t k = 0; k < set->n; k++) {
        plot_gp_elem_str(f, "titles", k, set->s[k].label);
        plot_gp_elem_num(f, "styles", k, set->s[k].style);
    }
}

static size_t longest(const struct plot_series_set *set)
{
    size_t m = 1;
    for (size_t k = 0; k < set->n; k++)
        m = set->s[k].n > m ? set->s[k].n : m;
    return m;
}

/* One table per series: x, goodput mean/lo/hi, model goodput, count and
 * whether the model found a row at that x CPU-bound. */
static int throughput_tables(struct plot_ctx *c, const struct plot_rows *rows,
                             const struct plot_series_set *set, double scale, double *buf,
                             int *has_ci, int *has_cpu, char *err, size_t errlen)
{
    for (size_t k = 0; k < set->n; k++) {
        const struct plot_series *s = &set->s[k];
        char file[64];
        snprintf(file, sizeof(file), "throughput-%zu.dat", k + 1);
        FILE *f = plot_data_open(c, file, err, errlen);
        if (!f)
            return -1;
        fprintf(f, "# %s\n# x_bytes goodput goodput_lo goodput_hi model repeats cpu_bound\n",
                s->label);
        for (size_t a = 0, b; a < s->n; a = b) {
            b = x_end(rows, s, a);
            struct plot_stat g = stat_of(rows, s, a, b, get_goodput, buf);
            struct plot_stat m = stat_of(rows, s, a, b, get_model, buf);
            *has_ci |= g.n >= 2;
            plot_put(f, plot_series_x(&rows->r[s->idx[a]], s->axis));
            put_stat(f, g, scale);
            fputc(' ', f);
            plot_put(f, m.mean / scale);
            int cpu = 0;
            for (size_t i = a; i < b; i++)
                cpu |= strcmp(rows->r[s->idx[i]].model_ok, "cpu") == 0;
            *has_cpu |= cpu;
            fprintf(f, " %zu %d\n", g.n, cpu);
        }
        if (plot_data_close(f, file, err, errlen) != 0)
            return -1;
    }
    return 0;
}

int plot_sweep_throughput(struct plot_ctx *c, const struct plot_rows *rows,
                          const struct plot_series_set *set, char *err, size_t errlen)
{
    if (set->n == 0)
        return 0;
    double top = set_max(rows, set, get_goodput), mtop = set_max(rows, set, get_model);
    top = isnan(mtop) || mtop < top ? top : mtop;
    top = c->link_bps > top ? c->link_bps : top;
    double scale;
    const char *unit;
    plot_rate_unit(top, &scale, &unit);
    double *buf = malloc(longest(set) * sizeof(double));
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int has_ci = 0, has_cpu = 0, rc = -1;
    if (throughput_tables(c, rows, set, scale, buf, &has_ci, &has_cpu, err, errlen) != 0)
        goto out;
    FILE *f = plot_driver_begin(c, "throughput", "throughput.gp", "Throughput vs message size", err,
                                errlen);
    if (!f)
        goto out;
    plot_gp_num(f, "n", (double)set->n);
    series_arrays(f, set);
    size_axis(f, rows, set);
    plot_gp_str(f, "yunit", unit);
    plot_gp_num(f, "link", c->link_bps > 0 ? c->link_bps / scale : NAN);
    plot_gp_num(f, "has_ci", has_ci);
    plot_gp_num(f, "has_model", !isnan(mtop));
    plot_gp_num(f, "has_cpu", has_cpu);
    /* Goodputs three decades apart (rr of 64 B beside a loopback stream)
     * crowd the slow series onto the x axis of a linear scale. */
    double low = set_ext(rows, set, get_goodput, -1);
    plot_gp_num(f, "ylog", low > 0 && top / low > 30);
    plot_gp_num(f, "ydec", low > 0 && top > low ? log10(top / low) : 0);
    rc = plot_driver_end(c, f, err, errlen);
out:
    free(buf);
    return rc;
}

/* The efficiency axis spans the values drawn, not 0-100 %: through a
 * link the protocols differ by tenths of a percent near 95 %. Also says
 * which series have measured points (the others' key names the line). */
static void overhead_range(FILE *f, const struct plot_rows *rows, const struct plot_series_set *set)
{
    double lo = fmin(set_ext(rows, set, plot_eff_pred, -1), set_ext(rows, set, plot_eff_meas, -1));
    double hi = fmax(set_max(rows, set, plot_eff_pred), set_max(rows, set, plot_eff_meas));
    double pad = fmax((hi - lo) * 0.08, 0.05);
    plot_gp_num(f, "ymin", fmax(lo - pad, 0));
    plot_gp_num(f, "ymax", hi + pad);
    plot_gp_array(f, "hasmeas", set->n);
    for (size_t k = 0; k < set->n; k++)
        plot_gp_elem_num(
            f, "hasmeas", k,
            !isnan(set_max(rows, &(struct plot_series_set){&set->s[k], 1}, plot_eff_meas)));
}

int plot_sweep_overhead(struct plot_ctx *c, const struct plot_rows *rows,
                        const struct plot_series_set *set, char *err, size_t errlen)
{
    struct plot_series_set sub = {malloc((set->n + 1) * sizeof(struct plot_series)), 0};
    double *buf = malloc(longest(set) * sizeof(double));
    int rc = -1;
    if (!sub.s || !buf) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t k = 0; k < set->n; k++)
        if (!isnan(set_max(rows, &(struct plot_series_set){&set->s[k], 1}, plot_eff_pred)))
            sub.s[sub.n++] = set->s[k];
    rc = 0;
    if (sub.n == 0)
        goto out;
    rc = -1;
    for (size_t k = 0; k < sub.n; k++) {
        const struct plot_series *s = &sub.s[k];
        char file[64];
        snprintf(file, sizeof(file), "overhead-%zu.dat", k + 1);
        FILE *f = plot_data_open(c, file, err, errlen);
        if (!f)
            goto out;
        fprintf(f, "# %s\n# x_bytes measured_pct lo hi predicted_pct\n", s->label);
        for (size_t a = 0, b; a < s->n; a = b) {
            b = x_end(rows, s, a);
            plot_put(f, plot_series_x(&rows->r[s->idx[a]], s->axis));
            put_stat(f, stat_of(rows, s, a, b, plot_eff_meas, buf), 1);
            fputc(' ', f);
            plot_put(f, stat_of(rows, s, a, b, plot_eff_pred, buf).mean);
            fputc('\n', f);
        }
        if (plot_data_close(f, file, err, errlen) != 0)
            goto out;
    }
    FILE *f = plot_driver_begin(c, "overhead", "overhead.gp",
                                "Protocol overhead: efficiency B/(B+O)", err, errlen);
    if (!f)
        goto out;
    plot_gp_num(f, "n", (double)sub.n);
    series_arrays(f, &sub);
    size_axis(f, rows, &sub);
    overhead_range(f, rows, &sub);
    rc = plot_driver_end(c, f, err, errlen);
out:
    free(sub.s);
    free(buf);
    return rc;
}

/* One table: target, p50, p99, p99.9 (latency unit), achieved mean/lo/hi. */
static int load_table(struct plot_ctx *c, const struct plot_rows *rows, const struct plot_series *s,
                      const char *file, double xscale, double lscale, double *buf, char *err,
                      size_t errlen)
{
    FILE *f = plot_data_open(c, file, err, errlen);
    if (!f)
        return -1;
    fprintf(f, "# %s\n# target p50 p99 p999 achieved achieved_lo achieved_hi\n", s->label);
    for (size_t a = 0, b; a < s->n; a = b) {
        b = x_end(rows, s, a);
        plot_put(f, plot_series_x(&rows->r[s->idx[a]], s->axis) / xscale);
        getter lat[] = {get_p50, get_p99, get_p999};
        for (size_t i = 0; i < 3; i++) {
            fputc(' ', f);
            plot_put(f, stat_of(rows, s, a, b, lat[i], buf).mean / lscale);
        }
        put_stat(f, stat_of(rows, s, a, b, get_achieved, buf), xscale);
        fputc('\n', f);
    }
    return plot_data_close(f, file, err, errlen);
}

static int load_one(struct plot_ctx *c, const struct plot_rows *rows, const struct plot_series *s,
                    size_t k, double *buf, char *err, size_t errlen)
{
    int txn = strcmp(rows->r[s->idx[0]].mode, "rate") == 0;
    struct plot_series_set one = {(struct plot_series *)s, 1};
    double xscale = 1, lscale;
    const char *xunit = "transactions/s", *lunit;
    if (!txn)
        plot_rate_unit(set_max(rows, &one, get_achieved), &xscale, &xunit);
    plot_lat_unit(set_max(rows, &one, get_p999), &lscale, &lunit);
    char name[96], file[112], title[160];
    snprintf(name, sizeof(name), "load-%s", s->slug);
    for (size_t i = 0; i < c->nfigs; i++)
        if (strcmp(c->figs[i].name, name) == 0)
            snprintf(name, sizeof(name), "load-%s-%zu", s->slug, k + 1);
    snprintf(file, sizeof(file), "%s.dat", name);
    snprintf(title, sizeof(title), "Latency vs offered load: %s", s->label);
    if (load_table(c, rows, s, file, xscale, lscale, buf, err, errlen) != 0)
        return -1;
    FILE *f = plot_driver_begin(c, name, "load.gp", title, err, errlen);
    if (!f)
        return -1;
    plot_gp_str(f, "file", file);
    plot_gp_str(f, "xunit", xunit);
    plot_gp_str(f, "lunit", lunit);
    plot_gp_num(f, "style", s->style);
    double lo = set_ext(rows, &one, get_p50, -1), hi = set_max(rows, &one, get_p999);
    plot_gp_num(f, "ydec", lo > 0 && hi > lo ? log10(hi / lo) : 0);
    plot_gp_num(f, "has_lat", hi > 0 || set_max(rows, &one, get_p99) > 0 || lo > 0);
    /* Request rates are swept in steps that multiply (1000, 3000, 10000/s):
     * a log axis spaces them evenly. */
    double xlo = set_ext(rows, &one, get_target, -1), xhi = set_max(rows, &one, get_target);
    plot_gp_num(f, "xlog", xlo > 0 && xhi / xlo >= 10);
    return plot_driver_end(c, f, err, errlen);
}

int plot_sweep_load(struct plot_ctx *c, const struct plot_rows *rows,
                    const struct plot_series_set *set, char *err, size_t errlen)
{
    double *buf = malloc(longest(set) * sizeof(double));
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t k = 0; k < set->n && rc == 0; k++)
        rc = load_one(c, rows, &set->s[k], k, buf, err, errlen);
    free(buf);
    return rc;
}
