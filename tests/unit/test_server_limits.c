#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "server.h"
#include "server_limits.h"

/* The limits' defaults come from the server's option table
 * (test_server_opts.c tests the table itself). */
static void server_limits_defaults(struct server_limits *l)
{
    struct server_config c;
    server_config_defaults(&c);
    *l = c.lim;
}

static struct server_limits_ask ok_ask(void)
{
    struct server_limits_ask a = {.conns = 4,
                                  .duration_ns = 5000000000ULL,
                                  .warmup_ns = 500000000ULL,
                                  .size = 1024,
                                  .resp_size = 1024};
    return a;
}

static void test_check_test(void **state)
{
    (void)state;
    struct server_limits l;
    char err[256];
    server_limits_defaults(&l);
    struct server_limits_ask a = ok_ask();
    assert_int_equal(server_limits_check_test(&l, &a, err, sizeof(err)), 0);

    a.conns = 10001;
    assert_int_equal(server_limits_check_test(&l, &a, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "--max-test-conns"));

    a = ok_ask();
    a.duration_ns = 3600ULL * 1000000000ULL; /* plus warm-up: over */
    assert_int_equal(server_limits_check_test(&l, &a, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "--max-duration"));
    a.warmup_ns = UINT64_MAX; /* must not wrap around to a small sum */
    a.duration_ns = 10;
    assert_int_equal(server_limits_check_test(&l, &a, err, sizeof(err)), -1);
    a.warmup_ns = 0;
    a.duration_ns = UINT64_MAX;
    assert_int_equal(server_limits_check_test(&l, &a, err, sizeof(err)), -1);

    a = ok_ask();
    a.resp_size = (1ULL << 30) + 1;
    assert_int_equal(server_limits_check_test(&l, &a, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "--max-size"));

    /* With a rate cap, unpaced and faster requests are refused. */
    l.max_rate_bps = 1e9;
    a = ok_ask();
    assert_int_equal(server_limits_check_test(&l, &a, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "paced tests only"));
    a.rate_bps = 2e9;
    assert_int_equal(server_limits_check_test(&l, &a, err, sizeof(err)), -1);
    a.rate_bps = 5e8;
    assert_int_equal(server_limits_check_test(&l, &a, err, sizeof(err)), 0);
    l.max_rate_per_s = 1000;
    a.rate_per_s = 1001;
    assert_int_equal(server_limits_check_test(&l, &a, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "1001"));
    a.rate_per_s = 1000;
    a.rate_bps = 0;
    assert_int_equal(server_limits_check_test(&l, &a, err, sizeof(err)), 0);
    /* Paced one way, held to the other cap through the message size:
     * 1000/s of 1 KiB is 8.2 Mbit/s, 100 Mbit/s of 1 KiB is 12207/s. */
    l.max_rate_bps = 5e6;
    assert_int_equal(server_limits_check_test(&l, &a, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "Mbit/s"));
    l.max_rate_bps = 1e9;
    a.rate_per_s = 0;
    a.rate_bps = 100e6;
    assert_int_equal(server_limits_check_test(&l, &a, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "12207/s"));
    a.rate_bps = 8e6; /* 976/s */
    assert_int_equal(server_limits_check_test(&l, &a, err, sizeof(err)), 0);
}

static void test_admit(void **state)
{
    (void)state;
    struct server_limits l;
    char err[256] = "";
    server_limits_defaults(&l);
    l.max_conns = 3;
    l.max_tests = 2;
    assert_true(server_limits_admit_conn(&l, 2));
    assert_false(server_limits_admit_conn(&l, 3));
    /* The key must be proved by the sooner of the two deadlines. */
    l.hello_timeout_ns = 10;
    l.auth_timeout_ns = 3;
    assert_true(server_limits_auth_deadline(&l, 100) == 103);
    l.auth_timeout_ns = 30;
    assert_true(server_limits_auth_deadline(&l, 100) == 110);
    assert_true(server_limits_auth_deadline(&l, UINT64_MAX - 5) == UINT64_MAX);
    assert_true(server_limits_admit_test(&l, 1, err, sizeof(err)));
    assert_false(server_limits_admit_test(&l, 2, err, sizeof(err)));
    assert_non_null(strstr(err, "busy"));
    /* One address is held to its own share of the slots. */
    assert_int_equal(l.max_peer_tests, 8);
    assert_int_equal(l.data_timeout_ns, 5000000000ull);
    l.max_peer_tests = 2;
    assert_true(server_limits_admit_peer_test(&l, "10.0.0.1", 1, err, sizeof(err)));
    assert_false(server_limits_admit_peer_test(&l, "10.0.0.1", 2, err, sizeof(err)));
    assert_string_equal(err, "server busy for 10.0.0.1: 2 tests running from that address "
                             "(--max-tests-per-peer 2); try again later");
    assert_true(server_limits_test_deadline(&l, 100, 5, 10) == 115 + l.grace_ns);
    assert_true(server_limits_test_deadline(&l, UINT64_MAX - 1, 5, 10) == UINT64_MAX);
}

static void test_nofile(void **state)
{
    (void)state;
    struct server_limits l;
    char warn[256];
    struct rlimit saved;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    server_limits_defaults(&l);
    l.max_conns = 100;
    assert_int_equal(server_limits_raise_nofile(&l, warn, sizeof(warn)), 100);
    assert_string_equal(warn, "");
    /* Beyond the hard limit: what is possible, and a warning. */
    struct rlimit low = {300, 300};
    if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 300)
        skip();
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    l.max_conns = 20000;
    uint32_t can = server_limits_raise_nofile(&l, warn, sizeof(warn));
    assert_true(can < 300);
    assert_non_null(strstr(warn, "ulimit -n"));
    /* Lowering the hard limit cannot be undone unprivileged; the test
     * process ends here anyway. */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_test),
        cmocka_unit_test(test_admit),
        cmocka_unit_test(test_nofile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
