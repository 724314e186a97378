#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define CLOSE(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (tol))

static void test_udp_overhead(void **state)
{
    (void)state;
    struct model_wire w;
    model_wire_defaults(&w);
    CLOSE(model_wire_udp(&w, 1472), 1472 + 8 + 20 + 14, 0);
    /* 1473 bytes: 1481 bytes of IP payload need a second fragment, which
     * repeats the IP and Ethernet headers. */
    CLOSE(model_wire_udp(&w, 1473), 1473 + 8 + 2 * (20 + 14), 0);
    CLOSE(model_wire_udp(&w, 64), 64 + 42, 0);
    /* 2952 + 8 = 2 x 1480 exactly; one byte more needs a third. */
    CLOSE(model_wire_udp(&w, 2952), 2952 + 8 + 2 * 34, 0);
    CLOSE(model_wire_udp(&w, 2953), 2953 + 8 + 3 * 34, 0);
    model_wire_set_ipv6(&w);
    CLOSE(model_wire_udp(&w, 1452), 1452 + 8 + 40 + 14, 0);
    /* IPv6 fragments carry an 8-byte fragment header each. */
    CLOSE(model_wire_udp(&w, 1453), 1453 + 8 + 2 * (48 + 14), 0);
}

static void test_tcp_overhead(void **state)
{
    (void)state;
    struct model_wire w;
    model_wire_defaults(&w);
    CLOSE(w.mss, 1448, 0);
    CLOSE(w.tcp_hdr, 32, 0);
    /* A saturated stream is cut into full segments: 64 KiB is 45.26 of
     * them, 66 header bytes each (14 + 20 + 20 + 12). */
    CLOSE(model_wire_tcp(&w, 65536, true), 65536 + 65536.0 / 1448 * 66, 1e-9);
    /* Sent alone, the message takes 46 segments, the last one short. */
    CLOSE(model_wire_tcp(&w, 65536, false), 65536 + 46 * 66, 0);
    CLOSE(model_wire_tcp(&w, 100, false), 166, 0);
    /* An MSS of 1460 on a 1500 MTU means no timestamps. */
    model_wire_set_mss(&w, 1460);
    CLOSE(w.tcp_hdr, 20, 0);
    CLOSE(model_wire_tcp(&w, 1460, false), 1460 + 54, 0);
    /* A loopback MSS does not fit 1500: the MTU follows it. */
    model_wire_set_mss(&w, 65483);
    CLOSE(w.mtu, 65483 + 52, 0);
    CLOSE(w.tcp_hdr, 32, 0);
    model_wire_set_mss(&w, NAN);
    CLOSE(w.mss, 65483, 0);
    /* A clamped MSS (--mss 536: 524 with timestamps) leaves 936 bytes of a
     * 1500 MTU, more than TCP options can be: small segments, the header
     * as ever. */
    model_wire_defaults(&w);
    model_wire_set_mss(&w, 524);
    CLOSE(w.tcp_hdr, 32, 0);
    CLOSE(w.mtu, 1500, 0);
    CLOSE(model_wire_tcp(&w, 65536, true), 65536 + 65536.0 / 524 * 66, 1e-9);
    /* 40 bytes of options is still options: 1500 - 20 - 20 - 40. */
    model_wire_set_mss(&w, 1420);
    CLOSE(w.tcp_hdr, 60, 0);
}

static void test_tls_records(void **state)
{
    (void)state;
    struct model_wire w;
    model_wire_defaults(&w);
    CLOSE(model_wire_tls_records(&w, 1024, false), 1024 + 22, 0);
    CLOSE(model_wire_tls_records(&w, 16384, false), 16384 + 22, 0);
    CLOSE(model_wire_tls_records(&w, 16385, false), 16385 + 44, 0);
    CLOSE(model_wire_tls_records(&w, 1 << 20, false), (1 << 20) + 64 * 22, 0);
    w.tls_ovh = MODEL_WIRE_TLS12;
    CLOSE(model_wire_tls_records(&w, 1 << 20, false), (1 << 20) + 64 * 29, 0);
    /* A stream seals full records whatever the message size. */
    w.tls_ovh = MODEL_WIRE_TLS13;
    CLOSE(model_wire_tls_records(&w, 1024, true), 1024 + 22.0 / 16, 1e-12);
    CLOSE(model_wire_tls_records(&w, 65536, true), 65536 + 4 * 22, 1e-9);
}

static struct test_result row(const char *proto, const char *mode, double size, double goodput)
{
    struct test_result r;
    result_init(&r);
    snprintf(r.proto, sizeof(r.proto), "%s", proto);
    snprintf(r.mode, sizeof(r.mode), "%s", mode);
    snprintf(r.step, sizeof(r.step), "%s-%s-%.0f", proto, mode, size);
    r.size_bytes = size;
    r.goodput_bps = goodput;
    r.duration_s = 10;
    return r;
}

