/* HTTP parser tests. Every input is copied so that its last byte sits just
 * before a PROT_NONE page: a read past the end crashes the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "http_chunked.h"
#include "http_parse.h"

#define GUARD_PAGES 32
#include "guard_page.h"

/* Copies n bytes of s so that they end at the guard page. */
static const char *guarded(const char *s, size_t n)
{
    return guard_copy(s, n);
}

static long resp(const char *s, size_t n, bool head, struct http_response *r)
{
    memset(r, 0, sizeof(*r));
    return http_parse_response(guarded(s, n), n, head, NULL, r);
}

static long req(const char *s, size_t n, struct http_request *r, struct http_header *h, size_t maxh)
{
    memset(r, 0, sizeof(*r));
    r->headers = h;
    r->max_headers = maxh;
    return http_parse_request(guarded(s, n), n, NULL, r);
}

static void test_response_basic(void **state)
{
    (void)state;
    const char *s = "HTTP/1.1 200 OK\r\nServer: t\r\nContent-Length: 5\r\n\r\nhello";
    struct http_header h[4];
    struct http_response r;
    memset(&r, 0, sizeof(r));
    r.headers = h;
    r.max_headers = 4;
    const char *g = guarded(s, strlen(s));
    long n = http_parse_response(g, strlen(s), false, NULL, &r);
    assert_int_equal(n, (long)strlen(s) - 5);
    assert_int_equal(r.head_bytes, (size_t)n);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.minor_version, 1);
    assert_int_equal(r.reason_len, 2);
    assert_memory_equal(r.reason, "OK", 2);
    assert_int_equal(r.nheaders, 2);
    assert_int_equal(h[1].name_len, 14);
    assert_memory_equal(h[1].value, "5", 1);
    assert_int_equal(r.body, HTTP_BODY_LENGTH);
    assert_int_equal(r.content_length, 5);
    assert_true(r.keep_alive);
    const struct http_header *f = http_header_find(h, r.nheaders, "server");
    assert_non_null(f);
    assert_int_equal(f->value_len, 1);
    assert_null(http_header_find(h, r.nheaders, "date"));
}

/* Each valid head parses whole and reports INCOMPLETE for every prefix. */
static void test_response_every_split(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n",
        "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\nX-A:  b c \r\n\r\n",
        "HTTP/1.0 200\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 204 \r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        size_t len = strlen(ok[i]);
        struct http_response r;
        for (size_t k = 0; k < len; k++)
            assert_int_equal(resp(ok[i], k, false, &r), HTTP_PARSE_INCOMPLETE);
        assert_int_equal(resp(ok[i], len, false, &r), (long)len);
    }
}

static void test_response_framing(void **state)
{
    (void)state;
    struct http_response r;
    const char *s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
    assert_true(resp(s, strlen(s), false, &r) > 0);
    assert_int_equal(r.body, HTTP_BODY_CHUNKED);
    assert_true(r.keep_alive);
    s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n";
    assert_true(resp(s, strlen(s), false, &r) > 0);
    assert_int_equal(r.body, HTTP_BODY_CLOSE);
    assert_false(r.keep_alive);
    s = "HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\nContent-Length: 3\r\n\r\n";
    assert_true(resp(s, strlen(s), false, &r) > 0);
    assert_false(r.keep_alive);
    s = "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n";
    assert_true(resp(s, strlen(s), false, &r) > 0);
    assert_false(r.keep_alive);
    s = "HTTP/1.1 200 OK\r\n\r\n";
    assert_true(resp(s, strlen(s), false, &r) > 0);
    assert_int_equal(r.body, HTTP_BODY_CLOSE);
    s = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
    assert_true(resp(s, strlen(s), true, &r) > 0); /* HEAD */
    assert_int_equal(r.body, HTTP_BODY_NONE);
    assert_int_equal(r.content_length, 100);
    assert_true(r.keep_alive);
    s = "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n";
    assert_true(resp(s, strlen(s), false, &r) > 0);
    assert_int_equal(r.body, HTTP_BODY_NONE);
    s = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n";
    assert_int_equal(resp(s, strlen(s), false, &r), 25);
    assert_int_equal(r.status, 100);
    s = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Length: 7\r\n\r\n";
    assert_true(resp(s, strlen(s), false, &r) > 0);
    assert_int_equal(r.content_length, 7);
}

struct bad {
    const char *in;
    enum http_error err;
};

