#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cpulist.h"

static void test_parse(void **state)
{
    (void)state;
    struct cpulist l;
    char err[200];
    assert_int_equal(cpulist_parse("", &l, err, sizeof(err)), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(cpulist_parse("3", &l, err, sizeof(err)), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.cpu[0], 3);
    /* In the order given, ranges expanded, duplicates once. */
    assert_int_equal(cpulist_parse("5,1-3,2,0", &l, err, sizeof(err)), 0);
    assert_int_equal(l.n, 5);
    uint16_t want[] = {5, 1, 2, 3, 0};
    for (int i = 0; i < 5; i++)
        assert_int_equal(l.cpu[i], want[i]);
}

static void test_parse_errors(void **state)
{
    (void)state;
    struct cpulist l;
    char err[200];
    const char *bad[] = {"x", "1,", ",1", "1,,2", "3-1", "1-", "-1", "1 ", "2-x", "1024", "0-5000"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_int_equal(cpulist_parse(bad[i], &l, err, sizeof(err)), -1);
        assert_int_equal(l.n, 0);
        assert_non_null(strstr(err, bad[i])); /* the message quotes the list */
    }
}

static void test_pin(void **state)
{
    (void)state;
    cpu_set_t saved;
    assert_int_equal(sched_getaffinity(0, sizeof(saved), &saved), 0);
    int first = -1;
    for (size_t c = 0; c < CPU_SETSIZE && first < 0; c++)
        if (CPU_ISSET(c, &saved))
            first = (int)c;
    assert_true(first >= 0);
    struct cpulist l = {.n = 1};
    l.cpu[0] = (uint16_t)first;
    char err[200];
    assert_int_equal(cpulist_check(&l, err, sizeof(err)), 0);
    /* Thread 7 of a one-CPU list still lands on that CPU. */
    assert_int_equal(cpulist_pin_self(&l, 7, false, err, sizeof(err)), 0);
    cpu_set_t now;
    assert_int_equal(pthread_getaffinity_np(pthread_self(), sizeof(now), &now), 0);
    assert_int_equal(CPU_COUNT(&now), 1);
    assert_true(CPU_ISSET((size_t)first, &now));
    assert_int_equal(sched_getcpu(), first);
    /* A CPU outside the allowed set is refused by the check. */
    int missing = -1;
    for (size_t c = 0; c < CPU_SETSIZE && missing < 0; c++)
        if (!CPU_ISSET(c, &saved))
            missing = (int)c;
    if (missing >= 0) {
        l.cpu[0] = (uint16_t)missing;
        assert_int_equal(cpulist_check(&l, err, sizeof(err)), -1);
        assert_non_null(strstr(err, "CPU"));
    }
    assert_int_equal(pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved), 0);
    /* An empty list pins nothing. */
    struct cpulist none = {.n = 0};
    assert_int_equal(cpulist_pin_self(&none, 0, false, err, sizeof(err)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_pin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
