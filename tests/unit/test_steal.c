/* Host steal time from /proc/stat: the parser on known lines (ticks to
 * nanoseconds, lines without the field refused) and the live reading
 * (monotonic where the kernel reports it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "steal.h"

static void test_parse(void **state)
{
    (void)state;
    /* user nice system idle iowait irq softirq steal guest guest_nice */
    const char *line = "cpu  957558 78110 958050 3348778 1719 0 313325 21063 0 0\n"
                       "cpu0 477608 38256 445861 1721274 1017 0 146001 10585 0 0\n";
    assert_int_equal(steal_parse(line, 100), 21063ll * 10000000);
    assert_int_equal(steal_parse(line, 250), 21063ll * 4000000);
    assert_int_equal(steal_parse("cpu  1 2 3 4 5 6 7 0", 100), 0);
    /* Before 2.6.11 the line stopped after softirq: no steal field. */
    assert_int_equal(steal_parse("cpu  1 2 3 4 5 6 7\n", 100), -1);
    assert_int_equal(steal_parse("cpu0 1 2 3 4 5 6 7 8", 100), -1);
    assert_int_equal(steal_parse("intr 1 2 3 4 5 6 7 8", 100), -1);
    assert_int_equal(steal_parse("cpu  1 2 x 4 5 6 7 8", 100), -1);
    assert_int_equal(steal_parse("", 100), -1);
    assert_int_equal(steal_parse(line, 0), -1);
}

static void test_now(void **state)
{
    (void)state;
    int64_t a = steal_now_ns();
    int64_t b = steal_now_ns();
    if (a < 0) {
        skip(); /* a kernel without steal accounting */
        return;
    }
    assert_true(b >= a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_now),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
