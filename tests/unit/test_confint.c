#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "confint.h"

/* cmocka's float compare narrows to float: compare doubles ourselves. */
#define assert_near(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

static void test_t_quantile(void **state)
{
    (void)state;
    /* Reference values: standard t tables (two-sided 95 %). */
    assert_near(confint_t975(1), 12.706, 1e-3);
    assert_near(confint_t975(2), 4.303, 1e-3);
    assert_near(confint_t975(9), 2.262, 1e-3);
    assert_near(confint_t975(30), 2.042, 1e-3);
    assert_near(confint_t975(31), 2.0395, 1e-4);
    assert_near(confint_t975(40), 2.0211, 1e-4);
    assert_near(confint_t975(60), 2.0003, 1e-4);
    assert_near(confint_t975(120), 1.9799, 1e-4);
    assert_near(confint_t975(1000000), 1.9600, 1e-4);
    assert_true(isnan(confint_t975(0)));
    for (unsigned df = 1; df < 500; df++)
        assert_true(confint_t975(df + 1) < confint_t975(df));
}

static void test_mean_ci(void **state)
{
    (void)state;
    struct confint c;
    double x[] = {10, 12, NAN, 14};
    confint_mean95(x, 4, &c);
    assert_int_equal(c.n, 3);
    assert_near(c.mean, 12, 1e-12);
    assert_near(c.sd, 2, 1e-12);
    /* 4.3027 * 2 / sqrt(3) */
    assert_near(c.half, 4.3027 * 2 / sqrt(3), 1e-9);
    assert_near(c.lo, 12 - c.half, 1e-12);
    assert_near(c.hi, 12 + c.half, 1e-12);

    double one[] = {5};
    confint_mean95(one, 1, &c);
    assert_near(c.mean, 5, 0);
    assert_true(isnan(c.half) && isnan(c.lo) && isnan(c.sd));
    confint_mean95(one, 0, &c);
    assert_true(isnan(c.mean));

    /* Large mean, tiny spread: the two-pass sum keeps the spread. */
    double big[] = {1e12 + 1, 1e12 + 2, 1e12 + 3};
    confint_mean95(big, 3, &c);
    assert_near(c.sd, 1, 1e-6);
}

static void test_overlap(void **state)
{
    (void)state;
    struct confint a, b, c, d;
    double xa[] = {10, 11, 12}, xb[] = {11.5, 12.5, 13.5}, xc[] = {100, 101, 102}, xd[] = {1};
    confint_mean95(xa, 3, &a);
    confint_mean95(xb, 3, &b);
    confint_mean95(xc, 3, &c);
    confint_mean95(xd, 1, &d);
    assert_true(confint_overlap(&a, &b));
    assert_false(confint_overlap(&a, &c));
    assert_false(confint_overlap(&c, &a));
    assert_true(confint_overlap(&a, &d));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_t_quantile),
        cmocka_unit_test(test_mean_ci),
        cmocka_unit_test(test_overlap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
