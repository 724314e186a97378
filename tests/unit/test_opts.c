#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "opts.h"

static void test_defaults(void **state)
{
    (void)state;
    struct netrig_config c;
    opts_defaults(&c);
    assert_int_equal(c.proto, PROTO_TCP);
    assert_int_equal(c.mode, MODE_STREAM);
    assert_int_equal(c.size, 1024);
    assert_int_equal(c.conns, 1);
    assert_int_equal(c.duration_ns, 5000000000ULL);
    assert_string_equal(c.method, "GET");
}

static void test_set_and_errors(void **state)
{
    (void)state;
    struct netrig_config c;
    char err[256];
    opts_defaults(&c);
    assert_int_equal(opts_set(&c, "resp-size", "4k", err, sizeof(err)), 0);
    assert_int_equal(c.resp_size, 4096);
    assert_int_equal(opts_set(&c, "rate", "20000/s", err, sizeof(err)), 0);
    assert_true(c.rate_per_s == 20000 && c.rate_bps == 0);
    assert_int_equal(opts_set(&c, "szie", "1", err, sizeof(err)), -1);
    assert_string_equal(err, "unknown option 'szie' (did you mean 'size'?)");
    assert_int_equal(opts_set(&c, "size", "12q", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "bad value '12q' for size"));
    assert_int_equal(opts_set(&c, "conns", "0", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "out of range"));
    assert_int_equal(opts_set(&c, "proto", "sctp", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "tcp, udp, http, tls, https, ws or wss"));
    assert_int_equal(opts_set(&c, "xyzzyplugh", "1", err, sizeof(err)), -1);
    assert_string_equal(err, "unknown option 'xyzzyplugh'");
}

static void test_argv(void **state)
{
    (void)state;
    struct netrig_config c;
    char err[256];
    opts_defaults(&c);
    char *argv[] = {"--server", "127.0.0.1:7878", "--proto=udp", "--reverse", "--mode",
                    "rr",       "--json",         "false",       "rest"};
    int n = opts_parse_argv(&c, 9, argv, err, sizeof(err));
    assert_int_equal(n, 8);
    assert_string_equal(c.server, "127.0.0.1:7878");
    assert_int_equal(c.proto, PROTO_UDP);
    assert_int_equal(c.mode, MODE_RR);
    assert_true(c.reverse);
    assert_false(c.json);
    char *bad[] = {"--size"};
    assert_int_equal(opts_parse_argv(&c, 1, bad, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "needs a value"));
}

static void test_validate(void **state)
{
    (void)state;
    struct netrig_config c;
    char err[256];
    opts_defaults(&c);
    assert_int_equal(opts_validate(&c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no peer"));
    strcpy(c.server, "127.0.0.1:1");
    assert_int_equal(opts_validate(&c, err, sizeof(err)), 0);
    c.mode = MODE_RATE;
    assert_int_equal(opts_validate(&c, err, sizeof(err)), -1);
    c.mode = MODE_CRR;
    c.proto = PROTO_UDP;
    assert_int_equal(opts_validate(&c, err, sizeof(err)), -1);
    /* --ipv6 wants an IPv6 peer: a literal, bracketed or bare, or a URL
     * whose host is one. */
    c.mode = MODE_STREAM;
    c.ipv6 = true;
    assert_int_equal(opts_validate(&c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "127.0.0.1:1"));
    strcpy(c.server, "[::1]:7878");
    assert_int_equal(opts_validate(&c, err, sizeof(err)), 0);
    strcpy(c.server, "2001:2::1");
    assert_int_equal(opts_validate(&c, err, sizeof(err)), 0);
    strcpy(c.url, "http://127.0.0.1:8080/");
    assert_int_equal(opts_validate(&c, err, sizeof(err)), -1);
    strcpy(c.url, "https://[::1]:8443/x");
    assert_int_equal(opts_validate(&c, err, sizeof(err)), 0);
    /* TCP settings: not for UDP; a congestion control is a plain name. */
    c.url[0] = '\0';
    strcpy(c.cc, "bbr");
    assert_int_equal(opts_validate(&c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "TCP settings"));
    c.proto = PROTO_TCP;
    assert_int_equal(opts_validate(&c, err, sizeof(err)), 0);
    strcpy(c.cc, "bbr;x");
    assert_int_equal(opts_validate(&c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "--cc"));
    c.cc[0] = '\0';
    c.mss = 536;
    assert_int_equal(opts_validate(&c, err, sizeof(err)), 0);
    assert_int_equal(opts_set(&c, "mss", "70000", err, sizeof(err)), -1);
    assert_int_equal(opts_set(&c, "window", "256k", err, sizeof(err)), 0);
    assert_int_equal(c.window, 262144);
}

static void test_format_roundtrip(void **state)
{
    (void)state;
    struct netrig_config a, b;
    char err[256], buf[512];
    opts_defaults(&a);
    assert_int_equal(opts_set(&a, "size", "64k", err, sizeof(err)), 0);
    assert_int_equal(opts_set(&a, "duration", "1500ms", err, sizeof(err)), 0);
    assert_int_equal(opts_set(&a, "rate", "50mbit", err, sizeof(err)), 0);
    opts_defaults(&b);
    for (const struct opt_def *d = opts_table; d->name; d++) {
        if (d->type == OPT_HEADER)
            continue;
        opts_format(&a, d, buf, sizeof(buf));
        if (buf[0] == '\0')
            continue;
        assert_int_equal(opts_set(&b, d->name, buf, err, sizeof(err)), 0);
    }
    assert_int_equal(b.size, 65536);
    assert_int_equal(b.duration_ns, 1500000000ULL);
    assert_true(b.rate_bps == 50e6);

    /* Rates as people write them (--dry-run shows these), not 1.1e+08bit. */
    const struct opt_def *rate = opts_find("rate"), *link = opts_find("link_rate");
    assert_int_equal(opts_set(&a, "rate", "110mbit", err, sizeof(err)), 0);
    opts_format(&a, rate, buf, sizeof(buf));
    assert_string_equal(buf, "110mbit");
    assert_int_equal(opts_set(&a, "rate", "1.5gbit", err, sizeof(err)), 0);
    opts_format(&a, rate, buf, sizeof(buf));
    assert_string_equal(buf, "1.5gbit");
    assert_int_equal(opts_set(&a, "link_rate", "100mbit", err, sizeof(err)), 0);
    opts_format(&a, link, buf, sizeof(buf));
    assert_string_equal(buf, "100mbit");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_set_and_errors),
        cmocka_unit_test(test_argv),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_format_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
