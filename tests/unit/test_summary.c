#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "meta.h"
#include "summary.h"

static void row(struct test_result *r, const char *step, uint32_t rep, double gp, double p99)
{
    result_init(r);
    snprintf(r->scenario, sizeof(r->scenario), "sc");
    snprintf(r->step, sizeof(r->step), "%s", step);
    r->repeat = rep;
    snprintf(r->proto, sizeof(r->proto), "tcp");
    snprintf(r->mode, sizeof(r->mode), "rr");
    r->size_bytes = 64;
    r->conns = 1;
    r->goodput_bps = gp;
    r->lat_p99_us = p99;
}

static void test_group_and_ci_csv(void **state)
{
    (void)state;
    struct test_result r[4];
    row(&r[0], "a", 1, 100, 10);
    row(&r[1], "b, odd", 1, 5, NAN);
    row(&r[2], "a", 2, 110, 12);
    row(&r[3], "a", 3, 120, 14);
    struct summary_step *s;
    size_t n;
    assert_int_equal(summary_group(r, 4, &s, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(s[0].first.step, "a");
    assert_int_equal(s[0].nrows, 3);
    assert_int_equal(s[1].nrows, 1);
    assert_true(s[0].ci[SUMMARY_GOODPUT].mean == 110);
    assert_true(fabs(s[0].ci[SUMMARY_GOODPUT].half - 4.3027 * 10 / sqrt(3)) < 1e-9);
    assert_true(s[0].ci[SUMMARY_P99].mean == 12);
    assert_true(isnan(s[1].ci[SUMMARY_P99].mean));
    char *csv = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    summary_ci_csv(f, s, n);
    fclose(f);
    const char *header =
        "scenario,step,proto,mode,size_bytes,resp_bytes,conns,threads,pipeline,rate_target,n,"
        "goodput_bps_mean,goodput_bps_lo,goodput_bps_hi,msgs_per_s_mean,msgs_per_s_lo,"
        "msgs_per_s_hi,lat_mean_us_mean,lat_mean_us_lo,lat_mean_us_hi,lat_p50_us_mean,"
        "lat_p50_us_lo,lat_p50_us_hi,lat_p90_us_mean,lat_p90_us_lo,lat_p90_us_hi,"
        "lat_p99_us_mean,lat_p99_us_lo,lat_p99_us_hi,lat_p999_us_mean,lat_p999_us_lo,"
        "lat_p999_us_hi,lat_p9999_us_mean,lat_p9999_us_lo,lat_p9999_us_hi,ci_note\r\n";
    assert_memory_equal(csv, header, strlen(header));
    const char *r1 = csv + strlen(header);
    assert_memory_equal(r1, "sc,a,tcp,rr,64,,1,,,,3,110,85.15", 32);
    const char *r2 = strstr(r1, "\r\n") + 2;
    /* One run: no interval, and the row says why. */
    assert_string_equal(r2, "sc,\"b, odd\",tcp,rr,64,,1,,,,1,5,,,,,,,,,,,,,,,,,,,,,,,,too few "
                            "repeats for a 95 % interval (n = 1; 3 or more give one)\r\n");
    assert_non_null(strstr(r1, ",\r\n")); /* three runs: an interval and no note */
    free(csv);
    free(s);
    /* Two repeats far apart: t(1) = 12.7 would put the low end at -525;
     * a goodput interval stops at zero. */
    row(&r[0], "c", 1, 10, 1);
    row(&r[1], "c", 2, 100, 2);
    assert_int_equal(summary_group(r, 2, &s, &n), 0);
    assert_true(s[0].ci[SUMMARY_GOODPUT].lo == 0);
    assert_true(s[0].ci[SUMMARY_GOODPUT].hi > 100);
    /* ... and two runs are too few to print one at all. */
    f = open_memstream(&csv, &len);
    summary_ci_csv(f, s, n);
    fclose(f);
    r1 = strstr(csv, "\r\n") + 2;
    assert_memory_equal(r1, "sc,c,tcp,rr,64,,1,,,,2,55,,,", 28);
    assert_non_null(strstr(r1, "too few repeats for a 95 % interval (n = 2; 3 or more give one)"));
    free(csv);
    free(s);
}

static void test_json_and_read_back(void **state)
{
    (void)state;
    struct test_result r[3];
    row(&r[0], "a", 1, 100, 10);
    row(&r[1], "a", 2, 110, 12);
    row(&r[2], "b", 1, 5, 3);
    char path[] = "/tmp/netrig-summary-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    for (int i = 0; i < 3; i++)
        assert_int_equal(result_csv_append(path, &r[i]), 0);
    struct test_result *back;
    size_t n;
    char err[256];
    assert_int_equal(summary_read_csv(path, &back, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 3);
    assert_string_equal(back[1].step, "a");
    assert_int_equal(back[1].repeat, 2);
    assert_true(back[1].goodput_bps == 110 && back[2].lat_p99_us == 3);
    assert_true(isnan(back[0].resp_bytes));

    struct summary_step_info info[] = {{"a", "a", "", 2}, {"b", "b", "", 2}, {"c", "c", "", 1}};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    summary_json(f, "sc", "interrupted", "stopped \"here\"", info, 3, back, n);
    fclose(f);
    assert_non_null(strstr(buf, "{\"schema\":1,\"scenario\":\"sc\",\"status\":\"interrupted\","
                                "\"message\":\"stopped \\\"here\\\"\",\"steps\":["));
    assert_non_null(strstr(buf, "\"planned\":2,\"done\":2,"));
    assert_non_null(strstr(buf, "\"planned\":2,\"done\":1,"));
    assert_non_null(strstr(buf, "{\"name\":\"c\",\"file\":\"c\",\"params\":\"\",\"planned\":1,"
                                "\"done\":0,\"results\":[],\"ci95\":null}"));
    assert_non_null(strstr(buf, "\"goodput_bps\":{\"n\":2,\"mean\":105,\"sd\":7.071067812,"));
    free(buf);
    free(back);

    f = fopen(path, "w");
    fputs("a,b\n1,2\n", f);
    fclose(f);
    assert_int_equal(summary_read_csv(path, &back, &n, err, sizeof(err)), -1);
    assert_non_null(strstr(err, ":1: not a netrig summary.csv (no schema column)"));
    f = fopen(path, "w");
    fputs("schema,step,goodput_bps\r\n1,x,5\r\n1,y\r\n", f);
    fclose(f);
    assert_int_equal(summary_read_csv(path, &back, &n, err, sizeof(err)), -1);
    assert_non_null(strstr(err, ":3: row has 2 fields, header has 3"));
    unlink(path);
}

static void test_meta(void **state)
{
    (void)state;
    char *argv[] = {"netrig", "run", "a \"b\".ini"};
    struct meta_run m = {.scenario_file = "a.ini",
                         .scenario_name = "a",
                         .scenario_text = "[x]\nsize=1\n",
                         .argc = 3,
                         .argv = argv,
                         .start_s = 1700000000,
                         .end_s = -1,
                         .status = "running",
                         .message = "",
                         .server = "127.0.0.1:1234",
                         .embedded = true};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    meta_json(f, &m);
    fclose(f);
    const char *keys[] = {"\"host\": \"",
                          "\"kernel\": \"Linux ",
                          "\"cpu_model\": \"",
                          "\"cpu_count\": ",
                          "\"netrig_version\": \"",
                          "\"git_commit\": \"",
                          "\"openssl_version\": \"OpenSSL 3",
                          "\"command_line\": [\"netrig\", \"run\", \"a \\\"b\\\".ini\"]",
                          "\"start_time_epoch\": 1700000000.000",
                          "\"end_time\": null",
                          "\"scenario_text\": \"[x]\\nsize=1\\n\"",
                          "\"embedded_server\": true",
                          "\"link_rate_bps\": null"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!strstr(buf, keys[i]))
            fail_msg("meta.json lacks %s:\n%s", keys[i], buf);
    free(buf);
    char cpu[128];
    meta_cpu_model(cpu, sizeof(cpu));
    assert_true(cpu[0] != '\0');
    char iso[64];
    meta_iso_time(0, iso, sizeof(iso));
    assert_int_equal(strlen(iso), 24);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_and_ci_csv),
        cmocka_unit_test(test_json_and_read_back),
        cmocka_unit_test(test_meta),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
