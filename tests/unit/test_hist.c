/* Layout, recording and queries against the vectors of the HDR histogram
 * specification (sections 7.1, 7.2 and 7.4), which were checked against
 * the Java library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "hist.h"

#define HOUR_NS 3600000000LL

struct slot_vec {
    int64_t v;
    int bucket, sub;
    int64_t index, lowest, highest, median, size;
};

static int bucket_of(const struct hist *h, int64_t v)
{
    return h->leading_zero_count_base - __builtin_clzll((uint64_t)(v | h->sub_bucket_mask));
}

static void check_slot(const struct hist *h, const struct slot_vec *s)
{
    int b = bucket_of(h, s->v);
    assert_int_equal(b, s->bucket);
    assert_int_equal(s->v >> (b + h->unit_magnitude), s->sub);
    assert_int_equal(hist_index_of(h, s->v), s->index);
    assert_int_equal(hist_lowest_equivalent(h, s->v), s->lowest);
    assert_int_equal(hist_highest_equivalent(h, s->v), s->highest);
    assert_int_equal(hist_median_equivalent(h, s->v), s->median);
    assert_int_equal(hist_highest_equivalent(h, s->v) - hist_lowest_equivalent(h, s->v) + 1,
                     s->size);
    assert_int_equal(hist_value_from_index(h, (int32_t)s->index), s->lowest);
}

static void test_layout_hour(void **state)
{
    (void)state;
    struct hist h;
    assert_int_equal(hist_init(&h, 1, HOUR_NS, 3), 0);
    assert_int_equal(h.unit_magnitude, 0);
    assert_int_equal(h.sub_bucket_count, 2048);
    assert_int_equal(h.sub_bucket_half_count, 1024);
    assert_int_equal(h.sub_bucket_half_count_magnitude, 10);
    assert_int_equal(h.sub_bucket_mask, 2047);
    assert_int_equal(h.bucket_count, 22);
    assert_int_equal(h.counts_len, 23552);
    static const struct slot_vec v[] = {
        {0, 0, 0, 0, 0, 0, 0, 1},
        {2047, 0, 2047, 2047, 2047, 2047, 2047, 1},
        {2048, 1, 1024, 2048, 2048, 2049, 2049, 2},
        {4095, 1, 2047, 3071, 4094, 4095, 4095, 2},
        {4096, 2, 1024, 3072, 4096, 4099, 4098, 4},
        {100000000, 16, 1525, 17909, 99942400, 100007935, 99975168, 65536},
        {3600000000LL, 21, 1716, 23220, 3598712832LL, 3600809983LL, 3599761408LL, 2097152},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        check_slot(&h, &v[i]);
    /* The largest recordable value exceeds `highest`. */
    assert_int_equal(hist_highest_equivalent(&h, hist_value_from_index(&h, h.counts_len - 1)),
                     4294967295LL);
    hist_close(&h);
}

static void test_layout_unit(void **state)
{
    (void)state;
    struct hist h;
    assert_int_equal(hist_init(&h, 1000, 1843200000000LL, 3), 0);
    assert_int_equal(h.unit_magnitude, 9);
    assert_int_equal(h.sub_bucket_mask, 1048064);
    assert_int_equal(h.bucket_count, 22);
    assert_int_equal(h.counts_len, 23552);
    for (int64_t v = 0; v < 512; v += 73) {
        assert_int_equal(hist_index_of(&h, v), 0);
        assert_int_equal(hist_lowest_equivalent(&h, v), 0);
        assert_int_equal(hist_highest_equivalent(&h, v), 511);
        assert_int_equal(hist_median_equivalent(&h, v), 256);
    }
    assert_int_equal(hist_index_of(&h, 1000), 1);
    assert_int_equal(hist_lowest_equivalent(&h, 1000), 512);
    assert_int_equal(hist_highest_equivalent(&h, 1000), 1023);
    assert_int_equal(hist_median_equivalent(&h, 1000), 768);
    assert_int_equal(hist_index_of(&h, 512000), 1000);
    struct slot_vec s = {1048576, 1, 1024, 2048, 1048576, 1048576 + 1023, 1048576 + 512, 1024};
    check_slot(&h, &s);
    hist_close(&h);
}

