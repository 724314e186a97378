#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "config.h"
#include "ctrl.h"
#include "wire.h"

static struct ctrl_request sample_request(void)
{
    struct ctrl_request q = {0};
    q.proto = PROTO_UDP;
    q.mode = MODE_RATE;
    q.flags = CTRL_F_REVERSE;
    q.conns = 12;
    q.threads = 3;
    q.pipeline = 7;
    q.size = 1400;
    q.resp_size = 64;
    q.rate_bps = 0;
    q.rate_per_s = 12345.5;
    q.duration_ns = 5000000000ull;
    q.warmup_ns = 500000000ull;
    q.timeout_ns = 1000000000ull;
    q.count = 99;
    q.stall_ns = 200000000ull;
    return q;
}

static void test_request_roundtrip(void **state)
{
    (void)state;
    struct ctrl_msg m = {.type = CTRL_REQUEST}, d;
    m.u.req = sample_request();
    uint8_t buf[256];
    size_t n = ctrl_encode(&m, buf, sizeof(buf));
    assert_true(n > CTRL_HDR_LEN);
    size_t need;
    char err[128];
    /* Every prefix is "incomplete", never an error or a success. */
    for (size_t k = 0; k < n; k++)
        assert_int_equal(ctrl_decode(buf, k, &d, &need, err, sizeof(err)), 0);
    assert_int_equal(ctrl_decode(buf, n, &d, &need, err, sizeof(err)), (long)n);
    assert_int_equal(d.type, CTRL_REQUEST);
    assert_int_equal(d.u.req.conns, 12);
    assert_int_equal(d.u.req.mode, MODE_RATE);
    assert_true(d.u.req.rate_per_s == 12345.5);
    assert_int_equal(d.u.req.stall_ns, 200000000ull);
    assert_int_equal(d.u.req.count, 99);
    assert_int_equal(need, n);
    assert_string_equal(d.u.req.cc, "");

    /* A congestion control name ends the request; its length sits in the
     * byte that was reserved, so a request without one is as before. */
    m.u.req.cc[0] = 'b', m.u.req.cc[1] = 'b', m.u.req.cc[2] = 'r';
    size_t n2 = ctrl_encode(&m, buf, sizeof(buf));
    assert_int_equal(n2, n + 3);
    assert_int_equal(buf[CTRL_HDR_LEN + 3], 3);
    assert_int_equal(ctrl_decode(buf, n2, &d, &need, err, sizeof(err)), (long)n2);
    assert_string_equal(d.u.req.cc, "bbr");
    /* A name of the wrong characters, or longer than 15, is refused. */
    m.u.req.cc[1] = 'B';
    n2 = ctrl_encode(&m, buf, sizeof(buf));
    assert_int_equal(ctrl_decode(buf, n2, &d, &need, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cc"));
    m.u.req.cc[1] = 'b';
    n2 = ctrl_encode(&m, buf, sizeof(buf));
    buf[CTRL_HDR_LEN + 3] = 16;
    bytes_put32(buf + 8, bytes_get32(buf + 8) + 13);
    uint8_t big[300] = {0};
    memcpy(big, buf, n2);
    assert_int_equal(ctrl_decode(big, n2 + 13, &d, &need, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "too long"));
}

static void test_result_roundtrip(void **state)
{
    (void)state;
    uint8_t blob[300];
    for (size_t i = 0; i < sizeof(blob); i++)
        blob[i] = (uint8_t)(i * 7);
    struct ctrl_msg m = {.type = CTRL_RESULT}, d;
    m.u.res.window_ns = 1;
    m.u.res.rx_bytes = 1ull << 40;
    m.u.res.jitter_ns = 77;
    m.u.res.errors[3] = 5;
    m.u.res.mss = 1448;
    m.u.res.hist = blob;
    m.u.res.hist_len = sizeof(blob);
    uint8_t buf[1024];
    size_t n = ctrl_encode(&m, buf, sizeof(buf)), need;
    char err[128];
    assert_int_equal(ctrl_decode(buf, n, &d, &need, err, sizeof(err)), (long)n);
    assert_int_equal(d.u.res.rx_bytes, 1ull << 40);
    assert_int_equal(d.u.res.errors[3], 5);
    assert_int_equal(d.u.res.mss, 1448);
    assert_int_equal(d.u.res.hist_len, sizeof(blob));
    assert_memory_equal(d.u.res.hist, blob, sizeof(blob));
    assert_true(d.u.res.hist >= buf && d.u.res.hist + sizeof(blob) <= buf + n);
    /* Too small a buffer encodes nothing. */
    assert_int_equal(ctrl_encode(&m, buf, 100), 0);
}

/* A request asking for intervals carries their length; the server's
 * INTERVALS frames carry items that read back as written. */
static void test_intervals_roundtrip(void **state)
{
    (void)state;
    struct ctrl_msg m = {.type = CTRL_REQUEST}, d;
    m.u.req = sample_request();
    m.u.req.flags |= CTRL_F_INTERVALS;
    m.u.req.interval_ns = 250000000;
    uint8_t buf[1024];
    size_t n = ctrl_encode(&m, buf, sizeof(buf)), need;
    char err[128];
    assert_int_equal(ctrl_decode(buf, n, &d, &need, err, sizeof(err)), (long)n);
    assert_int_equal(d.u.req.interval_ns, 250000000);
    m.u.req.interval_ns = 1000; /* under 10 ms */
    n = ctrl_encode(&m, buf, sizeof(buf));
    assert_int_equal(ctrl_decode(buf, n, &d, &need, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "interval"));

    uint8_t blob[40], items[256];
    memset(blob, 0xab, sizeof(blob));
    struct ctrl_iv a = {.t0_ns = 0,
                        .t1_ns = 5,
                        .rx_bytes = 1ull << 33,
                        .rx_msgs = 9,
                        .hist_len = sizeof(blob),
                        .hist = blob};
    struct ctrl_iv b = {.t0_ns = 5, .t1_ns = 11, .rx_bytes = 3};
    size_t la = ctrl_iv_put(&a, items, sizeof(items));
    size_t lb = ctrl_iv_put(&b, items + la, sizeof(items) - la);
    assert_true(la > 0 && lb > 0);
    assert_int_equal(ctrl_iv_put(&a, items, 10), 0);
    struct ctrl_msg iv = {.type = CTRL_INTERVALS};
    iv.u.ivs =
        (struct ctrl_intervals){.last = 1, .first = 7, .n = 2, .len = la + lb, .items = items};
    n = ctrl_encode(&iv, buf, sizeof(buf));
    assert_int_equal(ctrl_decode(buf, n, &d, &need, err, sizeof(err)), (long)n);
    assert_int_equal(d.u.ivs.first, 7);
    assert_int_equal(d.u.ivs.n, 2);
    assert_int_equal(d.u.ivs.last, 1);
    struct ctrl_iv g;
    size_t off = 0;
    assert_int_equal(ctrl_iv_get(&d.u.ivs, &off, &g), 0);
    assert_int_equal(g.rx_bytes, 1ull << 33);
    assert_int_equal(g.hist_len, sizeof(blob));
    assert_memory_equal(g.hist, blob, sizeof(blob));
    assert_int_equal(ctrl_iv_get(&d.u.ivs, &off, &g), 0);
    assert_int_equal(g.t1_ns, 11);
    assert_int_equal(ctrl_iv_get(&d.u.ivs, &off, &g), -1);
    /* Fewer items than announced, or one that ends before it starts. */
    iv.u.ivs.n = 3;
    n = ctrl_encode(&iv, buf, sizeof(buf));
    assert_int_equal(ctrl_decode(buf, n, &d, &need, err, sizeof(err)), -1);
    b.t1_ns = 1;
    iv.u.ivs.n = 2;
    ctrl_iv_put(&b, items + la, sizeof(items) - la);
    n = ctrl_encode(&iv, buf, sizeof(buf));
    assert_int_equal(ctrl_decode(buf, n, &d, &need, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "ends before"));
    /* A corpus frame for the fuzz harness, when asked for. */
    const char *corpus = getenv("NETRIG_WRITE_CTRL_CORPUS");
    if (corpus) {
        b.t1_ns = 11;
        ctrl_iv_put(&b, items + la, sizeof(items) - la);
        n = ctrl_encode(&iv, buf, sizeof(buf));
        FILE *f = fopen(corpus, "wb");
        assert_non_null(f);
        fwrite(buf, 1, n, f);
        fclose(f);
    }
}

static void test_rejects(void **state)
{
    (void)state;
    struct ctrl_msg m = {.type = CTRL_REQUEST}, d;
    m.u.req = sample_request();
    uint8_t buf[256];
    size_t n = ctrl_encode(&m, buf, sizeof(buf)), need;
    char err[128];
    uint8_t bad[256];

    memcpy(bad, buf, n);
    bad[5] = 9; /* version */
    assert_int_equal(ctrl_decode(bad, n, &d, &need, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "version"));

    memcpy(bad, buf, n);
    bad[0] = 'X'; /* magic */
    assert_int_equal(ctrl_decode(bad, n, &d, &need, err, sizeof(err)), -1);

    memcpy(bad, buf, n);
    bytes_put32(bad + 8, CTRL_MAX_PAYLOAD + 1); /* length */
    assert_int_equal(ctrl_decode(bad, n, &d, &need, err, sizeof(err)), -1);

    /* A payload one byte short or long for its type. */
    memcpy(bad, buf, n);
    bytes_put32(bad + 8, bytes_get32(buf + 8) - 1);
    assert_int_equal(ctrl_decode(bad, n - 1, &d, &need, err, sizeof(err)), -1);
    memcpy(bad, buf, n);
    bad[n] = 0;
    bytes_put32(bad + 8, bytes_get32(buf + 8) + 1);
    assert_int_equal(ctrl_decode(bad, n + 1, &d, &need, err, sizeof(err)), -1);

    /* Out of range fields. */
    m.u.req.conns = 0;
    n = ctrl_encode(&m, buf, sizeof(buf));
    assert_int_equal(ctrl_decode(buf, n, &d, &need, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "conns"));
    m.u.req = sample_request();
    m.u.req.mode = MODE_COUNT;
    n = ctrl_encode(&m, buf, sizeof(buf));
    assert_int_equal(ctrl_decode(buf, n, &d, &need, err, sizeof(err)), -1);

    /* Unknown type. */
    m.type = 99;
    assert_int_equal(ctrl_encode(&m, buf, sizeof(buf)), 0);
}

/* Every bound the client applies to its options, the server applies to
 * the request again (the decoder runs the check). */
static void test_client_bounds_again(void **state)
{
    (void)state;
    char err[160];
    struct ctrl_request q = sample_request();
    q.mode = MODE_RR;
    q.rate_per_s = 0;
    assert_int_equal(ctrl_request_check(&q, err, sizeof(err)), 0);
    q.size = WIRE_HDR_LEN - 1;
    assert_int_equal(ctrl_request_check(&q, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "size"));
    q.size = WIRE_HDR_LEN;
    assert_int_equal(ctrl_request_check(&q, err, sizeof(err)), 0);
    q.size = WIRE_UDP_MAX + 1;
    assert_int_equal(ctrl_request_check(&q, err, sizeof(err)), -1);
    q.size = WIRE_UDP_MAX;
    q.resp_size = 8;
    assert_int_equal(ctrl_request_check(&q, err, sizeof(err)), -1);
    q.resp_size = WIRE_UDP_MAX + 1;
    assert_int_equal(ctrl_request_check(&q, err, sizeof(err)), -1);
    q.resp_size = 0; /* the same as size */
    assert_int_equal(ctrl_request_check(&q, err, sizeof(err)), 0);
    q.mode = MODE_STREAM; /* a stream has no responses */
    q.resp_size = 8;
    assert_int_equal(ctrl_request_check(&q, err, sizeof(err)), 0);
    q.proto = PROTO_TCP; /* TCP messages of any size */
    q.size = 1;
    assert_int_equal(ctrl_request_check(&q, err, sizeof(err)), 0);

    q = sample_request();
    q.mode = MODE_CRR;
    assert_int_equal(ctrl_request_check(&q, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "crr"));
    q.proto = PROTO_TCP;
    assert_int_equal(ctrl_request_check(&q, err, sizeof(err)), 0);
    q = sample_request();
    q.rate_per_s = 0;
    q.rate_bps = 1e6;
    assert_int_equal(ctrl_request_check(&q, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "rate"));
}

/* The UDP flow word: flow index bits, the test's tag above, bit 31 free. */
static void test_wire_flow_tag(void **state)
{
    (void)state;
    assert_int_equal(wire_flow_mask(1), 0);
    assert_int_equal(wire_flow_mask(2), 1);
    assert_int_equal(wire_flow_mask(3), 3);
    assert_int_equal(wire_flow_mask(4), 3);
    assert_int_equal(wire_flow_mask(CTRL_MAX_CONNS), 0x1ffff);
    uint64_t id = 0x0123456789abcdefull;
    for (uint32_t conns = 1; conns <= CTRL_MAX_CONNS; conns = conns * 3 + 1) {
        uint32_t tag = wire_flow_tag(id, conns);
        assert_int_equal(tag & (WIRE_FLOW_MEASURED | wire_flow_mask(conns)), 0);
        assert_true(tag != 0);
        assert_true(wire_flow_tag(0x1111111122222222ull, conns) != tag);
    }
    assert_int_equal(wire_flow_tag(id, 1), (0x01234567u ^ 0x89abcdefu) & 0x7fffffffu);
}

static void test_small_messages(void **state)
{
    (void)state;
    struct ctrl_msg m = {.type = CTRL_ACCEPT}, d;
    m.u.acc.test_id = 0x0123456789abcdefull;
    m.u.acc.nports = 3;
    m.u.acc.ports[2] = 65535;
    uint8_t buf[512];
    size_t n = ctrl_encode(&m, buf, sizeof(buf)), need;
    char err[128];
    assert_int_equal(ctrl_decode(buf, n, &d, &need, err, sizeof(err)), (long)n);
    assert_int_equal(d.u.acc.test_id, 0x0123456789abcdefull);
    assert_int_equal(d.u.acc.ports[2], 65535);

    m.type = CTRL_ERROR;
    strcpy(m.u.error, "no\x01way");
    n = ctrl_encode(&m, buf, sizeof(buf));
    assert_int_equal(ctrl_decode(buf, n, &d, &need, err, sizeof(err)), (long)n);
    assert_string_equal(d.u.error, "no?way");

    m.type = CTRL_MARK;
    m.u.phase = 7;
    n = ctrl_encode(&m, buf, sizeof(buf));
    assert_int_equal(ctrl_decode(buf, n, &d, &need, err, sizeof(err)), -1);

    uint8_t h[CTRL_HELLO_LEN];
    uint64_t id;
    uint32_t idx;
    ctrl_hello_encode(h, 42, 7);
    assert_int_equal(ctrl_hello_decode(h, sizeof(h), &id, &idx), 0);
    assert_int_equal(id, 42);
    assert_int_equal(idx, 7);
    assert_int_equal(ctrl_hello_decode(h, sizeof(h) - 1, &id, &idx), -1);
    ctrl_hello_encode(h, 42, CTRL_MAX_CONNS);
    assert_int_equal(ctrl_hello_decode(h, sizeof(h), &id, &idx), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_roundtrip),   cmocka_unit_test(test_result_roundtrip),
        cmocka_unit_test(test_intervals_roundtrip), cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_client_bounds_again), cmocka_unit_test(test_wire_flow_tag),
        cmocka_unit_test(test_small_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