/* WebSocket frames: 2, 4 or 10 header bytes by length, 4 more masked;
 * a stream of them over TCP with the frames' bytes packed in segments. */
static void test_ws_frames(void **state)
{
    (void)state;
    CLOSE(model_wire_ws(0, 0, false), 2, 0);
    CLOSE(model_wire_ws(125, 0, true), 125 + 6, 0);
    CLOSE(model_wire_ws(126, 0, true), 126 + 8, 0);
    CLOSE(model_wire_ws(65535, 0, false), 65535 + 4, 0);
    CLOSE(model_wire_ws(65536, 0, true), 65536 + 14, 0);
    /* 65536 in frames of 1000: 65 of 1000 (4+4 each) and one of 536. */
    CLOSE(model_wire_ws(65536, 1000, true), 65536 + 65 * 8 + 8, 0);
    CLOSE(model_wire_ws(100, 50, true), 100 + 2 * 6, 0);
    struct model_opts o;
    model_opts_defaults(&o);
    struct model_msg m;
    struct test_result r = row("ws", "stream", 65536, 1);
    r.mss = 1448;
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    CLOSE(model_msg_wire(&m), 65550 + 65550.0 / 1448 * (20 + 12 + 20 + 14), 1e-9);
    r = row("ws", "rr", 64, 1);
    r.mss = 1448;
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    assert_int_equal(m.form, MODEL_SERIAL);
    CLOSE(m.payload, 128, 0);
    CLOSE(model_msg_wire(&m), 64 + 6 + 64 + 2 + 2 * (20 + 12 + 20 + 14), 1e-9);
    /* permessage-deflate: not modelled, unless the server declined it */
    snprintf(r.ws_deflate, sizeof(r.ws_deflate), "on");
    assert_int_equal(model_msg_of(&o, &r, &m), -1);
    snprintf(r.ws_deflate, sizeof(r.ws_deflate), "declined");
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
}

static void test_msg_of(void **state)
{
    (void)state;
    struct model_opts o;
    model_opts_defaults(&o);
    struct model_msg m;
    struct test_result r = row("udp", "stream", 1472, 1);
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    assert_int_equal(m.form, MODEL_PIPELINED);
    CLOSE(model_msg_wire(&m), 1514, 0);

    /* The row's own IP version wins over the default: IPv6 adds 20 bytes
     * per packet and 8 per fragment; an IPv4 row stays IPv4 under an IPv6
     * default (netrig model --ipv6 is for rows without the column). */
    r = row("udp", "stream", 1452, 1);
    r.ip_version = 6;
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    CLOSE(model_msg_wire(&m), 1452 + 8 + 40 + 14, 0);
    r.size_bytes = 3000; /* two fragments of at most 1448 + one of the rest */
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    CLOSE(model_msg_wire(&m), 3008 + 3 * (40 + 8 + 14), 0);
    r = row("tcp", "stream", 65536, 1);
    r.ip_version = 6;
    r.mss = 1428;
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    CLOSE(model_msg_wire(&m), 65536 + 65536.0 / 1428 * (20 + 12 + 40 + 14), 1e-9);
    struct model_opts o6 = o;
    model_wire_set_ipv6(&o6.wire);
    r = row("udp", "stream", 1400, 1);
    assert_int_equal(model_msg_of(&o6, &r, &m), 0);
    CLOSE(model_msg_wire(&m), 1400 + 8 + 40 + 14, 0);
    r.ip_version = 4;
    assert_int_equal(model_msg_of(&o6, &r, &m), 0);
    CLOSE(model_msg_wire(&m), 1400 + 8 + 20 + 14, 0);

    /* A TLS stream: 1 KiB messages share 16 KiB records. */
    r = row("tls", "stream", 1024, 1);
    r.mss = 1448;
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    double rec = 1024 + 22.0 / 16;
    CLOSE(model_msg_wire(&m), rec + rec / 1448 * 66, 1e-9);
    r.tls_record_overhead = 29;
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    rec = 1024 + 29.0 / 16;
    CLOSE(model_msg_wire(&m), rec + rec / 1448 * 66, 1e-9);

    /* HTTPS: the head and the body go out in the same records, at most
     * 16 KiB each: a 1 KiB response is one record in one segment, a 64 KiB
     * one five records. */
    r = row("https", "rr", 1024, 1);
    r.header_bytes = 134;
    r.conns = 4;
    r.tls_record_overhead = 22;
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    CLOSE(m.wire_rev, 1024 + 134 + 22 + 66, 1e-9);
    r.size_bytes = 65536;
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    CLOSE(m.wire_rev, 65536 + 134 + 5 * 22 + ceil((65670.0 + 110) / 1448) * 66, 1e-9);

    /* HTTP: the body is the payload; the response header rides with it.
     * Four connections keep the link busy (pipelined form), but each
     * response starts its own segments. */
    r = row("http", "rr", 16384, 1);
    r.header_bytes = 180;
    r.conns = 4;
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    assert_int_equal(m.form, MODEL_PIPELINED);
    CLOSE(m.payload, 16384, 0);
    CLOSE(model_msg_wire(&m), 16564 + 12 * 66, 1e-9);
    /* Pipelined requests on one connection: responses queue up and share
     * full segments. */
    r.conns = 1;
    r.pipeline = 8;
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    CLOSE(model_msg_wire(&m), 16564 + 16564.0 / 1448 * 66, 1e-9);

    /* A POST: the measured bytes per transaction exceed the response body;
     * the rest went up as the request body. */
    r = row("http", "rr", 4096, 8 * (4096 + 1024) * 1000.0);
    r.resp_bytes = 1024;
    r.header_bytes = 100;
    r.messages = 10000; /* 1000/s over 10 s */
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    CLOSE(m.payload, 5120, 1e-9);
    assert_int_equal(m.form, MODEL_SERIAL);
    CLOSE(m.wire_fwd, 4096 + 3 * 66, 1e-9);
    CLOSE(m.wire_rev, 1124 + 66, 1e-9);

    /* A GET whose window caught more body bytes than its whole responses
     * (bodies straddling its edges, at most one per connection) has no
     * upload; beyond that, the rest went up. */
    r = row("http", "rr", 1 << 20, 8 * (1 << 20) * 1.03 * 100 / 10.0);
    r.resp_bytes = 1 << 20;
    r.header_bytes = 134;
    r.conns = 4;
    r.messages = 100;
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    CLOSE(m.payload, 1 << 20, 0);
    r.goodput_bps = 8 * (1 << 20) * 1.5 * 100 / 10.0;
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    CLOSE(m.payload, (1 << 20) * 1.5, 1e-6);

    /* One transaction at a time: serial, both directions add up. */
    r = row("tcp", "rr", 100, 1);
    r.resp_bytes = 200;
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    assert_int_equal(m.form, MODEL_SERIAL);
    CLOSE(m.payload, 300, 0);
    CLOSE(model_msg_wire(&m), 166 + 266, 0);

    r = row("sctp", "stream", 100, 1);
    assert_int_equal(model_msg_of(&o, &r, &m), -1);
}

