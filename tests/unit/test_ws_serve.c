/* The server's WebSocket state machine: echo of every length form, text
 * and binary, fragmented; ping and close; the close code each kind of
 * hostile input gets; the sink's counts. Frames are built as a client
 * sends them (masked) and the output is parsed as a client reads it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ws_frame.h"
#include "ws_serve.h"

static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};

/* Appends a masked client frame to buf at *len. */
static void frame(uint8_t *buf, size_t *len, bool fin, uint8_t op, const void *p, size_t n)
{
    unsigned h = ws_write_header(buf + *len, fin, op, n, key);
    memcpy(buf + *len + h, p, n);
    ws_mask(buf + *len + h, n, key, 0);
    *len += h + n;
}

/* Everything pending, concatenated into out; returns its length. */
static size_t drain(struct ws_serve *s, uint8_t *out, size_t cap)
{
    struct iovec iov[WS_SERVE_IOV + 1];
    size_t len = 0;
    int n = ws_serve_pending(s, iov, WS_SERVE_IOV + 1);
    for (int i = 0; i < n; i++) {
        assert_true(len + iov[i].iov_len <= cap);
        memcpy(out + len, iov[i].iov_base, iov[i].iov_len);
        len += iov[i].iov_len;
    }
    ws_serve_sent(s, len);
    assert_int_equal(ws_serve_pending(s, iov, 1), 0);
    return len;
}

/* Parses the server frame at out (RSV1 allowed: a compressed echo may come
 * before a close); returns its header length. */
static unsigned server_frame(const uint8_t *out, size_t len, struct ws_frame *f)
{
    int h = ws_parse_header_ext(out, len, WS_CLIENT, 0, true, f);
    assert_true(h > 0);
    return (unsigned)h;
}

/* The code of the close frame that ends out (echoed frames may come
 * before it: an error is found at the frame that has it). */
static unsigned close_code_of(const uint8_t *out, size_t len)
{
    struct ws_frame f;
    unsigned h = server_frame(out, len, &f);
    while (f.opcode != WS_OP_CLOSE && h + f.payload_len < len) {
        out += h + f.payload_len;
        len -= h + f.payload_len;
        h = server_frame(out, len, &f);
    }
    assert_int_equal(f.opcode, WS_OP_CLOSE);
    assert_true(f.payload_len >= 2);
    return (unsigned)out[h] << 8 | out[h + 1];
}

static void echo_size(size_t n, uint8_t op)
{
    struct ws_serve s;
    ws_serve_init(&s, false, 0);
    uint8_t *msg = malloc(n + 1), *in = malloc(n + 64), *out = malloc(n + 64);
    assert_non_null(msg);
    assert_non_null(in);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++)
        msg[i] = (uint8_t)('a' + i % 26);
    size_t len = 0;
    frame(in, &len, true, op, msg, n);
    /* Byte by byte until the header is whole: nothing is taken early. */
    assert_int_equal(ws_serve_input(&s, in, 1), 0);
    assert_int_equal(ws_serve_need(&s, in, len), len);
    assert_int_equal(ws_serve_input(&s, in, len), len);
    size_t o = drain(&s, out, n + 64);
    struct ws_frame f;
    unsigned h = server_frame(out, o, &f);
    assert_true(f.fin);
    assert_false(f.rsv1);
    assert_int_equal(f.opcode, op);
    assert_int_equal(f.payload_len, n);
    assert_int_equal(o, h + n);
    assert_memory_equal(out + h, msg, n);
    assert_int_equal(s.msgs, 1);
    free(msg);
    free(in);
    free(out);
}

static void test_echo_lengths(void **state)
{
    (void)state;
    size_t sizes[] = {0, 1, 125, 126, 127, 65535, 65536, 70000};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        echo_size(sizes[i], WS_OP_BINARY);
        echo_size(sizes[i], WS_OP_TEXT);
    }
}

/* Fragments come back as fragments, with a ping between them answered
 * in its place. */
