/* Data preparation for the figures: statistics, series grouping, step
 * matching, .hgrm and intervals parsing, and plot_run's tables on the fixed
 * results folder (without gnuplot, so no image is needed). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "plot.h"
#include "plot_driver.h"
#include "plot_hgrm.h"
#include "plot_rows.h"
#include "plot_series.h"
#include "plot_sweep.h"
#include "plot_ts.h"

#define FIXTURE NETRIG_TEST_DATA "/run-fixture"

/* cmocka 1.1 has no assert_double_equal: compare within eps and print
 * both numbers when they differ. */
static void near(double got, double want, double eps, const char *what, int line)
{
    if (!(fabs(got - want) <= eps)) {
        print_error("line %d: %s = %.12g, expected %.12g (+- %g)\n", line, what, got, want, eps);
        fail();
    }
}
#define assert_double_equal(a, b, eps) near((a), (b), (eps), #a, __LINE__)

static void test_stat_mean_ci(void **state)
{
    (void)state;
    double v[] = {10, 12, NAN, 14};
    struct plot_stat s = plot_stat_of(v, 4);
    assert_int_equal(s.n, 3);
    assert_double_equal(s.mean, 12, 1e-12);
    /* sd 2, t(0.975, 2) = 4.303 */
    assert_double_equal(s.half, 4.303 * 2 / sqrt(3), 1e-9);
    double one[] = {5};
    s = plot_stat_of(one, 1);
    assert_int_equal(s.n, 1);
    assert_true(isnan(s.half));
    double none[] = {NAN};
    s = plot_stat_of(none, 1);
    assert_int_equal(s.n, 0);
    assert_true(isnan(s.mean));
    assert_double_equal(plot_t95(1), 12.706, 1e-9);
    assert_double_equal(plot_t95(30), 2.042, 1e-9);
    assert_double_equal(plot_t95(1000), 1.96, 1e-9);
    assert_true(plot_t95(10) > plot_t95(11));
}

static struct test_result row(const char *proto, const char *mode, double size, double resp,
                              double conns, double rate, double goodput)
{
    struct test_result r;
    result_init(&r);
    snprintf(r.proto, sizeof(r.proto), "%s", proto);
    snprintf(r.mode, sizeof(r.mode), "%s", mode);
    snprintf(r.step, sizeof(r.step), "%s-%s-%g-%g-%g", proto, mode, size, resp, rate);
    r.size_bytes = size;
    r.resp_bytes = resp;
    r.conns = conns;
    r.rate_target = rate;
    r.goodput_bps = goodput;
    return r;
}

