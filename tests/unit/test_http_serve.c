/* The server connection state machine, driven as a connection would be:
 * input in pieces, output written in short writes, and the output read back
 * by the client's response reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http_client.h"
#include "http_serve.h"

static char out[1 << 16];
static size_t outlen;
static char date[30] = "Sun, 06 Nov 1994 08:49:37 GMT";
static const char pattern[] = "0123456789";

/* Writes what is pending, at most `wstep` bytes per write. */
static void flush(struct http_serve *s, size_t wstep)
{
    struct iovec iov[8];
    int n;
    while ((n = http_serve_pending(s, iov, 8)) > 0) {
        size_t room = wstep;
        size_t w = 0;
        for (int i = 0; i < n && room > 0; i++) {
            size_t l = iov[i].iov_len < room ? iov[i].iov_len : room;
            assert_true(outlen + l <= sizeof(out));
            memcpy(out + outlen, iov[i].iov_base, l);
            outlen += l;
            w += l;
            room -= l;
        }
        http_serve_sent(s, w);
    }
}

/* Runs the input through a fresh connection, rstep bytes per read and
 * wstep bytes per write. Returns the bytes still held at the end. */
static size_t drive(const char *in, size_t len, size_t rstep, size_t wstep, struct http_serve *s)
{
    static char buf[1 << 16];
    size_t held = 0, pos = 0;
    http_serve_init(s, pattern, sizeof(pattern) - 1, date, 1 << 20);
    outlen = 0;
    for (int guard = 0; guard < 100000 && !http_serve_done(s); guard++) {
        size_t add = len - pos < rstep ? len - pos : rstep;
        memcpy(buf + held, in + pos, add);
        pos += add;
        held += add;
        size_t used = http_serve_input(s, buf, held);
        memmove(buf, buf + used, held - used);
        held -= used;
        flush(s, wstep);
        if (pos == len && used == 0)
            break;
    }
    return held;
}

struct resp {
    int status;
    uint64_t body;
};

/* Reads the responses back (response number `head` answered a HEAD);
 * returns how many. */
static size_t responses(struct resp *r, size_t max, size_t head)
{
    struct http_reader rd;
    memset(&rd, 0, sizeof(rd));
    size_t off = 0, n = 0;
    while (off < outlen) {
        size_t used;
        if (http_reader_idle(&rd))
            rd.head_request = n == head;
        enum http_read_result res = http_reader_feed(&rd, out + off, outlen - off, &used);
        assert_int_not_equal(res, HTTP_READ_ERROR);
        off += used;
        if (res == HTTP_READ_MORE)
            break;
        assert_true(n < max);
        r[n].status = rd.resp.status;
        r[n++].body = rd.body_bytes;
    }
    assert_int_equal(off, outlen);
    return n;
}

static const char pipelined[] = "GET /bytes/25 HTTP/1.1\r\nHost: a\r\n\r\n"
                                "POST /sink HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n"
                                "hello world!"
                                "POST /sink HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                                "Expect: 100-continue\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                                "GET /nope HTTP/1.1\r\nHost: a\r\n\r\n"
                                "HEAD /bytes/99 HTTP/1.1\r\nHost: a\r\n\r\n"
                                "GET /bytes/3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                                "GET /bytes/4 HTTP/1.1\r\nHost: a\r\n\r\n";