static void test_echo_fragments_ping(void **state)
{
    (void)state;
    struct ws_serve s;
    ws_serve_init(&s, false, 0);
    uint8_t in[256], out[256];
    size_t len = 0;
    frame(in, &len, false, WS_OP_TEXT, "h\xc3", 2); /* a character split */
    frame(in, &len, true, WS_OP_PING, "pi", 2);
    frame(in, &len, true, WS_OP_CONT, "\xa9llo", 4);
    assert_int_equal(ws_serve_input(&s, in, len), len);
    size_t o = drain(&s, out, sizeof(out));
    struct ws_frame f;
    size_t at = 0;
    unsigned h = server_frame(out, o, &f);
    assert_false(f.fin);
    assert_int_equal(f.opcode, WS_OP_TEXT);
    assert_memory_equal(out + h, "h\xc3", 2);
    at += h + 2;
    h = server_frame(out + at, o - at, &f);
    assert_int_equal(f.opcode, WS_OP_PONG);
    assert_memory_equal(out + at + h, "pi", 2);
    at += h + 2;
    h = server_frame(out + at, o - at, &f);
    assert_true(f.fin);
    assert_int_equal(f.opcode, WS_OP_CONT);
    assert_memory_equal(out + at + h, "\xa9llo", 4);
    assert_int_equal(at + h + 4, o);
    assert_int_equal(s.msgs, 1);
    assert_int_equal(s.pings, 1);
}

static void test_close_echoed(void **state)
{
    (void)state;
    struct ws_serve s;
    ws_serve_init(&s, false, 0);
    uint8_t in[64], out[256];
    size_t len = 0;
    frame(in, &len, true, WS_OP_CLOSE, "\x0f\xa0", 2); /* 4000 */
    assert_int_equal(ws_serve_input(&s, in, len), len);
    assert_false(ws_serve_done(&s));
    size_t o = drain(&s, out, sizeof(out));
    assert_int_equal(close_code_of(out, o), 4000);
    assert_true(ws_serve_done(&s));
    assert_true(ws_serve_peer_closed(&s));
}

/* What the rules refuse closes with the code owed; input after it is dropped. */
static unsigned hostile(const uint8_t *in, size_t len, bool sink, uint64_t max)
{
    struct ws_serve s;
    uint8_t buf[512], out[512];
    ws_serve_init(&s, sink, max);
    memcpy(buf, in, len);
    size_t used = ws_serve_input(&s, buf, len);
    assert_int_equal(used, len);
    size_t o = drain(&s, out, sizeof(out));
    assert_true(ws_serve_done(&s));
    assert_int_equal(ws_serve_input(&s, buf, len), len);
    return close_code_of(out, o);
}