static void test_series_grouping(void **state)
{
    (void)state;
    struct test_result r[] = {
        row("tcp", "stream", 4096, NAN, 1, NAN, 3e6), row("tcp", "stream", 1024, NAN, 1, NAN, 1e6),
        row("tcp", "stream", 1024, NAN, 1, NAN, 2e6), row("tcp", "stream", 1024, NAN, 4, NAN, 5e6),
        row("tcp", "stream", 8192, NAN, 4, NAN, 6e6), row("http", "rr", 0, 1024, 1, NAN, 1e6),
        row("http", "rr", 0, 65536, 1, NAN, 9e6),     row("udp", "stream", 64, NAN, 1, NAN, 1e6),
        row("http", "rate", 0, 1024, 4, 1000, 8e6),   row("http", "rate", 0, 1024, 4, 3000, 2e7),
        row("http", "rate", 0, 1024, 4, 2000, 1.6e7),
    };
    struct plot_rows rows = {r, sizeof(r) / sizeof(r[0])};
    struct plot_series_set set;
    assert_int_equal(plot_series_build(&rows, 0, &set), 0);
    /* tcp conns=1, tcp conns=4, http bodies; udp (one size) and the rate
     * steps (one size each) are no sweep */
    assert_int_equal(set.n, 3);
    const struct plot_series *t1 = NULL, *t4 = NULL, *h = NULL;
    for (size_t k = 0; k < set.n; k++) {
        const struct test_result *a = &r[set.s[k].idx[0]];
        if (strcmp(a->proto, "http") == 0)
            h = &set.s[k];
        else if (a->conns == 1)
            t1 = &set.s[k];
        else
            t4 = &set.s[k];
    }
    assert_non_null(t1);
    assert_non_null(t4);
    assert_non_null(h);
    assert_int_equal(t1->n, 3);
    assert_int_equal(t1->nx, 2);
    assert_int_equal(t1->axis, PLOT_AXIS_SIZE);
    assert_true(r[t1->idx[0]].size_bytes <= r[t1->idx[1]].size_bytes);
    assert_true(r[t1->idx[1]].size_bytes <= r[t1->idx[2]].size_bytes);
    assert_string_equal(t1->label, "tcp stream conns=1");
    assert_string_equal(t4->label, "tcp stream conns=4");
    assert_string_equal(t1->slug, "tcp-stream-conns=1");
    assert_int_equal(h->axis, PLOT_AXIS_RESP);
    assert_string_equal(h->label, "http rr");
    /* one colour per protocol; the second tcp series gets another */
    assert_int_equal(h->style, plot_proto_style("http"));
    assert_true(t1->style != t4->style);
    plot_series_free(&set);

    assert_int_equal(plot_series_build(&rows, 1, &set), 0);
    assert_int_equal(set.n, 1);
    assert_int_equal(set.s[0].axis, PLOT_AXIS_RATE);
    assert_int_equal(set.s[0].nx, 3);
    assert_double_equal(r[set.s[0].idx[2]].rate_target, 3000, 0);
    plot_series_free(&set);

    /* rr and HTTPS sweeps whose response follows the request size are
     * size sweeps; a cross product of the two stays one series per
     * response size. */
    struct test_result q[] = {
        row("tcp", "rr", 64, 64, 1, NAN, 1e6),         row("tcp", "rr", 8192, 8192, 1, NAN, 3e8),
        row("tcp", "rr", 1024, 1024, 1, NAN, 2e7),     row("https", "rr", 1024, 1024, 4, NAN, 3e8),
        row("https", "rr", 65536, 65536, 4, NAN, 4e9), row("udp", "rr", 64, 64, 1, NAN, 1e6),
        row("udp", "rr", 64, 1024, 1, NAN, 2e6),       row("udp", "rr", 1024, 64, 1, NAN, 2e6),
        row("udp", "rr", 1024, 1024, 1, NAN, 3e6),
    };
    struct plot_rows qrows = {q, sizeof(q) / sizeof(q[0])};
    assert_int_equal(plot_series_build(&qrows, 0, &set), 0);
    assert_int_equal(set.n, 4);
    for (size_t k = 0; k < set.n; k++) {
        const struct test_result *a = &q[set.s[k].idx[0]];
        assert_int_equal(set.s[k].axis, PLOT_AXIS_SIZE);
        if (strcmp(a->proto, "tcp") == 0) {
            assert_int_equal(set.s[k].nx, 3);
            assert_string_equal(set.s[k].label, "tcp rr");
        } else if (strcmp(a->proto, "https") == 0) {
            assert_int_equal(set.s[k].nx, 2);
        } else {
            assert_int_equal(set.s[k].nx, 2);
            assert_non_null(strstr(set.s[k].label, "resp="));
        }
    }
    plot_series_free(&set);
}

