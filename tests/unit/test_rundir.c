#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fileio.h"
#include "hlog.h"
#include "progress.h"
#include "rundir.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/netrig-results-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *slurp(const char *name)
{
    char p[256], err[256], *text = NULL;
    size_t len;
    snprintf(p, sizeof(p), "%s/out/%s", dir, name);
    if (fileio_read_all(p, 1 << 24, &text, &len, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    return text;
}

/* What a driver hands back: two intervals of known latencies. */
static void fake_output(struct client_output *o, double start, int64_t base_ns)
{
    memset(o, 0, sizeof(*o));
    result_init(&o->result);
    o->result.goodput_bps = 8e6;
    o->result.msgs_per_s = 1000;
    o->result.duration_s = 2;
    o->start_wall_s = start;
    assert_int_equal(hist_init_default(&o->lat), 0);
    o->nintervals = 2;
    o->intervals = calloc(2, sizeof(*o->intervals));
    for (int k = 0; k < 2; k++) {
        struct client_interval *iv = &o->intervals[k];
        iv->t_start_s = k;
        iv->t_end_s = k + 1;
        iv->goodput_bps = 8e6;
        iv->msgs_per_s = 1000;
        /* a probe's figures in the first interval, none in the second */
        iv->probe_p50_us = k ? NAN : 120;
        iv->probe_p99_us = k ? NAN : 300.5;
        assert_int_equal(hist_init_default(&iv->lat), 0);
        for (int64_t v = 1; v <= 100; v++) {
            hist_record(&iv->lat, base_ns * v);
            hist_record(&o->lat, base_ns * v);
        }
    }
}

static void close_output(struct client_output *o)
{
    for (size_t k = 0; k < o->nintervals; k++)
        hist_close(&o->intervals[k].lat);
    free(o->intervals);
    hist_close(&o->lat);
}

static void test_folder(void **state)
{
    (void)state;
    struct scenario sc;
    char err[512], out[256];
    assert_int_equal(
        scenario_parse(&sc, "x/demo.ini", "[a]\nsize=1k,2k\nrepeat=2\n", err, sizeof(err)), 0);
    snprintf(out, sizeof(out), "%s/out", dir);
    struct results r;
    assert_int_equal(rundir_open(&r, &sc, out, err, sizeof(err)), 0);
    r.run_start_s = 1700000000;
    assert_int_equal(rundir_step_begin(&r, 0), 0);
    for (uint32_t rep = 1; rep <= 2; rep++) {
        struct client_output o;
        fake_output(&o, 1700000000.5 + rep * 3, 1000);
        assert_int_equal(rundir_add(&r, rep, &o, err, sizeof(err)), 0);
        close_output(&o);
    }
    rundir_step_end(&r);
    assert_int_equal(rundir_write_summaries(&r, "interrupted", "stopped"), 0);
    rundir_close(&r);

    char *csv = slurp("summary.csv");
    assert_non_null(strstr(csv, "\r\n1,demo,a size=1k,1,tcp,stream,1024,,1,1,1,"));
    assert_non_null(strstr(csv, "\r\n1,demo,a size=1k,2,tcp,stream,1024,,1,1,1,"));
    assert_null(strstr(csv, "size=2k"));
    free(csv);
    char *iv = slurp("intervals.csv");
    const char *want[] = {
        "a size=1k,1,3.500,4.500,8000000,1000,", "a size=1k,1,4.500,5.500,8000000,1000,",
        "a size=1k,2,6.500,7.500,8000000,1000,", "a size=1k,2,7.500,8.500,8000000,1000,"};
    const char *hdr = "step,repeat,t_start_s,t_s,goodput_bps,msgs_per_s,p50_us,p99_us,"
                      "probe_p50_us,probe_p99_us,messages\r\n";
    assert_memory_equal(iv, hdr, strlen(hdr));
    const char *line = iv + strlen(hdr);
    for (int k = 0; k < 4; k++) {
        assert_memory_equal(line, want[k], strlen(want[k]));
        double p50, p99;
        int used = 0;
        assert_int_equal(sscanf(line + strlen(want[k]), "%lf,%lf%n", &p50, &p99, &used), 2);
        /* 50 and 99 us recorded in ns, three significant digits kept. */
        assert_true(fabs(p50 - 50) < 0.05 && fabs(p99 - 99) < 0.1);
        const char *probe = k % 2 ? ",,," : ",120,300.5,"; /* then the messages */
        assert_memory_equal(line + strlen(want[k]) + used, probe, strlen(probe));
        line = strstr(line, "\r\n") + 2;
    }
    assert_string_equal(line, "");
    free(iv);
    /* The .hlog reads back: four intervals, 200 values each. */
    char p[512];
    snprintf(p, sizeof(p), "%s/out/a_size_1k.hlog", dir);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    struct hlog_reader rd;
    hlog_reader_init(&rd, f);
    struct hist h;
    int n = 0;
    while (hlog_read_interval(&rd, &h, err, sizeof(err)) == 1) {
        assert_int_equal(h.total_count, 100);
        assert_string_equal(h.tag, "");
        hist_close(&h);
        n++;
    }
    hlog_reader_close(&rd);
    fclose(f);
    assert_int_equal(n, 4);
    assert_true(fabs(rd.start_time_s - 1700000003.5) < 1e-6);
    /* The .hgrm merges both repetitions, in microseconds. */
    char *hgrm = slurp("a_size_1k.hgrm");
    assert_non_null(strstr(hgrm, "Total count    =          400]"));
    const char *mx = strstr(hgrm, "#[Max     =");
    assert_non_null(mx);
    assert_true(fabs(strtod(mx + 11, NULL) - 100) < 0.1);
    free(hgrm);
    char *js = slurp("summary.json");
    assert_non_null(strstr(js, "\"status\":\"interrupted\",\"message\":\"stopped\""));
    assert_non_null(strstr(js, "\"name\":\"a size=2k\",\"file\":\"a_size_2k\",\"params\":"
                               "\"size=2k\",\"planned\":2,\"done\":0"));
    free(js);
    char *ci = slurp("summary_ci.csv");
    /* Two repeats give no 95 % interval: the means, empty bounds, and why. */
    assert_non_null(strstr(ci, "\r\ndemo,a size=1k,tcp,stream,1024,,1,1,1,,2,8000000,,,1000,,,"));
    assert_non_null(
        strstr(ci, ",too few repeats for a 95 % interval (n = 2; 3 or more give one)\r\n"));
    free(ci);
    /* A folder with results is never reused. */
    assert_int_equal(rundir_open(&r, &sc, out, err, sizeof(err)), -2);
    snprintf(p, sizeof(p), "%s already holds results (summary.csv): choose another --out", out);
    assert_string_equal(err, p);
    rundir_close(&r);
    scenario_close(&sc);
}

static void test_default_dir(void **state)
{
    (void)state;
    char cwd[512], d[256];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(dir), 0);
    setenv("TZ", "UTC", 1);
    rundir_default_dir("quick", 1700000000, d, sizeof(d));
    assert_string_equal(d, "results/quick-20231114-221320");
    assert_int_equal(fileio_mkdirs(d), 0);
    rundir_default_dir("quick", 1700000000, d, sizeof(d));
    assert_string_equal(d, "results/quick-20231114-221320-2");
    assert_int_equal(chdir(cwd), 0);
}

static void test_console(void **state)
{
    (void)state;
    char t[16];
    progress_fmt_time(0, t, sizeof(t));
    assert_string_equal(t, "0:00");
    progress_fmt_time(59.6, t, sizeof(t));
    assert_string_equal(t, "1:00");
    progress_fmt_time(3725, t, sizeof(t));
    assert_string_equal(t, "1:02:05");
    progress_fmt_time(-5, t, sizeof(t));
    assert_string_equal(t, "0:00");

    char *buf = NULL, log[128];
    size_t len = 0;
    FILE *con = open_memstream(&buf, &len);
    struct progress p;
    assert_int_equal(progress_init(&p, con, false), 0);
    snprintf(log, sizeof(log), "%s/run.log", dir);
    assert_int_equal(progress_open_log(&p, log), 0);
    progress_line(&p, "hello %d", 42);
    progress_begin(&p, "[1/2] a", 1, 2);
    progress_end(&p, 1);
    progress_log(&p, "log only");
    progress_close(&p);
    fclose(con);
    assert_string_equal(buf, "hello 42\n[1/2] a  (elapsed 0:00, left ~0:02)\n");
    free(buf);
    char *text, err[256];
    assert_int_equal(fileio_read_all(log, 4096, &text, &len, err, sizeof(err)), 0);
    assert_string_equal(text, "hello 42\n[1/2] a  (elapsed 0:00, left ~0:02)\nlog only\n");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_console, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
