#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "units.h"

static void test_sizes(void **state)
{
    (void)state;
    uint64_t v = 0;
    assert_int_equal(units_parse_size("1500", &v), 0);
    assert_int_equal(v, 1500);
    assert_int_equal(units_parse_size("4k", &v), 0);
    assert_int_equal(v, 4096);
    assert_int_equal(units_parse_size("64K", &v), 0);
    assert_int_equal(v, 65536);
    assert_int_equal(units_parse_size("1m", &v), 0);
    assert_int_equal(v, 1048576);
    assert_int_equal(units_parse_size("1KiB", &v), 0);
    assert_int_equal(v, 1024);
    assert_int_equal(units_parse_size("1.5k", &v), 0);
    assert_int_equal(v, 1536);
    v = 7;
    assert_int_equal(units_parse_size("", &v), -1);
    assert_int_equal(units_parse_size("-1", &v), -1);
    assert_int_equal(units_parse_size(" 1", &v), -1);
    assert_int_equal(units_parse_size("1q", &v), -1);
    assert_int_equal(units_parse_size("0.3", &v), -1);
    assert_int_equal(units_parse_size("nan", &v), -1);
    assert_int_equal(v, 7);
}

static void test_rates(void **state)
{
    (void)state;
    double bps = -1, per = -1;
    assert_int_equal(units_parse_rate("50mbit", &bps, &per), 0);
    assert_true(bps == 50e6 && per == 0);
    assert_int_equal(units_parse_rate("1gbit", &bps, &per), 0);
    assert_true(bps == 1e9);
    assert_int_equal(units_parse_rate("800kbit", &bps, &per), 0);
    assert_true(bps == 800e3);
    assert_int_equal(units_parse_rate("20000/s", &bps, &per), 0);
    assert_true(per == 20000 && bps == 0);
    assert_int_equal(units_parse_rate("5k/s", &bps, &per), 0);
    assert_true(per == 5000);
    assert_int_equal(units_parse_rate("10mb", &bps, &per), -1);
    assert_int_equal(units_parse_rate("fast", &bps, &per), -1);
}

static void test_durations(void **state)
{
    (void)state;
    uint64_t ns = 0;
    assert_int_equal(units_parse_duration("250ms", &ns), 0);
    assert_int_equal(ns, 250000000);
    assert_int_equal(units_parse_duration("10s", &ns), 0);
    assert_int_equal(ns, 10000000000ULL);
    assert_int_equal(units_parse_duration("2m", &ns), 0);
    assert_int_equal(ns, 120000000000ULL);
    assert_int_equal(units_parse_duration("3", &ns), 0);
    assert_int_equal(ns, 3000000000ULL);
    assert_int_equal(units_parse_duration("500us", &ns), 0);
    assert_int_equal(ns, 500000);
    assert_int_equal(units_parse_duration("5 s", &ns), -1);
    assert_int_equal(units_parse_duration("5x", &ns), -1);
}

static void test_format(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(units_fmt_bps(1.5e9, b, sizeof(b)), "1.50 Gbit/s");
    assert_string_equal(units_fmt_size(65536, b, sizeof(b)), "64.0 KiB");
    assert_string_equal(units_fmt_ns(12300, b, sizeof(b)), "12.3 us");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_rates),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