/* HTTP/2: 9 bytes per DATA frame of at most 16 KiB, the HEADERS frame as
 * measured, then TCP (and TLS records for h2) as for HTTP/1.1. */
static void test_h2_overhead(void **state)
{
    (void)state;
    CLOSE(model_wire_h2_data(0, 0), 0, 0);
    CLOSE(model_wire_h2_data(1000, 0), 1009, 0);
    CLOSE(model_wire_h2_data(16384, 0), 16393, 0);
    CLOSE(model_wire_h2_data(16385, 0), 16385 + 18, 0);
    CLOSE(model_wire_h2_data(100000, 4096), 100000 + 25 * 9, 0);
    struct model_opts o;
    model_opts_defaults(&o);
    struct model_msg m;
    struct test_result r = row("h2c", "rr", 1048576, 8.0 * 1048576 * 100);
    r.resp_bytes = 1048576;
    r.messages = 1000;
    r.conns = 1;
    r.streams = 4;
    r.mss = 1448;
    r.header_bytes = 20;
    r.req_header_bytes = 22;
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    assert_int_equal(m.form, MODEL_PIPELINED);
    CLOSE(m.payload, 1048576, 0);
    double down = 20 + 1048576 + 64 * 9.0;
    CLOSE(model_msg_wire(&m), down + down / 1448 * (20 + 12 + 20 + 14), 1e-6);
    snprintf(r.proto, sizeof(r.proto), "h2");
    assert_int_equal(model_msg_of(&o, &r, &m), 0);
    double recs = down + down / 16384 * 22;
    CLOSE(model_msg_wire(&m), recs + recs / 1448 * (20 + 12 + 20 + 14), 1e-6);
    CLOSE(m.crypto, down + 22, 1e-9);
}

static void test_t_quantile(void **state)
{
    (void)state;
    CLOSE(model_fit_t975(1), 12.7062, 1e-4);
    CLOSE(model_fit_t975(10), 2.2281, 1e-4);
    CLOSE(model_fit_t975(31), 2.0395, 1e-4);
    CLOSE(model_fit_t975(60), 2.0003, 1e-4);
    CLOSE(model_fit_t975(1000), 1.9623, 1e-4);
    assert_true(isnan(model_fit_t975(0)));
}