static void test_layout_small(void **state)
{
    (void)state;
    struct hist h;
    assert_int_equal(hist_init(&h, 1, 1000, 2), 0);
    assert_int_equal(h.sub_bucket_count, 256);
    assert_int_equal(h.sub_bucket_half_count_magnitude, 7);
    assert_int_equal(h.bucket_count, 3);
    assert_int_equal(h.counts_len, 512);
    struct slot_vec a = {300, 1, 150, 278, 300, 301, 301, 2};
    struct slot_vec b = {1000, 2, 250, 506, 1000, 1003, 1002, 4};
    check_slot(&h, &a);
    check_slot(&h, &b);
    hist_close(&h);

    assert_int_equal(hist_init(&h, 1, 1000, 3), 0);
    assert_int_equal(h.counts_len, 2048);
    assert_true(hist_record(&h, 2047));
    assert_false(hist_record(&h, 2048));
    assert_false(hist_record(&h, -1));
    assert_int_equal(h.total_count, 1);
    assert_int_equal(hist_max(&h), 2047);
    hist_close(&h);
}

static void test_layout_extremes(void **state)
{
    (void)state;
    struct hist h;
    assert_int_equal(hist_init(&h, 20000000, 100000000, 5), 0);
    assert_int_equal(h.unit_magnitude, 24);
    assert_int_equal(h.sub_bucket_count, 262144);
    assert_int_equal(h.bucket_count, 1);
    assert_int_equal(h.counts_len, 262144);
    hist_close(&h);
    assert_int_equal(hist_init(&h, 1, 2, 1), 0);
    assert_int_equal(h.counts_len, 32);
    hist_close(&h);
    assert_int_equal(hist_init(&h, 1, INT64_MAX, 3), 0);
    assert_int_equal(h.bucket_count, 53);
    assert_int_equal(h.counts_len, 55296);
    assert_int_equal(hist_index_of(&h, INT64_MAX), 55295);
    assert_true(hist_record(&h, INT64_MAX));
    assert_int_equal(hist_max(&h), INT64_MAX);
    hist_close(&h);

    static const int32_t sbc[] = {32, 256, 2048, 32768, 262144};
    static const int32_t len[] = {272, 1792, 11264, 114688, 524288};
    static const int32_t buckets[] = {16, 13, 10, 6, 3};
    for (int d = 1; d <= 5; d++) {
        assert_int_equal(hist_init(&h, 1, 1000000, d), 0);
        assert_int_equal(h.sub_bucket_count, sbc[d - 1]);
        assert_int_equal(h.counts_len, len[d - 1]);
        assert_int_equal(h.bucket_count, buckets[d - 1]);
        hist_close(&h);
    }
}

static void test_invalid_params(void **state)
{
    (void)state;
    struct hist h;
    assert_int_equal(hist_init(&h, 0, 1000, 3), -1);
    assert_int_equal(hist_init(&h, 1, 1, 3), -1);
    assert_int_equal(hist_init(&h, 600, 1000, 3), -1);
    assert_int_equal(hist_init(&h, 1, 1000, 6), -1);
    assert_int_equal(hist_init(&h, 1, 1000, -1), -1);
    assert_int_equal(hist_init(&h, INT64_MAX / 2, INT64_MAX, 3), -1);
    hist_close(NULL);
    assert_int_equal(hist_counts_len_for(1, INT64_MAX, 5), 6160384);
}

/* The classic data set: 10000 x 1000 and one 100000000 (times `k`). */
static void classic(struct hist *h, int64_t k, int64_t interval)
{
    for (int i = 0; i < 10000; i++)
        assert_true(hist_record_corrected(h, 1000 * k, interval));
    assert_true(hist_record_corrected(h, 100000000 * k, interval));
}

static void assert_near(double got, double want, double tol)
{
    if (fabs(got - want) > tol)
        fail_msg("got %.9f, want %.9f", got, want);
}

static void check_pcts(const struct hist *h, const int64_t *want)
{
    static const double p[] = {30, 50, 75, 90, 99, 99.9, 99.99, 99.999, 100};
    for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
        if (hist_value_at_percentile(h, p[i]) != want[i])
            fail_msg("p%g: got %lld want %lld", p[i], (long long)hist_value_at_percentile(h, p[i]),
                     (long long)want[i]);
}