static void test_hostile(void **state)
{
    (void)state;
    for (int sink = 0; sink < 2; sink++) {
        uint8_t in[512];
        size_t len = 0;
        const uint8_t unmasked[] = {0x82, 0x01, 0x00};
        assert_int_equal(hostile(unmasked, 3, sink, 0), WS_CLOSE_PROTOCOL);
        const uint8_t rsv[] = {0xC2, 0x80, 1, 2, 3, 4};
        assert_int_equal(hostile(rsv, 6, sink, 0), WS_CLOSE_PROTOCOL);
        const uint8_t op3[] = {0x83, 0x80, 1, 2, 3, 4};
        assert_int_equal(hostile(op3, 6, sink, 0), WS_CLOSE_PROTOCOL);
        const uint8_t bigping[] = {0x89, 0xFE, 0x00, 0x7E, 1, 2, 3, 4};
        assert_int_equal(hostile(bigping, 8, sink, 0), WS_CLOSE_PROTOCOL);
        const uint8_t fragping[] = {0x09, 0x80, 1, 2, 3, 4};
        assert_int_equal(hostile(fragping, 6, sink, 0), WS_CLOSE_PROTOCOL);
        const uint8_t len63[] = {0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
        assert_int_equal(hostile(len63, 14, sink, 0), WS_CLOSE_PROTOCOL);
        len = 0;
        frame(in, &len, true, WS_OP_TEXT, "\xc0\xaf", 2); /* overlong '/' */
        assert_int_equal(hostile(in, len, sink, 0), WS_CLOSE_BAD_DATA);
        len = 0;
        frame(in, &len, true, WS_OP_TEXT, "ok\xe2\x82", 4); /* ends mid-character */
        assert_int_equal(hostile(in, len, sink, 0), WS_CLOSE_BAD_DATA);
        len = 0;
        frame(in, &len, true, WS_OP_CONT, "x", 1); /* continuation of nothing */
        assert_int_equal(hostile(in, len, sink, 0), WS_CLOSE_PROTOCOL);
        len = 0;
        frame(in, &len, true, WS_OP_CLOSE, "\x03\xed", 2); /* 1005 may not be sent */
        assert_int_equal(hostile(in, len, sink, 0), WS_CLOSE_PROTOCOL);
        /* A fragmented message that never ends, over the limit of 100. */
        len = 0;
        frame(in, &len, false, WS_OP_BINARY, "0123456789012345678901234567890123456789", 40);
        for (int i = 0; i < 3; i++)
            frame(in, &len, false, WS_OP_CONT, "0123456789012345678901234567890123456789", 40);
        assert_int_equal(hostile(in, len, sink, 100), WS_CLOSE_TOO_BIG);
    }
}

/* The sink streams: a frame's payload is taken in pieces, counted, and
 * nothing but the close comes back, whose reason carries the counts. */
static void test_sink(void **state)
{
    (void)state;
    struct ws_serve s;
    ws_serve_init(&s, true, 0);
    uint8_t in[2048], out[256];
    char msg[1000];
    memset(msg, 'z', sizeof(msg));
    size_t len = 0;
    frame(in, &len, false, WS_OP_TEXT, msg, 1000);
    frame(in, &len, true, WS_OP_CONT, msg, 10);
    frame(in, &len, true, WS_OP_BINARY, "", 0);
    size_t off = 0;
    while (off < len) { /* seven bytes at a time */
        size_t n = len - off < 7 ? len - off : 7;
        uint8_t piece[7];
        memcpy(piece, in + off, n);
        size_t u = ws_serve_input(&s, piece, n);
        assert_int_equal(ws_serve_pending(&s, (struct iovec[1]){{0}}, 1), 0);
        off += u;
        if (u < n) { /* a header split: offer it again with more behind */
            uint8_t two[14];
            size_t m = len - off < sizeof(two) ? len - off : sizeof(two);
            memcpy(two, in + off, m);
            off += ws_serve_input(&s, two, m);
        }
    }
    assert_int_equal(s.msgs, 2);
    assert_int_equal(s.rx_payload, 1010);
    len = 0;
    frame(in, &len, true, WS_OP_CLOSE, "\x03\xe8", 2);
    assert_int_equal(ws_serve_input(&s, in, len), len);
    size_t o = drain(&s, out, sizeof(out));
    assert_int_equal(close_code_of(out, o), 1000);
    struct ws_frame f;
    unsigned h = server_frame(out, o, &f);
    assert_memory_equal(out + h + 2, "msgs=2 bytes=1010", 17);
}

/* --- permessage-deflate ------------------------------------------------- */

static void on(struct ws_serve *s, bool sink, uint64_t max, const struct ws_ext *e)
{
    char err[128];
    ws_serve_init(s, sink, max);
    assert_int_equal(ws_serve_deflate(s, e, err, sizeof(err)), 0);
}

/* A message compressed as a client does, into frames of at most split
 * bytes (RSV1 on the first); returns the wire length. */
static size_t zframes(struct ws_deflate *c, uint8_t *buf, size_t len, uint8_t op, const void *p,
                      size_t n, size_t split)
{
    uint8_t z[8192];
    size_t zl = 0, used = 0;
    assert_int_equal(ws_deflate_put(c, p, n, true, z, sizeof(z), &zl, &used), 0);
    size_t off = 0;
    do {
        size_t k = zl - off < split ? zl - off : split;
        size_t at = len;
        frame(buf, &len, off + k == zl, off == 0 ? op : WS_OP_CONT, z + off, k);
        if (off == 0)
            buf[at] |= 0x40;
        off += k;
    } while (off < zl);
    return len;
}

struct got {
    uint8_t buf[8192];
    size_t len;
};

static unsigned keep(void *arg, const uint8_t *p, size_t n)
{
    struct got *g = arg;
    assert_true(g->len + n <= sizeof(g->buf));
    memcpy(g->buf + g->len, p, n);
    g->len += n;
    return 0;
}

/* The server's frames in out, inflated by the client's stream: every
 * message's first frame has RSV1; returns the messages' bytes. */
static size_t unframe(struct ws_deflate *c, const uint8_t *out, size_t o, struct got *g)
{
    size_t at = 0;
    bool first = true;
    g->len = 0;
    while (at < o) {
        struct ws_frame f;
        int h = ws_parse_header_ext(out + at, o - at, WS_CLIENT, 0, true, &f);
        assert_true(h > 0);
        assert_int_equal(f.rsv1, first);
        assert_int_equal(ws_deflate_take(c, out + at + h, (size_t)f.payload_len, f.fin, 0, keep, g),
                         0);
        at += (size_t)h + (size_t)f.payload_len;
        first = f.fin;
    }
    return g->len;
}

static void deflate_echo(const struct ws_ext *e)
{
    struct ws_serve s;
    struct ws_deflate c;
    char err[128];
    on(&s, false, 0, e);
    assert_int_equal(ws_deflate_init(&c, e, WS_CLIENT, err, sizeof(err)), 0);
    char msg[3000];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (char)('a' + (i * 31) % 26);
    static uint8_t in[16384], out[16384];
    struct got g;
    for (int r = 0; r < 3; r++) { /* again: context taken over, or not */
        size_t len = zframes(&c, in, 0, WS_OP_TEXT, msg, sizeof(msg), r == 1 ? 100 : 100000);
        size_t used = 0;
        size_t o = 0;
        while (used < len) { /* one compressed echo per batch */
            size_t u = ws_serve_input(&s, in + used, len - used);
            o += drain(&s, out + o, sizeof(out) - o);
            assert_true(u > 0);
            used += u;
        }
        assert_int_equal(unframe(&c, out, o, &g), sizeof(msg));
        assert_memory_equal(g.buf, msg, sizeof(msg));
    }
    assert_int_equal(s.msgs, 3);
    assert_int_equal(s.rx_payload, 3 * sizeof(msg));
    assert_true(s.rx_wire < s.rx_payload / 2);
    /* An uncompressed message on the same connection comes back as it went. */
    size_t len = 0;
    frame(in, &len, true, WS_OP_BINARY, "plain", 5);
    assert_int_equal(ws_serve_input(&s, in, len), len);
    size_t o = drain(&s, out, sizeof(out));
    struct ws_frame f;
    unsigned h = server_frame(out, o, &f);
    assert_false(f.rsv1);
    assert_memory_equal(out + h, "plain", 5);
    ws_deflate_free(&c);
    ws_serve_free(&s);
    ws_serve_free(&s);
}

static void test_deflate_echo(void **state)
{
    (void)state;
    struct ws_ext e = {.on = true, .server_bits = 15, .client_bits = 15};
    deflate_echo(&e);
    e = (struct ws_ext){true, true, true, 10, 15};
    deflate_echo(&e);
}

/* The sink counts what messages inflate to, their wire bytes apart. */
static void test_deflate_sink(void **state)
{
    (void)state;
    struct ws_ext e = {.on = true, .server_bits = 15, .client_bits = 15};
    struct ws_serve s;
    struct ws_deflate c;
    char err[128];
    on(&s, true, 0, &e);
    assert_int_equal(ws_deflate_init(&c, &e, WS_CLIENT, err, sizeof(err)), 0);
    static uint8_t in[16384], zeros[5000];
    size_t len = zframes(&c, in, 0, WS_OP_BINARY, zeros, sizeof(zeros), 3);
    len = zframes(&c, in, len, WS_OP_TEXT, "hello", 5, 100);
    for (size_t off = 0; off < len;) {
        size_t n = len - off < 5 ? len - off : 5;
        uint8_t piece[14];
        memcpy(piece, in + off, n);
        size_t u = ws_serve_input(&s, piece, n);
        if (u == 0) { /* a header split: with more behind */
            n = len - off < sizeof(piece) ? len - off : sizeof(piece);
            memcpy(piece, in + off, n);
            u = ws_serve_input(&s, piece, n);
            assert_true(u > 0);
        }
        off += u;
    }
    assert_int_equal(s.msgs, 2);
    assert_int_equal(s.rx_payload, sizeof(zeros) + 5);
    assert_true(s.rx_wire < 100);
    ws_deflate_free(&c);
    ws_serve_free(&s);
}

/* A bomb: 4 MiB of zeros in a few KiB, against a 1 MiB limit, echo and
 * sink: 1009, having inflated no more than the limit. Compressed data that
 * is not deflate gets 1007; RSV1 on a continuation, 1002. */
static void test_deflate_hostile(void **state)
{
    (void)state;
    struct ws_ext e = {.on = true, .server_bits = 15, .client_bits = 15};
    size_t big = 4u << 20;
    uint8_t *zeros = calloc(1, big), *z = malloc(8192), *in = malloc(8192), out[512];
    assert_non_null(zeros);
    for (int sink = 0; sink < 2; sink++) {
        struct ws_serve s;
        struct ws_deflate c;
        char err[128];
        assert_int_equal(ws_deflate_init(&c, &e, WS_CLIENT, err, sizeof(err)), 0);
        size_t zl = 0, used = 0;
        assert_int_equal(ws_deflate_put(&c, zeros, big, true, z, 8192, &zl, &used), 0);
        size_t len = 0;
        frame(in, &len, true, WS_OP_BINARY, z, zl);
        in[0] |= 0x40;
        on(&s, sink, 1u << 20, &e);
        assert_int_equal(ws_serve_input(&s, in, len), len);
        assert_true(s.rx_payload <= 1u << 20);
        assert_int_equal(close_code_of(out, drain(&s, out, sizeof(out))), WS_CLOSE_TOO_BIG);
        ws_serve_free(&s);

        len = 0;
        frame(in, &len, true, WS_OP_BINARY, "\xff\xff\xff", 3);
        in[0] |= 0x40;
        on(&s, sink, 0, &e);
        assert_int_equal(ws_serve_input(&s, in, len), len);
        assert_int_equal(close_code_of(out, drain(&s, out, sizeof(out))), WS_CLOSE_BAD_DATA);
        ws_serve_free(&s);

        len = 0;
        frame(in, &len, false, WS_OP_BINARY, "\x00", 1);
        in[0] |= 0x40;
        size_t at = len;
        frame(in, &len, true, WS_OP_CONT, "\x00", 1);
        in[at] |= 0x40;
        on(&s, sink, 0, &e);
        assert_int_equal(ws_serve_input(&s, in, len), len);
        assert_int_equal(close_code_of(out, drain(&s, out, sizeof(out))), WS_CLOSE_PROTOCOL);
        ws_serve_free(&s);
        ws_deflate_free(&c);
    }
    free(zeros);
    free(z);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_lengths), cmocka_unit_test(test_echo_fragments_ping),
        cmocka_unit_test(test_close_echoed), cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_sink),         cmocka_unit_test(test_deflate_echo),
        cmocka_unit_test(test_deflate_sink), cmocka_unit_test(test_deflate_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