static void test_formatting(void **state)
{
    (void)state;
    char b[64];
    plot_fmt_bytes(64, b, sizeof(b));
    assert_string_equal(b, "64 B");
    plot_fmt_bytes(16384, b, sizeof(b));
    assert_string_equal(b, "16 KiB");
    plot_fmt_bytes(1536, b, sizeof(b));
    assert_string_equal(b, "1.5 KiB");
    plot_fmt_bytes(1048576, b, sizeof(b));
    assert_string_equal(b, "1 MiB");
    plot_fmt_bytes(1000, b, sizeof(b));
    assert_string_equal(b, "1000 B");
    char tics[256];
    plot_byte_tics(64, 1024, tics, sizeof(tics));
    assert_string_equal(tics, "\"64 B\" 64, \"128 B\" 128, \"256 B\" 256, \"512 B\" 512, "
                              "\"1 KiB\" 1024");
    plot_byte_tics(1, 1 << 20, tics, sizeof(tics));
    assert_non_null(strstr(tics, "\"4 B\" 4, \"16 B\" 16"));
    plot_slug("HTTP rate / resp=1 KiB", b, sizeof(b));
    assert_string_equal(b, "http-rate-resp=1-kib");
    const char *names[] = {"tcp-stream-size=1024", "tcp-stream-size=4096"};
    assert_int_equal(plot_common_prefix(names, 2), strlen("tcp-stream-"));
    assert_int_equal(plot_common_prefix(names, 1), 0);
    double scale;
    const char *unit;
    plot_rate_unit(95e6, &scale, &unit);
    assert_string_equal(unit, "Mbit/s");
    assert_double_equal(scale, 1e6, 0);
    plot_lat_unit(25000, &scale, &unit);
    assert_string_equal(unit, "ms");
}

static void test_step_match(void **state)
{
    (void)state;
    struct test_result r[2];
    result_init(&r[0]);
    result_init(&r[1]);
    snprintf(r[0].step, sizeof(r[0].step), "tcp stream/size=1k");
    snprintf(r[1].step, sizeof(r[1].step), "tcp stream/size=1k0");
    struct plot_rows rows = {r, 2};
    assert_ptr_equal(plot_rows_step(&rows, "tcp_stream_size=1k"), &r[0]);
    assert_ptr_equal(plot_rows_step(&rows, "tcp-stream-size=1k-r2"), &r[0]);
    assert_ptr_equal(plot_rows_step(&rows, "tcp stream/size=1k0"), &r[1]);
    assert_null(plot_rows_step(&rows, "tcp_stream_size=2k"));
    assert_null(plot_rows_step(&rows, "udp_stream_size=1k"));
}

static void test_efficiency(void **state)
{
    (void)state;
    struct test_result r = row("udp", "stream", 1472, NAN, 1, NAN, 97.0e6);
    r.msgs_per_s = 97.0e6 / (8 * 1472);
    r.overhead_bytes = 42;
    r.model_c_bps = 100e6;
    assert_double_equal(plot_eff_pred(&r), 100.0 * 1472 / 1514, 1e-9);
    assert_double_equal(plot_eff_meas(&r), 97.0, 1e-9);
    /* serial: T = t0 + (B+O)/C with B = 1000 bytes, O = 250, C = 10 Mbit/s */
    struct test_result s = row("http", "rr", 0, 1000, 1, NAN, NAN);
    double t0 = 200e-6, t = t0 + 1250 * 8 / 10e6;
    s.msgs_per_s = 1 / t;
    s.goodput_bps = 1000 * 8 / t;
    s.overhead_bytes = 250;
    s.model_c_bps = 10e6;
    s.model_t0_us = t0 * 1e6;
    assert_double_equal(plot_eff_meas(&s), 80.0, 1e-9);
    assert_double_equal(plot_eff_pred(&s), 80.0, 1e-9);
    s.conns = 4; /* not serial any more: no measured efficiency */
    assert_true(isnan(plot_eff_meas(&s)));
    s.overhead_bytes = NAN;
    assert_true(isnan(plot_eff_pred(&s)));
}

static void test_hgrm_read(void **state)
{
    (void)state;
    struct plot_hgrm h;
    char err[256];
    assert_int_equal(plot_hgrm_read(FIXTURE "/tcp-stream-size=1024.hgrm", &h, err, sizeof(err)), 0);
    assert_true(h.n > 50);
    assert_double_equal(h.pct[0], 0, 0);
    assert_double_equal(h.pct[h.n - 1], 1, 0);
    for (size_t i = 1; i < h.n; i++) {
        assert_true(h.pct[i] >= h.pct[i - 1]);
        assert_true(h.value[i] >= h.value[i - 1]);
    }
    plot_hgrm_free(&h);
    char path[] = "/tmp/netrig-test-hgrm-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char bad[] = "       Value     Percentile TotalCount 1/(1-Percentile)\n\n"
                       "      10.000 0.000000000000          1           1.00\n"
                       "      12.000 1.500000000000          2\n";
    assert_int_equal(write(fd, bad, sizeof(bad) - 1), (ssize_t)(sizeof(bad) - 1));
    close(fd);
    assert_int_equal(plot_hgrm_read(path, &h, err, sizeof(err)), -1);
    assert_non_null(strstr(err, ":4:"));
    unlink(path);
}

