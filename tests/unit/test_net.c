#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "net.h"

static void test_parse(void **state)
{
    (void)state;
    struct net_addr a;
    char err[128], buf[80];
    assert_int_equal(net_parse_addr("127.0.0.1:7878", 1, &a, err, sizeof(err)), 0);
    assert_string_equal(net_format_addr(&a, buf, sizeof(buf)), "127.0.0.1:7878");
    assert_true(net_addr_is_loopback(&a));
    assert_int_equal(net_parse_addr("[::1]:9000", 1, &a, err, sizeof(err)), 0);
    assert_string_equal(net_format_addr(&a, buf, sizeof(buf)), "[::1]:9000");
    assert_true(net_addr_is_loopback(&a));
    assert_int_equal(net_parse_addr("127.0.0.2", 7878, &a, err, sizeof(err)), 0);
    assert_int_equal(net_addr_port(&a), 7878);
    net_addr_set_port(&a, 5);
    assert_string_equal(net_format_addr(&a, buf, sizeof(buf)), "127.0.0.2:5");
    assert_int_equal(net_parse_addr("::1", 80, &a, err, sizeof(err)), 0);
    assert_int_equal(net_addr_port(&a), 80);
    assert_int_equal(net_parse_addr("198.18.0.1:1", 1, &a, err, sizeof(err)), 0);
    assert_false(net_addr_is_loopback(&a));
    const char *bad[] = {"",           ":80",        "[::1", "[::1]x", "1.2.3.4:99999",
                         "1.2.3.4:-1", "1.2.3.4:8x", "[]:80"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_int_equal(net_parse_addr(bad[i], 1, &a, err, sizeof(err)), -1);
        assert_true(strlen(err) > 0);
    }
}

/* A listening socket on port 0, a non-blocking connect to it, and the
 * deadline-bounded transfers. */
/* The one HOST:PORT splitter: the TLS name of --proto tls and the HTTP
 * Host/SNI of --server come from it, so a bare or bracketed IPv6 address
 * gives the same host everywhere (the hand-made splits cut "::1" at its
 * last colon). */
static void test_split_hostport(void **state)
{
    (void)state;
    char h[64];
    uint16_t port = 0;
    assert_int_equal(net_split_hostport("example.org:8443", 7878, h, sizeof(h), &port), 0);
    assert_string_equal(h, "example.org");
    assert_int_equal(port, 8443);
    assert_int_equal(net_split_hostport("[::1]:80", 7878, h, sizeof(h), &port), 0);
    assert_string_equal(h, "::1");
    assert_int_equal(port, 80);
    assert_int_equal(net_split_hostport("[::1]", 7878, h, sizeof(h), &port), 0);
    assert_string_equal(h, "::1");
    assert_int_equal(port, 7878);
    assert_int_equal(net_split_hostport("::1", 7878, h, sizeof(h), &port), 0);
    assert_string_equal(h, "::1");
    assert_int_equal(port, 7878);
    assert_int_equal(net_split_hostport("localhost", 9, h, sizeof(h), &port), 0);
    assert_string_equal(h, "localhost");
    assert_int_equal(port, 9);
    assert_int_equal(net_split_hostport("[::1", 7878, h, sizeof(h), &port), -1);
    assert_int_equal(net_split_hostport("[::1]x", 7878, h, sizeof(h), &port), -1);
    assert_int_equal(net_split_hostport(":80", 7878, h, sizeof(h), &port), -1);
    assert_int_equal(net_split_hostport("h:65536", 7878, h, sizeof(h), &port), -1);
    assert_int_equal(net_split_hostport("h:", 7878, h, sizeof(h), &port), -1);
    assert_int_equal(net_split_hostport("a-much-too-long-host-name:1", 1, h, 8, &port), -1);
}

static void test_connect_transfer(void **state)
{
    (void)state;
    struct net_addr a, b;
    char err[128];
    assert_int_equal(net_parse_addr("127.0.0.1:0", 0, &a, err, sizeof(err)), 0);
    int l = net_listen(&a, SOCK_STREAM, false, err, sizeof(err));
    assert_true(l >= 0);
    assert_int_equal(net_local_addr(l, &b), 0);
    assert_true(net_addr_port(&b) > 0);
    int c = net_connect_wait(&b, SOCK_STREAM, NULL, 1000000000ull, err, sizeof(err));
    assert_true(c >= 0);
    assert_int_equal(net_set_nodelay(c), 0);
    assert_int_equal(net_set_bufs(c, 65536, 65536), 0);
    int s = -1;
    for (int i = 0; i < 100 && s < 0; i++) {
        s = accept(l, NULL, NULL);
        if (s < 0)
            usleep(1000);
    }
    assert_true(s >= 0);
    assert_int_equal(net_send_all(c, "hello", 5, clock_now_ns() + 1000000000ull), 0);
    char got[5];
    assert_int_equal(net_recv_full(s, got, 5, clock_now_ns() + 1000000000ull), 0);
    assert_memory_equal(got, "hello", 5);
    /* Nothing more is coming: the deadline ends the wait. */
    net_set_nonblock(s, true);
    uint64_t t0 = clock_now_ns();
    assert_int_equal(net_recv_full(s, got, 1, clock_now_ns() + 50000000ull), -1);
    assert_true(clock_now_ns() - t0 >= 45000000ull);
    struct net_tcp_info ti;
    assert_int_equal(net_tcp_info(c, &ti), 0);
    assert_true(ti.mss > 0);
    close(c);
    assert_int_equal(net_recv_full(s, got, 1, clock_now_ns() + 1000000000ull), -1);
    close(s);
    close(l);
    /* Refused: nobody listens on the port any more. */
    assert_int_equal(net_connect_wait(&b, SOCK_STREAM, NULL, 1000000000ull, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "127.0.0.1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_split_hostport),
        cmocka_unit_test(test_connect_transfer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
