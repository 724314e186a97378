/* Interval log writer (byte-identical to Java's 1.3 writer) and lenient
 * reader (specification section 5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hlog.h"

#define T0_MS 1700000000000LL
#define CLASSIC_B64 "HISTFAAAACl42pNpmSzMwMDAyQABzFCaEURcm7yEwf4DROA8/4I5jNM7mJgAjtkHzg=="

static void classic_raw(struct hist *h)
{
    assert_int_equal(hist_init(h, 1, 3600000000LL, 3), 0);
    assert_true(hist_record_n(h, 1000, 10000));
    assert_true(hist_record(h, 100000000));
}

static int setup_utc(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    return 0;
}

/* What Java's HistogramLogWriter wrote for the same calls. */
static void test_writer_matches_java(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    struct hlog_writer w;
    assert_int_equal(hlog_writer_init(&w, f, 1700000000.0, NULL), 0);
    struct hist h;
    classic_raw(&h);
    h.start_ms = T0_MS;
    h.end_ms = T0_MS + 1000;
    assert_int_equal(hlog_write_interval(&w, &h), 0);
    snprintf(h.tag, sizeof(h.tag), "B");
    h.start_ms = T0_MS + 2000;
    h.end_ms = T0_MS + 3500;
    assert_int_equal(hlog_write_interval(&w, &h), 0);
    fclose(f);
    assert_string_equal(
        text, "#[Histogram log format version 1.3]\n"
              "#[StartTime: 1700000000.000 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]\n"
              "#[BaseTime: 1700000000.000 (seconds since epoch)]\n"
              "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
              "\"Interval_Compressed_Histogram\"\n"
              "0.000,1.000,100.008," CLASSIC_B64 "\n"
              "Tag=B,2.000,1.500,100.008," CLASSIC_B64 "\n");
    free(text);
    hist_close(&h);
}

static void test_writer_comment_and_tags(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    struct hlog_writer w;
    assert_int_equal(hlog_writer_init(&w, f, 1700000000.25, "first\nsecond"), 0);
    struct hist h;
    assert_int_equal(hist_init(&h, 1, 1000, 2), 0);
    static const char *bad[] = {"a,b", "a b", "a\nb", "a\rb"};
    for (int i = 0; i < 4; i++) {
        snprintf(h.tag, sizeof(h.tag), "%s", bad[i]);
        assert_int_equal(hlog_write_interval(&w, &h), -1);
    }
    fclose(f);
    assert_non_null(strstr(text, "#[first]\n#[second]\n#[Histogram log format version 1.3]\n"));
    assert_non_null(strstr(text, "#[StartTime: 1700000000.250 (seconds since epoch), "));
    assert_null(strstr(text, "Tag="));
    free(text);
    hist_close(&h);
}

struct got {
    int n;
    int64_t total[8], start_ms[8], end_ms[8];
    char tag[8][64];
    char err[512];
    int rc;
};

static void read_all(const char *text, struct got *g)
{
    memset(g, 0, sizeof(*g));
    FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
    assert_non_null(f);
    struct hlog_reader r;
    hlog_reader_init(&r, f);
    r.name = "x.hlog";
    struct hist h;
    while ((g->rc = hlog_read_interval(&r, &h, g->err, sizeof(g->err))) == 1) {
        assert_true(g->n < 8);
        g->total[g->n] = h.total_count;
        g->start_ms[g->n] = h.start_ms;
        g->end_ms[g->n] = h.end_ms;
        snprintf(g->tag[g->n], 64, "%s", h.tag);
        g->n++;
        hist_close(&h);
    }
    hlog_reader_close(&r);
    fclose(f);
}

static void test_reader_java_log(void **state)
{
    (void)state;
    struct got g;
    read_all("#[Logged by a test]\n"
             "#[Histogram log format version 1.3]\n"
             "#[StartTime: 1700000000.000 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]\n"
             "#[BaseTime: 1700000000.000 (seconds since epoch)]\n"
             "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
             "\"Interval_Compressed_Histogram\"\n"
             "0.000,1.000,100.008," CLASSIC_B64 "\n"
             "\n"
             "Tag=B,2.000,1.000,3.000," CLASSIC_B64 "\r\n",
             &g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.total[0], 10001);
    assert_int_equal(g.start_ms[0], T0_MS);
    assert_int_equal(g.end_ms[0], T0_MS + 1000);
    assert_string_equal(g.tag[0], "");
    assert_string_equal(g.tag[1], "B");
    assert_int_equal(g.start_ms[1], T0_MS + 2000);
}