static void test_csv_split(void **state)
{
    (void)state;
    char line[] = "a,\"b,c\",\"say \"\"hi\"\"\",,last\r\n";
    char *f[8];
    assert_int_equal(plot_csv_split(line, f, 8), 5);
    assert_string_equal(f[0], "a");
    assert_string_equal(f[1], "b,c");
    assert_string_equal(f[2], "say \"hi\"");
    assert_string_equal(f[3], "");
    assert_string_equal(f[4], "last");
    char open[] = "x,\"unterminated";
    assert_int_equal(plot_csv_split(open, f, 8), -1);
}

static char *copy_fixture(char *tmpl)
{
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "cp -r '%s/.' '%s/'", FIXTURE, dir);
    assert_int_equal(system(cmd), 0);
    return dir;
}

static void remove_tree(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static int has_fig(const struct plot_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->nfigs; i++)
        if (strcmp(c->figs[i].name, name) == 0)
            return 1;
    return 0;
}

/* The first data line of a table whose first column is x. */
/* The value a figure driver gives variable var ("var = 1.5"), NaN if none. */
static double driver_var(const char *path, const char *var)
{
    FILE *f = fopen(path, "r");
    double v = NAN;
    char line[512];
    size_t n = strlen(var);
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, var, n) == 0 && strncmp(line + n, " = ", 3) == 0)
            v = strtod(line + n + 3, NULL);
    if (f)
        fclose(f);
    return v;
}

static int table_row(const char *path, double x, double *cols, int ncols)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    int found = -1;
    while (found < 0 && fgets(line, sizeof(line), f)) {
        char *p = line, *end;
        if (line[0] == '#' || strtod(p, &end) != x)
            continue;
        for (int i = 0; i < ncols; i++) {
            cols[i] = strtod(p, &end);
            p = end;
        }
        found = 0;
    }
    fclose(f);
    return found;
}