static void test_response_malformed(void **state)
{
    (void)state;
    static const struct bad bad[] = {
        {"HTTP/1.1 200 OK\nContent-Length: 1\r\n\r\n", HTTP_E_START_LINE},
        {"HTTX/1.1 200 OK\r\n\r\n", HTTP_E_START_LINE},
        {"HTTP/1.1  200 OK\r\n\r\n", HTTP_E_STATUS},
        {"HTTP/1.1 20 OK\r\n\r\n", HTTP_E_STATUS},
        {"HTTP/1.1 2000 OK\r\n\r\n", HTTP_E_START_LINE},
        {"HTTP/1.1 099 OK\r\n\r\n", HTTP_E_STATUS},
        {"HTTP/1.1 600 OK\r\n\r\n", HTTP_E_STATUS},
        {"HTTP/2.0 200 OK\r\n\r\n", HTTP_E_VERSION},
        {"HTTP/1.2 200 OK\r\n\r\n", HTTP_E_VERSION},
        {"HTTP/1.1 200 O\x01K\r\n\r\n", HTTP_E_START_LINE},
        {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", HTTP_E_HEADER},
        {"HTTP/1.1 200 OK\r\nName : x\r\n\r\n", HTTP_E_HEADER},
        {"HTTP/1.1 200 OK\r\n: x\r\n\r\n", HTTP_E_HEADER},
        {"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", HTTP_E_HEADER},
        {"HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", HTTP_E_HEADER},
        {"HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", HTTP_E_HEADER},
        {"HTTP/1.1 200 OK\r\nA: b\nB: c\r\n\r\n", HTTP_E_HEADER},
        {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", HTTP_E_CONTENT_LENGTH},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", HTTP_E_CONTENT_LENGTH},
        {"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", HTTP_E_CONTENT_LENGTH},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\n", HTTP_E_CONTENT_LENGTH},
        {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", HTTP_E_CONTENT_LENGTH},
        {"HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\n", HTTP_E_CONTENT_LENGTH},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
         HTTP_E_CONTENT_LENGTH},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
         HTTP_E_FRAMING},
        {"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", HTTP_E_FRAMING},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
         HTTP_E_TRANSFER_ENCODING},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", HTTP_E_TRANSFER_ENCODING},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: ,\r\n\r\n", HTTP_E_TRANSFER_ENCODING},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct http_response r;
        long n = resp(bad[i].in, strlen(bad[i].in), false, &r);
        if (n != HTTP_PARSE_ERROR || r.err != bad[i].err)
            fail_msg("input %zu \"%s\": got %ld err %d (%s), want err %d", i, bad[i].in, n, r.err,
                     http_error_name(r.err), bad[i].err);
    }
}

/* A bad byte anywhere in a long value or reason is found, whichever
 * eight-byte word it falls in; tabs and obs-text are allowed. */
static void test_value_bytes(void **state)
{
    (void)state;
    static const unsigned char bad[] = {0x00, 0x01, 0x0d, 0x1f, 0x7f};
    for (size_t pos = 0; pos < 24; pos++) {
        for (size_t b = 0; b < sizeof(bad); b++) {
            char in[128];
            int n = snprintf(in, sizeof(in), "HTTP/1.1 200 OK\r\nX-V: %s\r\n\r\n",
                             "abcdefghijklmnopqrstuvwx");
            in[22 + pos] = (char)bad[b];
            struct http_response r;
            if (resp(in, (size_t)n, false, &r) != HTTP_PARSE_ERROR)
                fail_msg("byte 0x%02x at %zu accepted", bad[b], pos);
            n = snprintf(in, sizeof(in), "HTTP/1.1 200 %s\r\n\r\n", "abcdefghijklmnopqrstuvwx");
            in[13 + pos] = (char)bad[b];
            if (resp(in, (size_t)n, false, &r) != HTTP_PARSE_ERROR)
                fail_msg("reason byte 0x%02x at %zu accepted", bad[b], pos);
        }
    }
    const char *ok = "HTTP/1.1 200 \xc3\xa9t\xe9\r\nX-V: a\tb\x80\xff c d e f g h i j\r\n\r\n";
    struct http_response r;
    assert_int_equal(resp(ok, strlen(ok), false, &r), (long)strlen(ok));
}