/* Serial rows made from the model itself: T = t0 + (B + O) / C exactly. */
static void synth_rr(struct test_result *rows, size_t n, double c, double t0, const double *noise)
{
    struct model_opts o;
    model_opts_defaults(&o);
    for (size_t i = 0; i < n; i++) {
        rows[i] = row("tcp", "rr", 64.0 * (double)(1u << (i % 12)), 1);
        rows[i].resp_bytes = 64;
        struct model_msg m;
        assert_int_equal(model_msg_of(&o, &rows[i], &m), 0);
        double t = (t0 + 8 * model_msg_wire(&m) / c) * (noise ? 1 + noise[i] : 1);
        rows[i].goodput_bps = 8 * m.payload / t;
    }
}

static void test_fit_exact(void **state)
{
    (void)state;
    struct test_result rows[8];
    synth_rr(rows, 8, 250e6, 42e-6, NULL);
    struct model_opts o;
    model_opts_defaults(&o);
    struct model_run run;
    char err[128];
    assert_int_equal(model_apply(rows, 8, &o, &run, err, sizeof(err)), 0);
    assert_int_equal(run.ngroups, 1);
    const struct model_group *g = &run.groups[0];
    assert_true(g->fitted);
    assert_int_equal(g->form, MODEL_SERIAL);
    CLOSE(g->c_bps / 250e6, 1, 1e-9);
    CLOSE(g->t0_s / 42e-6, 1, 1e-9);
    CLOSE(g->fit.r2, 1, 1e-12);
    assert_true(g->fit.slope_ci < 1e-9 * g->fit.slope);
    for (size_t i = 0; i < 8; i++) {
        assert_string_equal(rows[i].model_ok, "yes");
        CLOSE(rows[i].model_err_pct, 0, 1e-6);
        CLOSE(rows[i].model_c_bps / 250e6, 1, 1e-9);
        CLOSE(rows[i].model_t0_us, 42, 1e-6);
    }
    assert_int_equal(run.nyes, 8);
    model_run_close(&run);
}

/* A deterministic normal-ish deviate: the sum of 12 uniforms, minus 6. */
static double gauss(uint64_t *s)
{
    double sum = 0;
    for (int k = 0; k < 12; k++) {
        *s = *s * 6364136223846793005u + 1442695040888963407u;
        sum += (double)(*s >> 11) / 9007199254740992.0;
    }
    return sum - 6;
}

static void test_fit_noise(void **state)
{
    (void)state;
    enum { N = 12, TRIALS = 400 };
    const double c = 100e6, t0 = 30e-6;
    uint64_t seed = 12345;
    int cover_c = 0, cover_t0 = 0;
    for (int t = 0; t < TRIALS; t++) {
        /* Additive noise on T (homoscedastic), as least squares assumes. */
        double x[N], y[N];
        for (size_t i = 0; i < N; i++) {
            x[i] = 8 * (100.0 + 1000.0 * (double)i);
            y[i] = t0 + x[i] / c + 2e-6 * gauss(&seed);
        }
        struct model_fit f;
        assert_int_equal(model_fit_linear(x, y, N, &f), 0);
        assert_true(f.slope_ci > 0 && f.intercept_ci > 0);
        assert_true(f.r2 > 0.99 && f.r2 < 1);
        cover_c += fabs(f.slope - 1 / c) <= f.slope_ci;
        cover_t0 += fabs(f.intercept - t0) <= f.intercept_ci;
    }
    /* 95 % intervals cover the truth about 95 % of the time. */
    assert_in_range(cover_c, TRIALS * 90 / 100, TRIALS * 99 / 100);
    assert_in_range(cover_t0, TRIALS * 90 / 100, TRIALS * 99 / 100);
}

static void test_fit_degenerate(void **state)
{
    (void)state;
    double x[3] = {1, 1, 1}, y[3] = {1, 2, 3};
    struct model_fit f;
    assert_int_equal(model_fit_linear(x, y, 3, &f), -1);
    assert_int_equal(model_fit_linear(x, y, 1, &f), -1);
    double x2[2] = {1, 2}, y2[2] = {3, 5};
    assert_int_equal(model_fit_linear(x2, y2, 2, &f), 0);
    CLOSE(f.slope, 2, 1e-12);
    CLOSE(f.intercept, 1, 1e-12);
    assert_true(isnan(f.slope_ci));
}