static void test_classic_raw(void **state)
{
    (void)state;
    struct hist h;
    assert_int_equal(hist_init(&h, 1, HOUR_NS, 3), 0);
    classic(&h, 1, 0);
    assert_int_equal(h.total_count, 10001);
    assert_int_equal(hist_min(&h), 1000);
    assert_int_equal(hist_max(&h), 100007935);
    assert_near(hist_mean(&h), 109975168.0 / 10001, 1e-6);
    assert_near(hist_stddev(&h), 999641.715828, 1e-6);
    static const int64_t want[] = {1000, 1000, 1000, 1000, 1000, 1000, 1000, 100007935, 100007935};
    check_pcts(&h, want);
    assert_near(hist_percentile_at_or_below(&h, 5000), 99.990001, 1e-6);
    assert_int_equal(hist_count_between(&h, 5000, 150000000), 1);
    assert_int_equal(hist_count_at(&h, 1000), 10000);
    int steps = 0;
    for (int32_t i = 0; i < h.counts_len; i++)
        steps += h.counts[i] != 0;
    assert_int_equal(steps, 2);
    hist_close(&h);
}

static void test_classic_corrected(void **state)
{
    (void)state;
    struct hist h, post, raw;
    assert_int_equal(hist_init(&h, 1, HOUR_NS, 3), 0);
    classic(&h, 1, 10000);
    assert_int_equal(h.total_count, 20000);
    assert_int_equal(hist_min(&h), 1000);
    assert_int_equal(hist_max(&h), 100007935);
    assert_near(hist_mean(&h), 25003006.699400, 1e-5);
    assert_near(hist_stddev(&h), 32276410.479123, 1e-5);
    static const int64_t want[] = {1000,     1000,      50003967,  80019455, 98041855,
                                   99811327, 100007935, 100007935, 100007935};
    check_pcts(&h, want);
    assert_near(hist_percentile_at_or_below(&h, 5000), 50.0, 1e-9);
    assert_int_equal(hist_count_between(&h, 5000, 150000000), 10000);

    assert_int_equal(hist_init(&raw, 1, HOUR_NS, 3), 0);
    assert_int_equal(hist_init(&post, 1, HOUR_NS, 3), 0);
    classic(&raw, 1, 0);
    assert_int_equal(hist_add_corrected(&post, &raw, 10000), 0);
    assert_int_equal(post.total_count, 20000);
    assert_int_equal(hist_min(&post), 1000);
    assert_int_equal(hist_max(&post), 100007935);
    assert_near(hist_mean(&post), 25006965.717600, 1e-5);
    assert_near(hist_stddev(&post), 32279484.446090, 1e-5);
    static const int64_t want_post[] = {1000,     1000,      50036735,  80019455, 98041855,
                                        99811327, 100007935, 100007935, 100007935};
    check_pcts(&post, want_post);
    hist_close(&h);
    hist_close(&raw);
    hist_close(&post);
}

static void test_classic_scaled(void **state)
{
    (void)state;
    struct hist h;
    assert_int_equal(hist_init(&h, 1000, HOUR_NS * 512, 3), 0);
    classic(&h, 512, 0);
    assert_int_equal(h.total_count, 10001);
    assert_int_equal(hist_min(&h), 512000);
    assert_int_equal(hist_max(&h), 51204063231LL);
    assert_near(hist_mean(&h), 5630421.559444, 1e-5);
    assert_int_equal(hist_value_at_percentile(&h, 50), 512511);
    hist_reset(&h);
    assert_int_equal(h.total_count, 0);
    classic(&h, 512, 10000 * 512);
    assert_int_equal(h.total_count, 20000);
    assert_near(hist_mean(&h), 12801539558.092800, 1e-3);
    assert_int_equal(hist_value_at_percentile(&h, 75), 25602031615LL);
    assert_int_equal(hist_value_at_percentile(&h, 99), 50197430271LL);
    hist_close(&h);
}

static void test_backfill_count(void **state)
{
    (void)state;
    struct hist h;
    assert_int_equal(hist_init(&h, 1, HOUR_NS, 3), 0);
    assert_true(hist_record_corrected(&h, 100000000, 10000));
    assert_int_equal(h.total_count, 10000); /* the value plus 9999 back-filled */
    assert_int_equal(hist_count_between(&h, 0, 9999), 0);
    hist_reset(&h);
    assert_true(hist_record_corrected(&h, 19999, 10000)); /* < 2I: nothing added */
    assert_int_equal(h.total_count, 1);
    hist_close(&h);
}