static void test_response_limits(void **state)
{
    (void)state;
    static char big[20000];
    size_t n = (size_t)snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\n");
    while (n < sizeof(big) - 100)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "X-Filler: 0123456789abcdef\r\n");
    struct http_response r;
    assert_int_equal(resp(big, n, false, &r), HTTP_PARSE_ERROR);
    assert_int_equal(r.err, HTTP_E_HEAD_TOO_LARGE);
    struct http_limits lim = {0, 32768};
    memset(&r, 0, sizeof(r));
    memcpy(big + n, "\r\n", 2);
    assert_int_equal(http_parse_response(guarded(big, n + 2), n + 2, false, &lim, &r), (long)n + 2);
    assert_true(r.nheaders > 600); /* counted though not stored */
}

static void test_request_basic(void **state)
{
    (void)state;
    const char *s = "\r\nGET /bytes/1000?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\n\r\n"
                    "GET / HTTP/1.1\r\n";
    struct http_header h[8];
    struct http_request r;
    long n = req(s, strlen(s), &r, h, 8);
    assert_int_equal(n, (long)strlen(s) - 16);
    assert_int_equal(r.method_len, 3);
    assert_memory_equal(r.method, "GET", 3);
    assert_int_equal(r.target_len, 15);
    assert_memory_equal(r.target, "/bytes/1000?x=1", 15);
    assert_int_equal(r.minor_version, 1);
    assert_int_equal(r.nheaders, 2);
    assert_int_equal(r.body, HTTP_BODY_NONE);
    assert_true(r.keep_alive);
    assert_false(r.expect_continue);

    s = "POST /sink HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\nExpect: 100-Continue\r\n\r\n";
    assert_int_equal(req(s, strlen(s), &r, h, 8), (long)strlen(s));
    assert_int_equal(r.body, HTTP_BODY_LENGTH);
    assert_int_equal(r.content_length, 10);
    assert_true(r.expect_continue);

    s = "POST /sink HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n";
    assert_int_equal(req(s, strlen(s), &r, NULL, 0), (long)strlen(s));
    assert_int_equal(r.body, HTTP_BODY_CHUNKED);
    assert_false(r.keep_alive);

    s = "GET / HTTP/1.0\r\n\r\n";
    assert_int_equal(req(s, strlen(s), &r, NULL, 0), (long)strlen(s));
    assert_int_equal(r.minor_version, 0);
    assert_false(r.keep_alive);
    s = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    assert_int_equal(req(s, strlen(s), &r, NULL, 0), (long)strlen(s));
    assert_true(r.keep_alive);
}

static void test_request_every_split(void **state)
{
    (void)state;
    const char *s = "\r\nPOST /sink HTTP/1.1\r\nHost: h:1\r\nContent-Length: 3\r\n\r\n";
    size_t len = strlen(s);
    struct http_request r;
    for (size_t k = 0; k < len; k++)
        assert_int_equal(req(s, k, &r, NULL, 0), HTTP_PARSE_INCOMPLETE);
    assert_int_equal(req(s, len, &r, NULL, 0), (long)len);
}

