/* The .hgrm percentile distribution text must be byte-identical to Java's
 * outputPercentileDistribution (specification sections 6 and 7.3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"

static char *render(const struct hist *h, double scale, bool csv)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    hist_write_hgrm(f, h, 5, scale, csv);
    fclose(f);
    return text;
}

static void small_vector(struct hist *h)
{
    assert_int_equal(hist_init(h, 1, 1000, 2), 0);
    static const int64_t v[] = {1, 1, 5, 300, 300, 300};
    for (size_t i = 0; i < 6; i++)
        assert_true(hist_record(h, v[i]));
}

static void test_small_complete(void **state)
{
    (void)state;
    struct hist h;
    small_vector(&h);
    char *text = render(&h, 1.0, false);
    assert_string_equal(text, "       Value     Percentile TotalCount 1/(1-Percentile)\n"
                              "\n"
                              "        1.00 0.000000000000          2           1.00\n"
                              "        1.00 0.100000000000          2           1.11\n"
                              "        1.00 0.200000000000          2           1.25\n"
                              "        1.00 0.300000000000          2           1.43\n"
                              "        5.00 0.400000000000          3           1.67\n"
                              "        5.00 0.500000000000          3           2.00\n"
                              "      301.00 0.550000000000          6           2.22\n"
                              "      301.00 1.000000000000          6\n"
                              "#[Mean    =       151.67, StdDeviation   =       149.34]\n"
                              "#[Max     =       301.00, Total count    =            6]\n"
                              "#[Buckets =            3, SubBuckets     =          256]\n");
    free(text);
    text = render(&h, 1.0, true);
    assert_string_equal(text, "\"Value\",\"Percentile\",\"TotalCount\",\"1/(1-Percentile)\"\n"
                              "1.00,0.000000000000,2,1.00\n"
                              "1.00,0.100000000000,2,1.11\n"
                              "1.00,0.200000000000,2,1.25\n"
                              "1.00,0.300000000000,2,1.43\n"
                              "5.00,0.400000000000,3,1.67\n"
                              "5.00,0.500000000000,3,2.00\n"
                              "301.00,0.550000000000,6,2.22\n"
                              "301.00,1.000000000000,6,Infinity\n");
    free(text);
    hist_close(&h);
}

static void md5_hex(const char *text, char out[33])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    assert_int_equal(EVP_Digest(text, strlen(text), md, &n, EVP_md5(), NULL), 1);
    for (unsigned i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void test_classic_raw(void **state)
{
    (void)state;
    struct hist h;
    assert_int_equal(hist_init(&h, 1, 3600000000LL, 3), 0);
    assert_true(hist_record_n(&h, 1000, 10000));
    assert_true(hist_record(&h, 100000000));
    char *text = render(&h, 1.0, false);
    int lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 2 + 69 + 3);
    assert_non_null(strstr(text, "\n    1000.000 0.000000000000      10000           1.00\n"));
    assert_non_null(strstr(text, "\n    1000.000 0.999890136719      10000        9102.22\n"
                                 "100007935.000 0.999902343750      10001       10240.00\n"
                                 "100007935.000 1.000000000000      10001\n"
                                 "#[Mean    =    10996.417, StdDeviation   =   999641.716]\n"
                                 "#[Max     = 100007935.000, Total count    =        10001]\n"
                                 "#[Buckets =           22, SubBuckets     =         2048]\n"));
    char md5[33];
    md5_hex(text, md5);
    assert_string_equal(md5, "95b120774fef369a05148b211916b321");
    free(text);
    /* Scaled to milliseconds, as the log processor prints by default. */
    text = render(&h, 1e6, false);
    assert_non_null(strstr(text, "\n       0.001 0.000000000000      10000           1.00\n"));
    assert_non_null(strstr(text, "\n     100.008 1.000000000000      10001\n"));
    free(text);
    hist_close(&h);
}

static void test_empty(void **state)
{
    (void)state;
    struct hist h;
    assert_int_equal(hist_init(&h, 1, 1000, 3), 0);
    char *text = render(&h, 1.0, false);
    assert_string_equal(text, "       Value     Percentile TotalCount 1/(1-Percentile)\n"
                              "\n"
                              "#[Mean    =        0.000, StdDeviation   =        0.000]\n"
                              "#[Max     =        0.000, Total count    =            0]\n"
                              "#[Buckets =            1, SubBuckets     =         2048]\n");
    free(text);
    hist_close(&h);
}

/* Java rounds the shortest decimal half up; C's printf rounds the binary
 * value half even. {1, 3} scaled by 8 has a mean of 0.25: Java prints 0.3
 * where printf would print 0.2 (checked against Java 2.1.11). */
static void test_half_up_rounding(void **state)
{
    (void)state;
    struct hist h;
    assert_int_equal(hist_init(&h, 1, 1000000, 1), 0);
    assert_true(hist_record(&h, 1));
    assert_true(hist_record(&h, 3));
    char *text = render(&h, 2.0, false);
    assert_non_null(strstr(text, "         0.5 0.000000000000          1           1.00\n"));
    assert_non_null(strstr(text, "         1.5 1.000000000000          2\n"));
    assert_non_null(strstr(text, "#[Mean    =          1.0, StdDeviation   =          0.5]\n"));
    free(text);
    text = render(&h, 8.0, false);
    assert_non_null(strstr(text, "         0.1 0.500000000000          1           2.00\n"
                                 "         0.4 0.550000000000          2           2.22\n"));
    assert_non_null(strstr(text, "#[Mean    =          0.3, StdDeviation   =          0.1]\n"
                                 "#[Max     =          0.4, Total count    =            2]\n"
                                 "#[Buckets =           16, SubBuckets     =           32]\n"));
    free(text);
    hist_close(&h);
}

/* Java's String.format(Locale.US, ...) gave these (OpenJDK 17); printf
 * gives 2.67, 0.001, 1.00 and 0.2 for the first four. */
static void test_java_fixed(void **state)
{
    (void)state;
    static const struct {
        double v;
        int prec;
        const char *want;
    } c[] = {
        {2.675, 2, "2.68"},
        {0.0015, 3, "0.002"},
        {1.005, 2, "1.01"},
        {0.25, 1, "0.3"},
        {999.9996, 3, "1000.000"},
        {1e-7, 3, "0.000"},
        {123456789.5, 0, "123456790"},
        {-0.0, 3, "-0.000"},
        {0.99989013671875, 12, "0.999890136719"},
        {9102.222222222222, 2, "9102.22"},
        {0.0, 3, "0.000"},
        {1e300, 1, "1" /* followed by 300 zeros */},
    };
    char buf[512];
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        hist_fmt_java(buf, sizeof(buf), c[i].v, c[i].prec);
        if (c[i].v == 1e300) {
            assert_int_equal(strlen(buf), 303);
            assert_int_equal(strncmp(buf, "1000000000", 10), 0);
            assert_string_equal(buf + 300, "0.0");
            continue;
        }
        assert_string_equal(buf, c[i].want);
    }
    hist_fmt_java(buf, sizeof(buf), NAN, 3);
    assert_string_equal(buf, "NaN");
    hist_fmt_java(buf, sizeof(buf), INFINITY, 3);
    assert_string_equal(buf, "Infinity");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_complete), cmocka_unit_test(test_classic_raw),
        cmocka_unit_test(test_empty),          cmocka_unit_test(test_half_up_rounding),
        cmocka_unit_test(test_java_fixed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