static void test_pipelined_any_split(void **state)
{
    (void)state;
    size_t steps[][2] = {{1, 1}, {3, 7}, {64, 5}, {sizeof(pipelined), 1 << 16}, {17, 1 << 16}};
    for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
        struct http_serve s;
        drive(pipelined, sizeof(pipelined) - 1, steps[k][0], steps[k][1], &s);
        assert_true(http_serve_done(&s));
        struct resp r[10];
        /* The 100 Continue is interim: the reader folds it into the next. */
        assert_int_equal(responses(r, 10, 4), 6);
        assert_int_equal(r[0].status, 200);
        assert_int_equal(r[0].body, 25);
        assert_int_equal(r[1].status, 200);
        assert_int_equal(r[1].body, strlen("received 12\n"));
        assert_int_equal(r[2].status, 200);
        assert_int_equal(r[3].status, 404);
        assert_int_equal(r[4].status, 200); /* HEAD: Content-Length 99, no body */
        assert_int_equal(r[4].body, 0);
        assert_int_equal(r[5].status, 200);
        assert_int_equal(r[5].body, 3);
        assert_non_null(strstr(out, "Content-Length: 99\r\n"));
        assert_int_equal(s.requests, 6);
        assert_int_equal(s.errors, 1);
        assert_int_equal(s.rx_body, 12 + 15); /* chunk framing counts as read */
        assert_int_equal(s.tx_body, 25 + 3);
        assert_non_null(strstr(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"));
        assert_non_null(strstr(out, "\r\n\r\nreceived 5\n"));
        assert_null(strstr(out, "/bytes/4"));
    }
}

static void test_errors_close(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int status;
    } cases[] = {
        {"GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\nGET /bytes/1 HTTP/1.1\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
         400},
        {"POST /sink HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
        {"POST /sink HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\n", 413},
        {"GET /bytes/1 HTTP/1.0\r\n\r\n", 200},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct http_serve s;
        drive(cases[i].in, strlen(cases[i].in), 1000, 1000, &s);
        assert_true(http_serve_done(&s));
        struct resp r[2];
        assert_int_equal(responses(r, 2, 9), 1);
        assert_int_equal(r[0].status, cases[i].status);
        assert_non_null(strstr(out, "Connection: close\r\n"));
    }
    /* A head over the limit: 431 even though it never ends. */
    static char big[20000];
    size_t n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\n");
    while (n < sizeof(big) - 40)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "X-Pad: aaaaaaaaaaaaaaaaaaaa\r\n");
    struct http_serve s;
    drive(big, n, 4096, 1000, &s);
    struct resp r[2];
    assert_int_equal(responses(r, 2, 9), 1);
    assert_int_equal(r[0].status, 431);
}

static void test_peer_closed(void **state)
{
    (void)state;
    struct http_serve s;
    const char *in = "POST /sink HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc";
    drive(in, strlen(in), 1000, 1000, &s);
    assert_false(http_serve_done(&s));
    assert_false(http_serve_peer_closed(&s, 0));
    in = "GET /bytes/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /by";
    size_t held = drive(in, strlen(in), 1000, 1000, &s);
    assert_int_equal(held, 7);
    assert_false(http_serve_peer_closed(&s, held));
    assert_true(http_serve_peer_closed(&s, 0));
}

/* A request for a path under /ws/ stops the connection: what came before
 * it is answered, it is left whole at the start of the input (for the
 * WebSocket code), and nothing after it is taken; any read and write split. */
static void test_upgrade(void **state)
{
    (void)state;
    static const char ws[] = "GET /ws/echo HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n";
    static const char in[] = "GET /bytes/3 HTTP/1.1\r\nHost: a\r\n\r\n"
                             "GET /ws/echo HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n"
                             "\x81\x85"
                             "abcd";
    struct http_serve s;
    for (size_t rstep = 1; rstep < sizeof(in); rstep += 7) {
        for (size_t wstep = 1; wstep < 100; wstep *= 3) {
            size_t held = drive(in, sizeof(in) - 1, rstep, wstep, &s);
            assert_true(http_serve_upgrade(&s));
            assert_false(http_serve_done(&s));
            struct resp r[2];
            assert_int_equal(responses(r, 2, 9), 1);
            assert_int_equal(r[0].status, 200);
            assert_int_equal(r[0].body, 3);
            /* The upgrade request whole, and the frame bytes behind it. */
            assert_int_equal(held, sizeof(ws) - 1 + 6);
        }
    }
    /* Only paths under /ws/ are handed over. */
    static const char not_ws[] = "GET /wsx HTTP/1.1\r\nHost: a\r\n\r\n";
    drive(not_ws, sizeof(not_ws) - 1, 100, 100, &s);
    assert_false(http_serve_upgrade(&s));
    struct resp r[1];
    assert_int_equal(responses(r, 1, 9), 1);
    assert_int_equal(r[0].status, 404);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipelined_any_split),
        cmocka_unit_test(test_errors_close),
        cmocka_unit_test(test_peer_closed),
        cmocka_unit_test(test_upgrade),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