static void test_request_malformed(void **state)
{
    (void)state;
    static const struct bad bad[] = {
        {"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_E_TARGET},
        {"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", HTTP_E_START_LINE},
        {"GET /\r\n\r\n", HTTP_E_TARGET},
        {"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_E_METHOD},
        {" GET / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_E_METHOD},
        {"GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_E_TARGET},
        {"GET / HTTP/3.0\r\nHost: a\r\n\r\n", HTTP_E_VERSION},
        {"GET / HTTQ/1.1\r\nHost: a\r\n\r\n", HTTP_E_START_LINE},
        {"GET / HTTP/1.1\r\n\r\n", HTTP_E_HOST},
        {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", HTTP_E_HOST},
        {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", HTTP_E_HEADER},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", HTTP_E_CONTENT_LENGTH},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
         HTTP_E_FRAMING},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", HTTP_E_TRANSFER_ENCODING},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
         "Transfer-Encoding: chunked\r\n\r\n",
         HTTP_E_FRAMING},
        {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", HTTP_E_FRAMING},
        {"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", HTTP_E_TOO_MANY_HEADERS},
    };
    struct http_header h[3];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct http_request r;
        long n = req(bad[i].in, strlen(bad[i].in), &r, h, 3);
        if (n != HTTP_PARSE_ERROR || r.err != bad[i].err)
            fail_msg("input %zu \"%s\": got %ld err %d (%s), want err %d", i, bad[i].in, n, r.err,
                     http_error_name(r.err), bad[i].err);
    }
}

static void test_request_limits(void **state)
{
    (void)state;
    static char big[40000];
    struct http_limits lim = {1024, 8192};
    struct http_request r;
    /* A request line over the limit fails before its end arrives. */
    memcpy(big, "GET /", 5);
    memset(big + 5, 'a', 2000);
    memset(&r, 0, sizeof(r));
    assert_int_equal(http_parse_request(guarded(big, 2005), 2005, &lim, &r), HTTP_PARSE_ERROR);
    assert_int_equal(r.err, HTTP_E_LINE_TOO_LONG);
    assert_int_equal(http_error_status(r.err), 414);
    /* Just under the line limit is still only incomplete. */
    memset(&r, 0, sizeof(r));
    assert_int_equal(http_parse_request(guarded(big, 1000), 1000, &lim, &r), HTTP_PARSE_INCOMPLETE);
    /* Headers over the head limit: 431 whether complete or not. */
    size_t n = (size_t)snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: a\r\n");
    while (n < 9000)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "Cookie: 0123456789abcdef\r\n");
    memset(&r, 0, sizeof(r));
    assert_int_equal(http_parse_request(guarded(big, n), n, &lim, &r), HTTP_PARSE_ERROR);
    assert_int_equal(r.err, HTTP_E_HEAD_TOO_LARGE);
    assert_int_equal(http_error_status(r.err), 431);
    memcpy(big + n, "\r\n", 2);
    memset(&r, 0, sizeof(r));
    assert_int_equal(http_parse_request(guarded(big, n + 2), n + 2, &lim, &r), HTTP_PARSE_ERROR);
    assert_int_equal(r.err, HTTP_E_HEAD_TOO_LARGE);
    /* Endless blank lines count against the head limit too. */
    for (size_t i = 0; i < 9000; i += 2)
        memcpy(big + i, "\r\n", 2);
    memset(&r, 0, sizeof(r));
    assert_int_equal(http_parse_request(guarded(big, 9000), 9000, &lim, &r), HTTP_PARSE_ERROR);
    assert_int_equal(r.err, HTTP_E_HEAD_TOO_LARGE);
}

static void test_error_status(void **state)
{
    (void)state;
    assert_int_equal(http_error_status(HTTP_E_HEADER), 400);
    assert_int_equal(http_error_status(HTTP_E_TOO_MANY_HEADERS), 431);
    assert_int_equal(http_error_status(HTTP_E_TRANSFER_ENCODING), 501);
    assert_int_equal(http_error_status(HTTP_E_VERSION), 505);
    for (int e = 0; e < HTTP_E_COUNT; e++)
        assert_non_null(http_error_name((enum http_error)e));
}

/* Decodes s split once at `split`; returns the step result of the last
 * call and appends the data to out. */
static enum http_chunk_result chunked_two(const char *s, size_t len, size_t split, char *out,
                                          size_t *outlen, size_t *end)
{
    struct http_chunked c;
    http_chunked_init(&c);
    size_t parts[2][2] = {{0, split}, {split, len}};
    enum http_chunk_result r = HTTP_CHUNK_MORE;
    *outlen = 0;
    for (int p = 0; p < 2; p++) {
        size_t off = parts[p][0], stop = parts[p][1];
        const char *g = guarded(s + off, stop - off);
        size_t pos = 0;
        for (;;) {
            size_t used, dlen;
            const char *d;
            r = http_chunked_step(&c, g + pos, stop - off - pos, &used, &d, &dlen);
            pos += used;
            if (r == HTTP_CHUNK_DATA) {
                memcpy(out + *outlen, d, dlen);
                *outlen += dlen;
                continue;
            }
            break;
        }
        if (r != HTTP_CHUNK_MORE) {
            *end = off + pos;
            return r;
        }
    }
    return r;
}

static void test_chunked_every_split(void **state)
{
    (void)state;
    const char *s = "5\r\nhello\r\n1A;name=\"v\" ; x\r\nabcdefghijklmnopqrstuvwxyz\r\n"
                    "00C\r\n0123456789AB\r\n0\r\nTrailer-A: 1\r\nB:\r\n\r\nNEXT";
    size_t len = strlen(s);
    const char *want = "helloabcdefghijklmnopqrstuvwxyz0123456789AB";
    for (size_t split = 0; split <= len; split++) {
        char out[128];
        size_t outlen, end = 0;
        enum http_chunk_result r = chunked_two(s, len, split, out, &outlen, &end);
        assert_int_equal(r, HTTP_CHUNK_DONE);
        assert_int_equal(end, len - 4);
        assert_int_equal(outlen, strlen(want));
        assert_memory_equal(out, want, outlen);
    }
    /* Any prefix of the body is just more to come. */
    for (size_t k = 0; k < len - 4; k++) {
        struct http_chunked c;
        bool done = true;
        http_chunked_init(&c);
        assert_int_equal(http_chunked_skip(&c, guarded(s, k), k, &done), (long)k);
        assert_false(done);
    }
    struct http_chunked c;
    bool done = false;
    http_chunked_init(&c);
    assert_int_equal(http_chunked_skip(&c, guarded(s, len), len, &done), (long)len - 4);
    assert_true(done);
    assert_int_equal(c.body_bytes, strlen(want));
}

static void test_chunked_malformed(void **state)
{
    (void)state;
    static const struct bad bad[] = {
        {"\r\n", HTTP_E_CHUNK_SIZE},
        {"x\r\n", HTTP_E_CHUNK_SIZE},
        {"-1\r\n", HTTP_E_CHUNK_SIZE},
        {"0x5\r\nhello\r\n", HTTP_E_CHUNK_SIZE},
        {"5 x\r\nhello\r\n", HTTP_E_CHUNK_SIZE},
        {"5\n", HTTP_E_CHUNK_SIZE},
        {"5 \r\nhello\r\n", HTTP_E_CHUNK_SIZE},
        {"5;a\x01\r\n", HTTP_E_CHUNK_SIZE},
        {"10000000000000000\r\n", HTTP_E_CHUNK_SIZE},
        {"8000000000000000\r\n", HTTP_E_CHUNK_SIZE},
        {"5\r\nhelloX\r\n", HTTP_E_CHUNK_DATA},
        {"5\r\nhello\n0\r\n\r\n", HTTP_E_CHUNK_DATA},
        {"0\r\nBad Trailer: 1\r\n\r\n", HTTP_E_TRAILER},
        {"0\r\n folded\r\n\r\n", HTTP_E_TRAILER},
        {"0\r\nA: 1\n\r\n", HTTP_E_TRAILER},
        {"0\r\n\rX", HTTP_E_TRAILER},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct http_chunked c;
        bool done;
        http_chunked_init(&c);
        long n =
            http_chunked_skip(&c, guarded(bad[i].in, strlen(bad[i].in)), strlen(bad[i].in), &done);
        if (n != -1 || c.err != bad[i].err)
            fail_msg("chunked input %zu: got %ld err %d (%s), want %d", i, n, c.err,
                     http_error_name(c.err), bad[i].err);
    }
    /* Over-long extension line and an endless trailer are cut off. */
    static char big[10000];
    memcpy(big, "1;", 2);
    memset(big + 2, 'e', 2000);
    struct http_chunked c;
    bool done;
    http_chunked_init(&c);
    assert_int_equal(http_chunked_skip(&c, guarded(big, 2002), 2002, &done), -1);
    assert_int_equal(c.err, HTTP_E_CHUNK_SIZE);
    memcpy(big, "0\r\n", 3);
    for (size_t i = 3; i + 6 <= sizeof(big); i += 6)
        memcpy(big + i, "A: b\r\n", 6);
    http_chunked_init(&c);
    assert_int_equal(http_chunked_skip(&c, guarded(big, 9999), 9999, &done), -1);
    assert_int_equal(c.err, HTTP_E_TRAILER);
    /* Largest accepted size: 2^63 - 1 (data not sent, so just MORE). */
    http_chunked_init(&c);
    const char *max = "7fffffffffffffff\r\n";
    assert_int_equal(http_chunked_skip(&c, guarded(max, strlen(max)), strlen(max), &done),
                     (long)strlen(max));
    assert_false(done);
    assert_int_equal(c.remaining, 0x7fffffffffffffffULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_response_basic),    cmocka_unit_test(test_response_every_split),
        cmocka_unit_test(test_response_framing),  cmocka_unit_test(test_response_malformed),
        cmocka_unit_test(test_response_limits),   cmocka_unit_test(test_value_bytes),
        cmocka_unit_test(test_request_basic),     cmocka_unit_test(test_request_every_split),
        cmocka_unit_test(test_request_malformed), cmocka_unit_test(test_request_limits),
        cmocka_unit_test(test_error_status),      cmocka_unit_test(test_chunked_every_split),
        cmocka_unit_test(test_chunked_malformed),
    };
    return cmocka_run_group_tests(tests, guard_setup, guard_teardown);
}
