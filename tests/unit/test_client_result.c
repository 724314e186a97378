/* client_result_fill's verdict: a test fails when nothing succeeded while
 * errors were counted, or when its errors pass --max-errors (a count or a
 * percentage of the transactions); the row says why and names the first
 * error's cause. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "client_int.h"
#include "opts.h"

struct fx {
    struct netrig_config cfg;
    struct stats cs;
    struct client_output out;
};

/* An rr test of txn transactions and errs read errors. */
static void fx_init(struct fx *x, uint64_t txn, uint64_t errs)
{
    opts_defaults(&x->cfg);
    snprintf(x->cfg.server, sizeof(x->cfg.server), "127.0.0.1:1");
    x->cfg.mode = MODE_RR;
    assert_int_equal(stats_init(&x->cs), 0);
    x->cs.txn = txn;
    x->cs.err[ERRC_READ] = errs;
    memset(&x->out, 0, sizeof(x->out));
    result_init(&x->out.result);
    assert_int_equal(hist_init_default(&x->out.lat), 0);
    assert_int_equal(hist_init_default(&x->out.connect), 0);
}

static const char *fx_fill(struct fx *x)
{
    struct client_figures f = {
        .cs = &x->cs, .client_window_s = 1, .steal_s = NAN, .server_cpu_s = NAN};
    client_result_fill(&x->cfg, &f, &x->out);
    return x->out.result.failed;
}

static void fx_close(struct fx *x)
{
    stats_close(&x->cs);
    client_output_close(&x->out);
}

static void test_nothing_succeeded(void **state)
{
    (void)state;
    struct fx x;
    fx_init(&x, 0, 0);
    x.cs.err[ERRC_STATUS_4XX] = 7;
    snprintf(x.cs.note, sizeof(x.cs.note), "status 404 (HTTP/1.1 404 Not Found)");
    const char *why = fx_fill(&x);
    assert_non_null(strstr(why, "nothing succeeded: 7 error(s)"));
    assert_non_null(strstr(why, "status_4xx=7"));
    assert_non_null(strstr(why, "first: status 404 (HTTP/1.1 404 Not Found)"));
    fx_close(&x);
}

static void test_some_errors_pass_by_default(void **state)
{
    (void)state;
    struct fx x;
    fx_init(&x, 100, 3);
    assert_string_equal(fx_fill(&x), "");
    fx_close(&x);
    /* nothing done and nothing wrong: not a failure the row can name */
    fx_init(&x, 0, 0);
    assert_string_equal(fx_fill(&x), "");
    fx_close(&x);
}

static void test_max_errors_count(void **state)
{
    (void)state;
    struct fx x;
    char err[256];
    fx_init(&x, 100, 3);
    assert_int_equal(opts_set(&x.cfg, "max-errors", "2", err, sizeof(err)), 0);
    assert_non_null(strstr(fx_fill(&x), "3 error(s), beyond --max-errors 2"));
    fx_close(&x);
    fx_init(&x, 100, 3);
    assert_int_equal(opts_set(&x.cfg, "max-errors", "3", err, sizeof(err)), 0);
    assert_string_equal(fx_fill(&x), "");
    fx_close(&x);
    fx_init(&x, 100, 1);
    assert_int_equal(opts_set(&x.cfg, "max-errors", "0", err, sizeof(err)), 0);
    assert_non_null(strstr(fx_fill(&x), "beyond --max-errors 0"));
    fx_close(&x);
}

static void test_max_errors_percent(void **state)
{
    (void)state;
    struct fx x;
    char err[256];
    fx_init(&x, 97, 3); /* 3 % of 100 transactions */
    assert_int_equal(opts_set(&x.cfg, "max_errors", "2%", err, sizeof(err)), 0);
    assert_non_null(strstr(fx_fill(&x), "beyond --max-errors 2%"));
    fx_close(&x);
    fx_init(&x, 97, 3);
    assert_int_equal(opts_set(&x.cfg, "max_errors", "5%", err, sizeof(err)), 0);
    assert_string_equal(fx_fill(&x), "");
    fx_close(&x);
}

static void test_max_errors_values(void **state)
{
    (void)state;
    struct netrig_config cfg;
    char err[256], buf[32];
    opts_defaults(&cfg);
    const struct opt_def *d = opts_find("max-errors");
    assert_non_null(d);
    opts_format(&cfg, d, buf, sizeof(buf));
    assert_string_equal(buf, "off");
    assert_int_equal(opts_set(&cfg, "max-errors", "12.5%", err, sizeof(err)), 0);
    opts_format(&cfg, d, buf, sizeof(buf));
    assert_string_equal(buf, "12.5%");
    assert_int_equal(opts_set(&cfg, "max-errors", "off", err, sizeof(err)), 0);
    assert_false(cfg.max_errors_on);
    assert_int_not_equal(opts_set(&cfg, "max-errors", "ten", err, sizeof(err)), 0);
    assert_non_null(strstr(err, "percentage"));
    assert_int_not_equal(opts_set(&cfg, "max-errors", "101%", err, sizeof(err)), 0);
    assert_int_not_equal(opts_set(&cfg, "max-errors", "5%%", err, sizeof(err)), 0);
    assert_int_not_equal(opts_set(&cfg, "max-errors", "-1", err, sizeof(err)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_succeeded),
        cmocka_unit_test(test_some_errors_pass_by_default),
        cmocka_unit_test(test_max_errors_count),
        cmocka_unit_test(test_max_errors_percent),
        cmocka_unit_test(test_max_errors_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