static void test_reader_timestamps(void **state)
{
    (void)state;
    struct got g;
    /* No BaseTime, starts far below StartTime: relative to StartTime. */
    read_all("#[StartTime: 1700000000.5 (seconds since epoch)]\n"
             "1.250 2.000 0.0 " CLASSIC_B64 "\n",
             &g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.start_ms[0], T0_MS + 1750);
    assert_int_equal(g.end_ms[0], T0_MS + 3750);
    /* Absolute starts (the C port's writer) with its legend, integer max. */
    read_all("#[Histogram log format version 1.2]\n"
             "#[StartTime: 1700000000.000 (seconds since epoch), Tue Nov 14 22:13:20 2023]\n"
             "\"StartTimestamp\",\"EndTimestamp\",\"Interval_Max\","
             "\"Interval_Compressed_Histogram\"\n"
             "1700000001.000,1700000002.000,100007935.0," CLASSIC_B64 "\n",
             &g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.start_ms[0], T0_MS + 1000);
    /* No StartTime at all: the first start is both StartTime and absolute. */
    read_all("5.000,1.000,0," CLASSIC_B64 "\n", &g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.start_ms[0], 5000);
    /* An explicit BaseTime wins. */
    read_all("#[BaseTime: 100.000]\n#[StartTime: 100.000]\n3.5,1,0," CLASSIC_B64 "\n", &g);
    assert_int_equal(g.start_ms[0], 103500);
}

static void expect_error(const char *text, const char *needle)
{
    struct got g;
    read_all(text, &g);
    assert_int_equal(g.rc, -1);
    if (!strstr(g.err, needle))
        fail_msg("error '%s' lacks '%s'", g.err, needle);
}

static void test_reader_errors(void **state)
{
    (void)state;
    expect_error("#[c]\n0.0,1.0,x," CLASSIC_B64 "\n", "x.hlog:2: interval max is not a number");
    expect_error("0.0,1.0\n", "x.hlog:1: interval max is not a number");
    expect_error("abc,1.0,2.0," CLASSIC_B64 "\n", "x.hlog:1: interval start time");
    expect_error("0.0,nan,2.0," CLASSIC_B64 "\n", "x.hlog:1: interval length");
    expect_error("0.0,1.0,2.0\n", "x.hlog:1: interval histogram missing");
    expect_error("\n\n0.0,1.0,2.0,HIST$$$$\n", "x.hlog:3: interval histogram is not valid base64");
    expect_error("0.0,1.0,2.0,HISTFAAAACl42pNpmSzMwMDAyQABzFCaEURcm7yEwf4DRO\n",
                 "x.hlog:1: compressed histogram truncated");
    expect_error("0.0,1.0,2.0,AAAAAAAAAAAAAAAA\n", "x.hlog:1: not a histogram encoding");
    expect_error("1e300,1.0,2.0," CLASSIC_B64 "\n", "x.hlog:1: interval timestamps out of range");
    expect_error("Tag=0123456789012345678901234567890123456789012345678901234567890123456789,"
                 "0,1,2," CLASSIC_B64 "\n",
                 "tag longer than 63");
    /* The first intervals are delivered before the bad line. */
    struct got g;
    read_all("0,1,2," CLASSIC_B64 "\n1,1,2,garbage!\n", &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.rc, -1);
    assert_non_null(strstr(g.err, "x.hlog:2:"));
}

static void test_round_trip(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    struct hlog_writer w;
    assert_int_equal(hlog_writer_init(&w, f, 1700000000.0, "round trip"), 0);
    struct hist h;
    assert_int_equal(hist_init(&h, 1000, 3600000000LL * 1000, 2), 0);
    for (int64_t v = 1; v < 100000; v++)
        assert_true(hist_record(&h, v * 997));
    h.start_ms = T0_MS + 123;
    h.end_ms = T0_MS + 10123;
    snprintf(h.tag, sizeof(h.tag), "gen-1");
    assert_int_equal(hlog_write_interval(&w, &h), 0);
    fclose(f);
    f = fmemopen(text, len, "r");
    struct hlog_reader r;
    hlog_reader_init(&r, f);
    struct hist back;
    char err[256];
    assert_int_equal(hlog_read_interval(&r, &back, err, sizeof(err)), 1);
    assert_int_equal(back.total_count, h.total_count);
    assert_int_equal(back.lowest, 1000);
    assert_int_equal(back.digits, 2);
    assert_int_equal(hist_max(&back), hist_max(&h));
    assert_memory_equal(back.counts, h.counts, (size_t)h.counts_len * sizeof(int64_t));
    assert_int_equal(back.start_ms, h.start_ms);
    assert_int_equal(back.end_ms, h.end_ms);
    assert_string_equal(back.tag, "gen-1");
    assert_int_equal(hlog_read_interval(&r, &back, err, sizeof(err)), 0);
    hist_close(&back);
    hist_close(&h);
    hlog_reader_close(&r);
    fclose(f);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writer_matches_java), cmocka_unit_test(test_writer_comment_and_tags),
        cmocka_unit_test(test_reader_java_log),     cmocka_unit_test(test_reader_timestamps),
        cmocka_unit_test(test_reader_errors),       cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, setup_utc, NULL);
}
