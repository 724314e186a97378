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

#include "compare.h"

static void row(struct test_result *r, const char *step, double size, double gp, double p50,
                double p99)
{
    result_init(r);
    snprintf(r->scenario, sizeof(r->scenario), "sc");
    snprintf(r->step, sizeof(r->step), "%s", step);
    snprintf(r->proto, sizeof(r->proto), "tcp");
    snprintf(r->mode, sizeof(r->mode), "rr");
    r->size_bytes = size;
    r->conns = 1;
    r->goodput_bps = gp;
    r->lat_p50_us = p50;
    r->lat_p99_us = p99;
}

static void write_run(const char *path, const struct test_result *r, size_t n)
{
    unlink(path);
    for (size_t i = 0; i < n; i++) {
        struct test_result x = r[i];
        x.repeat = (uint32_t)(i + 1);
        assert_int_equal(result_csv_append(path, &x), 0);
    }
}

static void test_pairs_and_regressions(void **state)
{
    (void)state;
    char pa[] = "/tmp/netrig-cmpa-XXXXXX", pb[] = "/tmp/netrig-cmpb-XXXXXX";
    close(mkstemp(pa));
    close(mkstemp(pb));
    struct test_result a[7], b[6];
    /* step x: three repeats each side, goodput down 20 %, intervals apart */
    row(&a[0], "x", 64, 100, 10, 20);
    row(&a[1], "x", 64, 101, 10, 20);
    row(&a[2], "x", 64, 99, 10, 20);
    row(&b[0], "x renamed", 64, 80, 10, 20);
    row(&b[1], "x renamed", 64, 81, 10, 20);
    row(&b[2], "x renamed", 64, 79, 10, 20);
    /* step y: p99 up 4 %, one repeat: no interval */
    row(&a[3], "y", 1024, 50, 5, 100);
    row(&b[3], "y", 1024, 50, 5, 104);
    /* two steps with the same parameters: the name decides */
    row(&a[4], "dup-1", 4096, 10, 1, 1);
    row(&a[5], "dup-2", 4096, 20, 1, 1);
    row(&b[4], "dup-2", 4096, 20, 1, 1);
    /* only in one run */
    row(&a[6], "gone", 8, 1, 1, 1);
    row(&b[5], "new", 16, 1, 1, 1);
    write_run(pa, a, 7);
    write_run(pb, b, 6);

    struct summary_step *sa, *sb;
    size_t na, nb;
    char err[256];
    assert_int_equal(compare_load(pa, &sa, &na, err, sizeof(err)), 0);
    assert_int_equal(compare_load(pb, &sb, &nb, err, sizeof(err)), 0);
    assert_int_equal(na, 5);
    assert_int_equal(nb, 4);
    struct compare_pair *p;
    long n = compare_pairs(sa, na, sb, nb, 3.0, &p);
    assert_int_equal(n, 6);
    /* x */
    assert_string_equal(p[0].b->first.step, "x renamed");
    assert_true(fabs(p[0].change_pct[COMPARE_GOODPUT] + 20) < 1e-9);
    assert_true(p[0].differs[COMPARE_GOODPUT]);
    assert_true(p[0].regression[COMPARE_GOODPUT]);
    assert_false(p[0].regression[COMPARE_P99]);
    /* y: +4 % latency beyond 3 %, but no intervals to compare */
    assert_true(fabs(p[1].change_pct[COMPARE_P99] - 4) < 1e-9);
    assert_true(p[1].regression[COMPARE_P99]);
    assert_false(p[1].differs[COMPARE_P99]);
    assert_false(p[1].regression[COMPARE_GOODPUT]);
    /* dup-1 has the same parameters as dup-2 but B's dup-2 goes to dup-2 */
    assert_string_equal(p[2].a->first.step, "dup-1");
    assert_null(p[2].b);
    assert_string_equal(p[3].b->first.step, "dup-2");
    assert_null(p[4].b);
    assert_string_equal(p[4].a->first.step, "gone");
    assert_null(p[5].a);
    assert_string_equal(p[5].b->first.step, "new");
    free(p);

    /* Without a threshold nothing is a regression. */
    n = compare_pairs(sa, na, sb, nb, -1, &p);
    for (long i = 0; i < n; i++)
        for (int k = 0; k < COMPARE_N; k++)
            assert_false(p[i].regression[k]);
    free(p);
    /* A lower goodput within the threshold is fine. */
    n = compare_pairs(sa, na, sb, nb, 25, &p);
    assert_false(p[0].regression[COMPARE_GOODPUT]);
    free(p);
    free(sa);
    free(sb);
    unlink(pa);
    unlink(pb);
    assert_int_equal(compare_load(pa, &sa, &na, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "No such file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs_and_regressions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