/* Back-filling works per bucket, not per value: the same counts as one
 * record per missing value, and a value of 3.6e12 with an interval of 1
 * (3.6e12 missing values) takes no longer than any other. */
static void test_backfill_bounded(void **state)
{
    (void)state;
    struct hist a, b;
    assert_int_equal(hist_init(&a, 1, HOUR_NS, 3), 0);
    assert_int_equal(hist_init(&b, 1, HOUR_NS, 3), 0);
    const int64_t vals[] = {5, 7, 100, 4097, 123457, 9999991};
    const int64_t ivs[] = {1, 3, 7, 1000};
    for (size_t k = 0; k < sizeof(ivs) / sizeof(ivs[0]); k++) {
        for (size_t j = 0; j < sizeof(vals) / sizeof(vals[0]); j++) {
            hist_reset(&a);
            hist_reset(&b);
            int64_t v = vals[j], iv = ivs[k];
            assert_true(hist_record_corrected(&a, v, iv));
            assert_true(hist_record(&b, v));
            for (int64_t m = v - iv; m >= iv; m -= iv)
                assert_true(hist_record(&b, m));
            assert_int_equal(a.total_count, b.total_count);
            assert_int_equal(hist_min(&a), hist_min(&b));
            assert_int_equal(hist_max(&a), hist_max(&b));
            assert_memory_equal(a.counts, b.counts, (size_t)a.counts_len * sizeof(a.counts[0]));
        }
    }
    hist_close(&a);
    assert_int_equal(hist_init(&a, 1, 3600000000000LL, 3), 0); /* hist import's default */
    assert_true(hist_record_corrected(&a, 3600000000000LL, 1));
    assert_int_equal(a.total_count, 3600000000000LL);
    assert_int_equal(hist_min(&a), 1);
    hist_close(&a);
    hist_close(&b);
}

static int64_t pct_of(const int64_t *vals, size_t n, int64_t lo, int64_t hi, int d, double p)
{
    struct hist h;
    assert_int_equal(hist_init(&h, lo, hi, d), 0);
    for (size_t i = 0; i < n; i++)
        assert_true(hist_record(&h, vals[i]));
    int64_t r = hist_value_at_percentile(&h, p);
    hist_close(&h);
    return r;
}

