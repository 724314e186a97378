#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_opts.h"

static void test_defaults(void **state)
{
    (void)state;
    struct server_config c;
    memset(&c, 0xff, sizeof(c));
    server_config_defaults(&c);
    assert_string_equal(c.listen, "127.0.0.1:7878");
    assert_int_equal(c.threads, 1);
    assert_false(c.model_threads || c.tls || c.open_http || c.quiet);
    assert_string_equal(c.psk_file, "");
    const struct server_limits *l = &c.lim;
    assert_int_equal(l->max_conns, 10000);
    assert_int_equal(l->max_tests, 64);
    assert_int_equal(l->max_peer_tests, 8);
    assert_int_equal(l->max_test_conns, 10000);
    assert_true(l->max_duration_ns == 3600ULL * 1000000000ULL);
    assert_true(l->max_rate_bps == 0 && l->max_rate_per_s == 0);
    assert_true(l->max_msg_size == 1ULL << 30);
    assert_int_equal(l->http_max_head, 16384);
    assert_true(l->http_max_body == 1ULL << 40);
    assert_true(l->hello_timeout_ns == 10000000000ULL);
    assert_true(l->idle_timeout_ns == 60000000000ULL);
    assert_true(l->grace_ns == 10000000000ULL);
    assert_true(l->data_timeout_ns == 5000000000ULL);
    assert_int_equal(l->max_unauth_conns, 256);
    assert_true(l->auth_timeout_ns == 3000000000ULL);
}

static void test_set_limits(void **state)
{
    (void)state;
    struct server_config c;
    char err[256];
    server_config_defaults(&c);
    assert_int_equal(server_opts_set(&c, "max-conns", "500", err, sizeof(err)), 0);
    assert_int_equal(c.lim.max_conns, 500);
    assert_int_equal(server_opts_set(&c, "max_duration", "90s", err, sizeof(err)), 0);
    assert_true(c.lim.max_duration_ns == 90000000000ULL);
    /* Two rate caps: each --max-rate sets the one it names. */
    assert_int_equal(server_opts_set(&c, "max-rate", "1gbit", err, sizeof(err)), 0);
    assert_int_equal(server_opts_set(&c, "max-rate", "5000/s", err, sizeof(err)), 0);
    assert_true(c.lim.max_rate_bps == 1e9 && c.lim.max_rate_per_s == 5000);
    assert_int_equal(server_opts_set(&c, "http-max-head", "8k", err, sizeof(err)), 0);
    assert_int_equal(c.lim.http_max_head, 8192);
    assert_int_equal(server_opts_set(&c, "max-size", "64m", err, sizeof(err)), 0);
    assert_true(c.lim.max_msg_size == 64ULL << 20);
    assert_int_equal(server_opts_set(&c, "max-tests-per-peer", "2", err, sizeof(err)), 0);
    assert_int_equal(c.lim.max_peer_tests, 2);
    assert_int_equal(server_opts_set(&c, "data-timeout", "1s", err, sizeof(err)), 0);
    assert_true(c.lim.data_timeout_ns == 1000000000ULL);

    /* Malformed and out of range, with the option and the value named. */
    assert_int_equal(server_opts_set(&c, "max-conns", "12q", err, sizeof(err)), -1);
    assert_string_equal(err, "bad value '12q' for max-conns: expected a whole number");
    assert_int_equal(server_opts_set(&c, "max-conns", "1k", err, sizeof(err)), -1);
    assert_int_equal(server_opts_set(&c, "max-conns", "0", err, sizeof(err)), -1);
    assert_string_equal(err, "value '0' for max-conns is out of range (1 to 10000000)");
    assert_int_equal(server_opts_set(&c, "http-max-head", "1", err, sizeof(err)), -1);
    assert_int_equal(server_opts_set(&c, "idle-timeout", "0s", err, sizeof(err)), -1);
    assert_string_equal(err, "value '0s' for idle-timeout is out of range (0.001s to 86400s)");
    assert_int_equal(server_opts_set(&c, "max-rate", "fast", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "max-rate"));
    assert_int_equal(server_opts_set(&c, "max-tests-per-peer", "0", err, sizeof(err)), -1);
    assert_int_equal(c.lim.max_conns, 500);
}