/* Stream rows on a known 100 Mbit/s link. */
static void test_known_link_verdicts(void **state)
{
    (void)state;
    struct model_opts o;
    model_opts_defaults(&o);
    o.link_rate_bps = 100e6;
    const double eff = 1448.0 / 1514;
    struct test_result rows[6] = {
        row("tcp", "stream", 65536, 100e6 * eff * 1.009), /* inside 1 % */
        row("tcp", "stream", 16384, 100e6 * eff * 0.989), /* outside */
        row("tcp", "stream", 1024, 100e6 * eff * 0.5),    /* CPU at 99 %: cpu */
        row("tcp", "stream", 2048, 100e6 * eff * 0.5),    /* CPU at 40 %: a miss */
        row("udp", "stream", 64, 100e6 * 64 / 106),       /* exact, CPU busy too */
        row("udp", "stream", 0, 1),                       /* nothing to check */
    };
    rows[2].cpu_client_pct = 99;
    rows[3].cpu_server_pct = 40;
    rows[4].cpu_client_pct = 100;
    for (size_t i = 0; i < 5; i++)
        rows[i].messages = rows[i].goodput_bps * rows[i].duration_s / 8 / rows[i].size_bytes;
    struct model_run run;
    char err[128];
    assert_int_equal(model_apply(rows, 6, &o, &run, err, sizeof(err)), 0);
    assert_string_equal(rows[0].model_ok, "yes");
    CLOSE(rows[0].model_err_pct, 0.9, 1e-9);
    CLOSE(rows[0].model_goodput_bps, 100e6 * eff, 1e-3);
    CLOSE(rows[0].overhead_bytes, 65536.0 / 1448 * 66, 1e-9);
    assert_string_equal(rows[1].model_ok, "no");
    CLOSE(rows[1].model_err_pct, -1.1, 1e-9);
    assert_string_equal(rows[2].model_ok, "cpu");
    CLOSE(rows[2].model_goodput_bps, rows[2].goodput_bps / 0.99, 1e-3);
    assert_string_equal(rows[3].model_ok, "no");
    CLOSE(rows[3].model_err_pct, -50, 1e-9);
    assert_string_equal(rows[4].model_ok, "yes");
    CLOSE(rows[4].model_err_pct, 0, 1e-9);
    assert_string_equal(rows[5].model_ok, "");
    assert_true(isnan(rows[5].model_err_pct));
    assert_int_equal(run.nyes, 2);
    assert_int_equal(run.nno, 2);
    assert_int_equal(run.ncpu, 1);
    assert_int_equal(run.nskip, 1);
    /* A sender at 96 % of its core, 3 % short of the link: its CPU bound
     * extrapolates to just over the link, but it had nothing to spare. The
     * row is CPU-bound and keeps the link's prediction. */
    struct test_result flat = row("udp", "stream", 64, 100e6 * 64 / 106 * 0.97);
    flat.cpu_client_pct = 96;
    flat.messages = flat.goodput_bps * flat.duration_s / 8 / 64;
    struct model_run r1;
    assert_int_equal(model_apply(&flat, 1, &o, &r1, err, sizeof(err)), 0);
    assert_string_equal(flat.model_ok, "cpu");
    CLOSE(flat.model_err_pct, -3, 1e-9);
    model_run_close(&r1);
    /* The same shortfall at 50 % CPU is a miss. */
    flat.cpu_client_pct = 50;
    assert_int_equal(model_apply(&flat, 1, &o, &r1, err, sizeof(err)), 0);
    assert_string_equal(flat.model_ok, "no");
    model_run_close(&r1);
    /* The same shortfall with the host stealing 2.5 % of a core in the
     * window: 3 % is within 1 % + 2.5 %, a steal row, not a miss. */
    flat.steal_pct = 2.5;
    assert_int_equal(model_apply(&flat, 1, &o, &r1, err, sizeof(err)), 0);
    assert_string_equal(flat.model_ok, "steal");
    CLOSE(flat.model_err_pct, -3, 1e-9);
    assert_int_equal(r1.nsteal, 1);
    assert_int_equal(r1.nno, 0);
    model_run_close(&r1);
    /* Steal that cannot explain the shortfall (1 % + 1.5 % < 3 %). */
    flat.steal_pct = 1.5;
    assert_int_equal(model_apply(&flat, 1, &o, &r1, err, sizeof(err)), 0);
    assert_string_equal(flat.model_ok, "no");
    model_run_close(&r1);
    /* Steal never excuses a row above the model. */
    flat.goodput_bps = 100e6 * 64 / 106 * 1.03;
    flat.steal_pct = 10;
    assert_int_equal(model_apply(&flat, 1, &o, &r1, err, sizeof(err)), 0);
    assert_string_equal(flat.model_ok, "no");
    CLOSE(flat.model_err_pct, 3, 1e-9);
    model_run_close(&r1);
    /* A wider tolerance accepts the 1.1 % row. */
    model_run_close(&run);
    o.tolerance_pct = 2;
    assert_int_equal(model_apply(rows, 6, &o, &run, err, sizeof(err)), 0);
    assert_string_equal(rows[1].model_ok, "yes");
    model_run_close(&run);
}

/* Serial rows with C known: t0 comes from the rows, slope fixed. */
static void test_known_link_serial(void **state)
{
    (void)state;
    struct test_result rows[6];
    synth_rr(rows, 6, 100e6, 80e-6, NULL);
    struct model_opts o;
    model_opts_defaults(&o);
    o.link_rate_bps = 100e6;
    struct model_run run;
    char err[128];
    assert_int_equal(model_apply(rows, 6, &o, &run, err, sizeof(err)), 0);
    CLOSE(run.groups[0].t0_s, 80e-6, 1e-12);
    for (size_t i = 0; i < 6; i++)
        CLOSE(rows[i].model_err_pct, 0, 1e-6);
    model_run_close(&run);
    /* The same rows checked against a link twice as fast miss. */
    o.link_rate_bps = 200e6;
    assert_int_equal(model_apply(rows, 6, &o, &run, err, sizeof(err)), 0);
    assert_true(run.nno > 0);
    model_run_close(&run);
}