static void test_percentile_edges(void **state)
{
    (void)state;
    const int64_t two[] = {1, 2};
    assert_int_equal(pct_of(two, 2, 1, 1000, 3, 50), 1);
    assert_int_equal(pct_of(two, 2, 1, 1000, 3, 50.00000000000001), 1);
    assert_int_equal(pct_of(two, 2, 1, 1000, 3, 50.0000000000001), 2);
    const int64_t five[] = {1, 2, 2, 2, 2};
    assert_int_equal(pct_of(five, 5, 1, 1000, 3, 25), 2);
    assert_int_equal(pct_of(five, 5, 1, 1000, 3, 30), 2);
    const int64_t ten[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    static const double p[] = {0, 5, 10, 12, 15, 50, 99, 100, 101};
    static const int64_t want[] = {1, 1, 1, 2, 2, 5, 10, 10, 10};
    for (size_t i = 0; i < 9; i++)
        assert_int_equal(pct_of(ten, 10, 1, 1000, 3, p[i]), want[i]);
    const int64_t big[] = {100000000, 20000000, 30000000};
    assert_int_equal(pct_of(big, 3, 20000000, 100000000, 5, 50), 33554431);
    assert_int_equal(pct_of(big, 3, 20000000, 100000000, 5, 83.33), 100663295);
    assert_int_equal(pct_of(big, 3, 20000000, 100000000, 5, 83.34), 100663295);
    assert_int_equal(pct_of(big, 3, 20000000, 100000000, 5, 99), 100663295);
}

static void test_empty_and_zero(void **state)
{
    (void)state;
    struct hist h;
    assert_int_equal(hist_init(&h, 1, HOUR_NS, 3), 0);
    assert_int_equal(hist_value_at_percentile(&h, 0), 0);
    assert_int_equal(hist_value_at_percentile(&h, 50), 0);
    assert_int_equal(hist_value_at_percentile(&h, 100), 0);
    assert_int_equal(hist_max(&h), 0);
    assert_int_equal(hist_min(&h), 0);
    assert_true(hist_mean(&h) == 0.0);
    assert_true(hist_stddev(&h) == 0.0);
    assert_true(hist_percentile_at_or_below(&h, 10) == 100.0);
    assert_true(hist_record(&h, 0));
    assert_true(hist_record(&h, 0));
    assert_true(hist_record(&h, 7));
    assert_int_equal(hist_value_at_percentile(&h, 0), 0);
    assert_int_equal(hist_value_at_percentile(&h, 50), 0);
    assert_int_equal(hist_min(&h), 0);
    assert_int_equal(hist_min_non_zero(&h), 7);
    hist_close(&h);
}

static void test_add(void **state)
{
    (void)state;
    struct hist a, b, c, small;
    assert_int_equal(hist_init(&a, 1, HOUR_NS, 3), 0);
    assert_int_equal(hist_init(&b, 1, HOUR_NS, 3), 0);
    assert_int_equal(hist_init(&c, 1000, HOUR_NS * 512, 2), 0);
    assert_int_equal(hist_init(&small, 1, 1000, 3), 0);
    classic(&a, 1, 0);
    classic(&b, 1, 0);
    a.start_ms = 5000;
    a.end_ms = 6000;
    b.start_ms = 4000;
    b.end_ms = 5500;
    assert_int_equal(hist_add(&b, &a), 0);
    assert_int_equal(b.total_count, 20002);
    assert_int_equal(hist_count_at(&b, 1000), 20000);
    assert_int_equal(hist_max(&b), 100007935);
    assert_int_equal(b.start_ms, 4000);
    assert_int_equal(b.end_ms, 6000);
    /* Different layout: each slot's lowest value re-recorded. */
    assert_int_equal(hist_add(&c, &a), 0);
    assert_int_equal(c.total_count, 10001);
    assert_int_equal(hist_count_at(&c, 1000), 10000);
    assert_int_equal(hist_max(&c), hist_highest_equivalent(&c, 99942400));
    /* A target too small for the source's max refuses, unchanged. */
    assert_int_equal(hist_add(&small, &a), -1);
    assert_int_equal(small.total_count, 0);
    assert_int_equal(hist_resize(&small, hist_max(&a)), 0);
    assert_int_equal(hist_add(&small, &a), 0);
    assert_int_equal(small.total_count, 10001);
    assert_int_equal(hist_max(&small), 100007935);
    int32_t len = small.counts_len;
    assert_int_equal(hist_resize(&small, 10), 0); /* never shrinks */
    assert_int_equal(small.counts_len, len);
    assert_int_equal(hist_add_grow(&small, &c), 0);
    assert_int_equal(small.total_count, 20002);
    hist_close(&a);
    hist_close(&b);
    hist_close(&c);
    hist_close(&small);
}

static void test_pct_iter(void **state)
{
    (void)state;
    struct hist h;
    assert_int_equal(hist_init(&h, 1, HOUR_NS, 3), 0);
    classic(&h, 1, 0);
    struct hist_pct_iter it;
    hist_pct_iter_init(&it, &h, 5);
    int rows = 0;
    double prev = -1;
    while (hist_pct_iter_next(&it)) {
        assert_true(it.percentile > prev);
        prev = it.percentile;
        rows++;
    }
    assert_int_equal(rows, 69);
    assert_true(it.percentile == 100.0);
    assert_int_equal(it.value, 100007935);
    assert_int_equal(it.cum_count, 10001);
    hist_reset(&h);
    hist_pct_iter_init(&it, &h, 5);
    assert_false(hist_pct_iter_next(&it));
    hist_close(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_hour),
        cmocka_unit_test(test_layout_unit),
        cmocka_unit_test(test_layout_small),
        cmocka_unit_test(test_layout_extremes),
        cmocka_unit_test(test_invalid_params),
        cmocka_unit_test(test_classic_raw),
        cmocka_unit_test(test_classic_corrected),
        cmocka_unit_test(test_classic_scaled),
        cmocka_unit_test(test_backfill_count),
        cmocka_unit_test(test_backfill_bounded),
        cmocka_unit_test(test_percentile_edges),
        cmocka_unit_test(test_empty_and_zero),
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_pct_iter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