static void test_run_without_gnuplot(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/netrig-test-plot-XXXXXX";
    char *dir = copy_fixture(tmpl);
    const char *old = getenv("PATH");
    char *saved = old ? strdup(old) : NULL;
    setenv("PATH", "/nonexistent", 1);
    struct plot_opts o;
    plot_opts_init(&o);
    static struct plot_ctx c;
    char err[1024];
    int rc = plot_run(dir, &o, &c, err, sizeof(err));
    if (saved) {
        setenv("PATH", saved, 1);
        free(saved);
    }
    assert_int_equal(rc, PLOT_NO_GNUPLOT);
    assert_non_null(strstr(err, "apt-get install gnuplot-nox"));
    assert_int_equal(c.drawn, 0);
    assert_int_equal(c.nfigs, 13);
    assert_true(has_fig(&c, "throughput"));
    assert_true(has_fig(&c, "overhead"));
    assert_true(has_fig(&c, "load-http-rate"));
    assert_true(has_fig(&c, "spectrum-udp-stream"));
    assert_true(has_fig(&c, "timeseries-http-rr"));
    assert_double_equal(c.link_bps, 100e6, 0); /* from meta.json */

    /* the tcp 1 KiB point: mean and CI of its three repetitions */
    struct plot_rows rows;
    assert_int_equal(plot_rows_load(FIXTURE "/summary.csv", &rows, err, sizeof(err)), 0);
    double sum = 0, sq = 0, g[8];
    int n = 0;
    for (size_t i = 0; i < rows.n; i++)
        if (strcmp(rows.r[i].proto, "tcp") == 0 && rows.r[i].size_bytes == 1024)
            g[n++] = rows.r[i].goodput_bps;
    assert_int_equal(n, 3);
    for (int i = 0; i < n; i++)
        sum += g[i];
    for (int i = 0; i < n; i++)
        sq += (g[i] - sum / n) * (g[i] - sum / n);
    double half = 4.303 * sqrt(sq / (n - 1)) / sqrt(n);
    char path[512];
    double cols[7];
    snprintf(path, sizeof(path), "%s/plots/data/throughput-1.dat", dir);
    assert_int_equal(table_row(path, 1024, cols, 7), 0);
    assert_double_equal(cols[1], sum / n / 1e6, 1e-6);
    assert_double_equal(cols[3] - cols[1], half / 1e6, 1e-6);
    assert_double_equal(cols[5], 3, 0);

    /* the saturated rate step: achieved rate and p99 in ms */
    const struct test_result *sat = plot_rows_step(&rows, "http-rate-rate=20000");
    assert_non_null(sat);
    snprintf(path, sizeof(path), "%s/plots/data/load-http-rate.dat", dir);
    assert_int_equal(table_row(path, 20000, cols, 5), 0);
    assert_double_equal(cols[2], sat->lat_p99_us / 1000, 1e-6);
    assert_double_equal(cols[4], sat->msgs_per_s, 1e-3);
    plot_rows_free(&rows);

    /* The overhead axis zooms to the efficiencies drawn (a 100 Mbit/s
     * link: 37 % measured for UDP 64 B up to 98 %), the load figure's rates of
     * 1000 to 20000/s take a log axis, and 0.6 to 95 Mbit/s a linear one. */
    snprintf(path, sizeof(path), "%s/plots/data/overhead.gp", dir);
    assert_true(driver_var(path, "ymin") > 30);
    assert_true(driver_var(path, "ymax") < 103);
    snprintf(path, sizeof(path), "%s/plots/data/load-http-rate.gp", dir);
    assert_double_equal(driver_var(path, "xlog"), 1, 0);
    snprintf(path, sizeof(path), "%s/plots/data/throughput.gp", dir);
    assert_double_equal(driver_var(path, "ylog"), 0, 0);

    snprintf(path, sizeof(path), "%s/index.html", dir);
    assert_int_equal(access(path, R_OK), 0);
    snprintf(path, sizeof(path), "%s/plots/throughput.png", dir);
    assert_int_equal(access(path, F_OK), -1);
    remove_tree(dir);
}

static void test_run_input_errors(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/netrig-test-plot-XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    struct plot_opts o;
    plot_opts_init(&o);
    char err[512];
    assert_int_equal(plot_run(dir, &o, NULL, err, sizeof(err)), PLOT_ERR_INPUT);
    assert_non_null(strstr(err, "summary.csv"));
    char path[512];
    snprintf(path, sizeof(path), "%s/summary.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("schema,step,proto,mode,size_bytes,goodput_bps\r\n1,a,tcp,stream,64,1e6\r\n"
          "1,b,tcp,stream,12q,1e6\r\n",
          f);
    fclose(f);
    assert_int_equal(plot_run(dir, &o, NULL, err, sizeof(err)), PLOT_ERR_INPUT);
    assert_non_null(strstr(err, "summary.csv:3:"));
    assert_non_null(strstr(err, "size_bytes"));
    o.scripts_dir = "/nonexistent";
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("schema,step,proto,mode,size_bytes,goodput_bps\r\n1,a,tcp,stream,64,1e6\r\n", f);
    fclose(f);
    assert_int_equal(plot_run(dir, &o, NULL, err, sizeof(err)), PLOT_ERR);
    assert_non_null(strstr(err, "style.gp"));
    remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stat_mean_ci),     cmocka_unit_test(test_series_grouping),
        cmocka_unit_test(test_formatting),       cmocka_unit_test(test_step_match),
        cmocka_unit_test(test_efficiency),       cmocka_unit_test(test_hgrm_read),
        cmocka_unit_test(test_csv_split),        cmocka_unit_test(test_run_without_gnuplot),
        cmocka_unit_test(test_run_input_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