/* No link rate: C comes from the sweep, without the row whose sender was
 * out of CPU. */
static void test_fit_skips_cpu_rows(void **state)
{
    (void)state;
    struct test_result rows[4] = {
        row("udp", "stream", 512, 100e6 * 512 / 554),
        row("udp", "stream", 1024, 100e6 * 1024 / 1066),
        row("udp", "stream", 1472, 100e6 * 1472 / 1514),
        row("udp", "stream", 64, 100e6 * 64 / 106 * 0.5),
    };
    rows[3].cpu_client_pct = 98;
    rows[3].messages = rows[3].goodput_bps * rows[3].duration_s / 8 / 64;
    struct model_opts o;
    model_opts_defaults(&o);
    struct model_run run;
    char err[128];
    assert_int_equal(model_apply(rows, 4, &o, &run, err, sizeof(err)), 0);
    assert_int_equal(run.groups[0].fit.n, 3);
    assert_int_equal(run.groups[0].nrows, 4);
    CLOSE(run.groups[0].c_bps / 100e6, 1, 1e-9);
    CLOSE(run.groups[0].t0_s, 0, 1e-12);
    assert_false(run.groups[0].c_known);
    assert_string_equal(rows[0].model_ok, "yes");
    assert_string_equal(rows[3].model_ok, "cpu");
    model_run_close(&run);
}

/* A line through two points fits them exactly: no verdict can come of it.
 * With a third size the residuals decide, and a row off the line fails
 * (sizes far apart: 64 B, 1 KiB, 16 KiB, else one dof leaves C unknown). */
static void test_fit_needs_three(void **state)
{
    (void)state;
    struct test_result rows[9];
    synth_rr(rows, 9, 250e6, 42e-6, NULL);
    rows[1] = rows[4];
    rows[2] = rows[8];
    rows[1].goodput_bps *= 0.9; /* two rows: the fit still passes through it */
    struct model_opts o;
    model_opts_defaults(&o);
    struct model_run run;
    char err[128], *buf = NULL;
    size_t len = 0;
    assert_int_equal(model_apply(rows, 2, &o, &run, err, sizeof(err)), 0);
    assert_true(isnan(run.groups[0].c_bps));
    assert_non_null(run.groups[0].unchecked);
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(rows[i].model_ok, "");
        assert_true(isnan(rows[i].model_err_pct));
    }
    assert_int_equal(run.nyes, 0);
    assert_int_equal(run.nskip, 2);
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    model_report(out, rows, 2, &o, &run);
    fclose(out);
    assert_null(strstr(buf, "R^2 = 1"));
    assert_non_null(strstr(buf, "a line through two sizes fits them exactly"));
    assert_non_null(strstr(buf, "not checked (two sizes: exact fit, see above)"));
    free(buf);
    model_run_close(&run);
    assert_int_equal(model_apply(rows, 3, &o, &run, err, sizeof(err)), 0);
    assert_true(run.nno > 0);
    assert_true(run.groups[0].fit.r2 < 1);
    model_run_close(&run);
    /* A known link with one serial row: t0 from that row predicts it. */
    synth_rr(rows, 1, 100e6, 80e-6, NULL);
    o.link_rate_bps = 100e6;
    assert_int_equal(model_apply(rows, 1, &o, &run, err, sizeof(err)), 0);
    assert_string_equal(rows[0].model_ok, "");
    assert_non_null(run.groups[0].unchecked);
    model_run_close(&run);
}

/* Every sweep left unchecked says why; a CPU-saturated row does not
 * shrink a three-size sweep to an exact two-point line. */