static int parse(struct server_config *c, char *err, size_t errlen, int argc, ...)
{
    char *argv[16];
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < argc && i < 16; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    server_config_defaults(c);
    return server_opts_parse_argv(c, argc, argv, err, errlen);
}

static void test_parse_argv(void **state)
{
    (void)state;
    struct server_config c;
    char err[256];
    assert_int_equal(parse(&c, err, sizeof(err), 9, "--listen", "[::1]:0", "--threads=4",
                           "--open-http", "--psk", "k.psk", "--model", "threads", "--quiet"),
                     0);
    assert_string_equal(c.listen, "[::1]:0");
    assert_int_equal(c.threads, 4);
    assert_true(c.open_http && c.quiet && c.model_threads);
    assert_string_equal(c.psk_file, "k.psk");
    assert_false(c.tls);
    /* A certificate or a key turns TLS on, as --tls does. */
    assert_int_equal(parse(&c, err, sizeof(err), 2, "--cert", "c.pem"), 0);
    assert_true(c.tls);
    assert_string_equal(c.cert, "c.pem");
    assert_int_equal(parse(&c, err, sizeof(err), 3, "--tls", "--busy-poll", "50"), 0);
    assert_true(c.tls);
    assert_int_equal(c.busy_poll_us, 50);
}

static void test_errors(void **state)
{
    (void)state;
    struct server_config c;
    char err[256];
    /* A typo gets the nearest name. */
    assert_int_equal(parse(&c, err, sizeof(err), 2, "--lisen", "127.0.0.1:0"), -1);
    assert_string_equal(err, "unknown option 'lisen' (did you mean 'listen'?)");
    assert_int_equal(parse(&c, err, sizeof(err), 2, "--max-conn", "5"), -1);
    assert_string_equal(err, "unknown option 'max-conn' (did you mean 'max-conns'?)");
    assert_int_equal(parse(&c, err, sizeof(err), 1, "--open-htp"), -1);
    assert_string_equal(err, "unknown option 'open-htp' (did you mean 'open-http'?)");
    /* A value longer than its field says so, not "unknown option". */
    char longv[400];
    memset(longv, 'a', sizeof(longv) - 1);
    longv[sizeof(longv) - 1] = '\0';
    assert_int_equal(parse(&c, err, sizeof(err), 2, "--listen", longv), -1);
    assert_string_equal(err, "value for listen is too long: at most 255 characters");
    assert_int_equal(parse(&c, err, sizeof(err), 2, "--model", "fork"), -1);
    assert_string_equal(err, "bad value 'fork' for model: expected epoll or threads");
    assert_int_equal(parse(&c, err, sizeof(err), 2, "--threads", "0"), -1);
    assert_string_equal(err, "value '0' for threads is out of range (1 to 256)");
    assert_int_equal(parse(&c, err, sizeof(err), 2, "--busy-poll", "200000"), -1);
    assert_non_null(strstr(err, "busy-poll"));
    assert_int_equal(parse(&c, err, sizeof(err), 2, "--cpu", "3-1"), -1);
    assert_non_null(strstr(err, "bad value '3-1' for cpu"));
    assert_int_equal(parse(&c, err, sizeof(err), 1, "--listen"), -1);
    assert_non_null(strstr(err, "--listen needs a value"));
    assert_int_equal(parse(&c, err, sizeof(err), 1, "stray"), -1);
    assert_non_null(strstr(err, "unexpected argument 'stray'"));
}

/* The help names every option of the table with its default. */
static void test_help(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    server_opts_print_help(f);
    assert_int_equal(fclose(f), 0);
    int n = 0;
    for (const struct opt_def *d = server_opts_table; d->name; d++, n++) {
        char want[64];
        snprintf(want, sizeof(want), "--%s ", d->name);
        const char *line = strstr(text, want);
        assert_non_null(line);
        /* On its line, or on the one below when the help is long. */
        const char *next = strstr(line + 1, "\n  --");
        const char *def = strstr(line, "[default ");
        assert_true(def != NULL && (next == NULL || def < next));
    }
    assert_true(n >= 24);
    assert_non_null(strstr(text, "[default 127.0.0.1:7878]"));
    assert_non_null(strstr(text, "[default 1; 1 to 256]"));
    assert_non_null(strstr(text, "[default 1h; 0.001s to 604800s]"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),   cmocka_unit_test(test_set_limits),
        cmocka_unit_test(test_parse_argv), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