static void test_unchecked_reasons(void **state)
{
    (void)state;
    struct model_opts o;
    model_opts_defaults(&o);
    struct model_run run;
    char err[128];
    struct test_result one = row("tcp", "stream", 65536, 20e9);
    assert_int_equal(model_apply(&one, 1, &o, &run, err, sizeof(err)), 0);
    assert_string_equal(run.groups[0].why, "one size, no known link");
    assert_non_null(strstr(run.groups[0].unchecked, "three sizes"));
    model_run_close(&run);

    /* Loopback rr: the time per transaction falls as the size grows. */
    struct test_result rr[3];
    synth_rr(rr, 3, 10e9, 30e-6, (const double[]){0.2, 0, -0.2});
    assert_int_equal(model_apply(rr, 3, &o, &run, err, sizeof(err)), 0);
    assert_string_equal(run.groups[0].why, "time does not grow with size");
    assert_int_equal(run.nskip, 3);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    model_report(out, rr, 3, &o, &run);
    fclose(out);
    assert_non_null(strstr(buf, "not checked (time does not grow with size, see above)"));
    assert_non_null(strstr(buf, "fitted 1/C <= 0"));
    free(buf);
    model_run_close(&run);

    /* Three sizes, one with its sender at 99 %: all three make the fit. */
    synth_rr(rr, 3, 250e6, 42e-6, NULL);
    rr[0].cpu_client_pct = 99;
    assert_int_equal(model_apply(rr, 3, &o, &run, err, sizeof(err)), 0);
    assert_int_equal(run.groups[0].fit.n, 3);
    assert_null(run.groups[0].why);
    assert_int_equal(run.nyes, 3);
    model_run_close(&run);
}

/* The prediction interval a fitted row gets is the one the other rows'
 * line gives it, here computed by fitting them without it. */
static void test_pred_interval(void **state)
{
    (void)state;
    const double x[5] = {1, 2, 4, 7, 11}, y[5] = {3.1, 4.9, 9.2, 14.8, 23.5};
    struct model_fit f, o;
    assert_int_equal(model_fit_linear(x, y, 5, &f), 0);
    for (size_t i = 0; i < 5; i++) {
        double xo[4], yo[4];
        for (size_t j = 0, k = 0; j < 5; j++)
            if (j != i) {
                xo[k] = x[j];
                yo[k++] = y[j];
            }
        assert_int_equal(model_fit_linear(xo, yo, 4, &o), 0);
        /* The other rows' interval around their line at x[i] ... */
        double w = model_fit_pred_hw(&o, x[i], y[i], false);
        CLOSE(w, model_fit_t975(2) * o.resid_sd * sqrt(1 + 0.25 + pow(x[i] - o.x_mean, 2) / o.sxx),
              1e-12);
        /* ... says the same of row i as its interval around the full
         * line: outside one exactly when outside the other. */
        double d = fabs(y[i] - o.intercept - o.slope * x[i]);
        double e = fabs(y[i] - f.intercept - f.slope * x[i]);
        double wf = model_fit_pred_hw(&f, x[i], y[i], true);
        CLOSE(e / wf, d / w, 1e-9);
    }
    /* Three points: the other two make an exact line, no interval. */
    assert_int_equal(model_fit_linear(x, y, 3, &f), 0);
    assert_true(isnan(model_fit_pred_hw(&f, x[0], y[0], true)));
    assert_true(isfinite(model_fit_pred_hw(&f, 5, 10, false)));
}

static char *report_of(struct test_result *rows, size_t n, const struct model_opts *o,
                       const struct model_run *run)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    model_report(out, rows, n, o, run);
    fclose(out);
    return buf;
}

/* Without a known link, four sizes: one row far off a line the others
 * agree on is outside; the others, dragged off the fit by it beyond the
 * tolerance, are within the noise its own residual shows. */
static void test_fit_outlier(void **state)
{
    (void)state;
    struct test_result rows[7];
    synth_rr(rows, 7, 250e6, 42e-6, (const double[]){0.002, 0, 0.2, 0, -0.002, 0, 0.001});
    for (size_t i = 1; i < 4; i++)
        rows[i] = rows[2 * i]; /* 64 B, 256 B, 1 KiB, 4 KiB */
    struct model_opts o;
    model_opts_defaults(&o);
    struct model_run run;
    char err[128];
    assert_int_equal(model_apply(rows, 4, &o, &run, err, sizeof(err)), 0);
    assert_true(isfinite(run.groups[0].c_bps));
    assert_true(fabs(rows[0].model_err_pct) > 1 && fabs(rows[2].model_err_pct) > 1);
    assert_string_equal(rows[0].model_ok, "yes");
    assert_string_equal(rows[1].model_ok, "no");
    assert_string_equal(rows[2].model_ok, "yes");
    assert_string_equal(rows[3].model_ok, "yes");
    assert_int_equal(run.nno, 1);
    assert_int_equal(run.nnoise, 2);
    assert_true(fabs(rows[1].model_err_pct) > run.pi_pct[1]);
    char *txt = report_of(rows, 4, &o, &run);
    assert_non_null(strstr(txt, "prediction interval"));
    assert_non_null(strstr(txt, ": outside both)"));
    assert_non_null(strstr(txt, "(2 of them only within the fit's noise)"));
    free(txt);
    model_run_close(&run);
}

/* Four sizes scattered 2 to 3 % about their line: every residual is beyond
 * the 1 % tolerance, none beyond what the other rows' scatter predicts. */
static void test_fit_noise_within(void **state)
{
    (void)state;
    struct test_result rows[7];
    synth_rr(rows, 7, 250e6, 42e-6, (const double[]){0.02, 0, -0.03, 0, 0.01, 0, 0.01});
    for (size_t i = 1; i < 4; i++)
        rows[i] = rows[2 * i];
    struct model_opts o;
    model_opts_defaults(&o);
    struct model_run run;
    char err[128];
    assert_int_equal(model_apply(rows, 4, &o, &run, err, sizeof(err)), 0);
    double worst = 0;
    for (size_t i = 0; i < 4; i++) {
        worst = fmax(worst, fabs(rows[i].model_err_pct));
        assert_string_equal(rows[i].model_ok, "yes");
    }
    assert_true(worst > 2);
    assert_int_equal(run.nno, 0);
    char *txt = report_of(rows, 4, &o, &run);
    assert_non_null(strstr(txt, "within the fit's noise)"));
    assert_non_null(strstr(txt, "within tolerance)"));
    free(txt);
    model_run_close(&run);
}

/* Loopback rr: 30 us of fixed cost hide bytes at 10 Gbit/s; a line still
 * rises, but C's 95 % interval is wider than C. Nothing is checked. */
static void test_fit_too_uncertain(void **state)
{
    (void)state;
    struct test_result rows[7];
    synth_rr(rows, 7, 10e9, 30e-6, (const double[]){0.02, 0, -0.01, 0, 0.01, 0, 0});
    for (size_t i = 1; i < 4; i++)
        rows[i] = rows[2 * i];
    struct model_opts o;
    model_opts_defaults(&o);
    struct model_run run;
    char err[128];
    assert_int_equal(model_apply(rows, 4, &o, &run, err, sizeof(err)), 0);
    const struct model_group *g = &run.groups[0];
    assert_true(g->fit.slope > 0);
    assert_non_null(g->why);
    assert_string_equal(g->why, "the fit is too uncertain");
    assert_non_null(strstr(g->unchecked, "wider than C itself"));
    assert_int_equal(run.nskip, 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(rows[i].model_ok, "");
    char *txt = report_of(rows, 4, &o, &run);
    assert_non_null(strstr(txt, "not checked (the fit is too uncertain, see above)"));
    assert_non_null(strstr(txt, "R^2 = "));
    free(txt);
    model_run_close(&run);
    /* Noisier still: 1/C's interval takes in zero, C any rate at all. */
    synth_rr(rows, 7, 10e9, 30e-6, (const double[]){0.05, 0, -0.04, 0, 0.03, 0, 0.01});
    for (size_t i = 1; i < 4; i++)
        rows[i] = rows[2 * i];
    assert_int_equal(model_apply(rows, 4, &o, &run, err, sizeof(err)), 0);
    assert_non_null(run.groups[0].unchecked);
    assert_non_null(strstr(run.groups[0].unchecked, "includes zero"));
    model_run_close(&run);
}

static void test_report(void **state)
{
    (void)state;
    struct test_result rows[3] = {
        row("udp", "stream", 512, 100e6 * 512 / 554),
        row("udp", "stream", 1472, 100e6 * 1472 / 1514),
        row("tcp", "stream", 8192, 100e6 * 1448 / 1514),
    };
    struct model_opts o;
    model_opts_defaults(&o);
    o.link_rate_bps = 100e6;
    struct model_run run;
    char err[128], *buf = NULL;
    size_t len = 0;
    assert_int_equal(model_apply(rows, 3, &o, &run, err, sizeof(err)), 0);
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    model_report(out, rows, 3, &o, &run);
    fclose(out);
    assert_non_null(strstr(buf, "100.000 Mbit/s, known"));
    assert_non_null(strstr(buf, "pipelined form"));
    /* Efficiency 1472 / 1514 = 97.2259 %, predicted and measured. */
    assert_non_null(strstr(buf, "97.2259%   97.2259%"));
    assert_non_null(strstr(buf, "3 within tolerance"));
    free(buf);
    model_run_close(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_udp_overhead),        cmocka_unit_test(test_tcp_overhead),
        cmocka_unit_test(test_tls_records),         cmocka_unit_test(test_msg_of),
        cmocka_unit_test(test_t_quantile),          cmocka_unit_test(test_fit_exact),
        cmocka_unit_test(test_fit_noise),           cmocka_unit_test(test_fit_degenerate),
        cmocka_unit_test(test_known_link_verdicts), cmocka_unit_test(test_known_link_serial),
        cmocka_unit_test(test_fit_skips_cpu_rows),  cmocka_unit_test(test_report),
        cmocka_unit_test(test_fit_needs_three),     cmocka_unit_test(test_unchecked_reasons),
        cmocka_unit_test(test_ws_frames),           cmocka_unit_test(test_pred_interval),
        cmocka_unit_test(test_fit_outlier),         cmocka_unit_test(test_fit_noise_within),
        cmocka_unit_test(test_fit_too_uncertain),   cmocka_unit_test(test_h2_overhead),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
