/* URL parsing, request heads and the response reader of the HTTP client. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http_client.h"

static void test_url(void **state)
{
    (void)state;
    struct http_url u;
    char err[256];
    assert_int_equal(
        http_url_parse("http://127.0.0.1:8080/bytes/10?x=1#frag", &u, err, sizeof(err)), 0);
    assert_false(u.tls);
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.authority, "127.0.0.1:8080");
    assert_string_equal(u.path, "/bytes/10?x=1");
    assert_int_equal(http_url_parse("https://[::1]", &u, err, sizeof(err)), 0);
    assert_true(u.tls);
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 443);
    assert_string_equal(u.authority, "[::1]");
    assert_string_equal(u.path, "/");
    assert_int_equal(http_url_parse("http://localhost?q", &u, err, sizeof(err)), 0);
    assert_string_equal(u.path, "/?q");
    assert_int_equal(u.port, 80);
    static const char *const bad[] = {
        "ftp://h/",        "http://",        "http://:80/", "http://h:0/",
        "http://h:99999/", "http://h:x/",    "http://u@h/", "http://h/a b",
        "http://[::1/",    "http://[::1]x/", "h:80/",       "http://h/\x01",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        if (http_url_parse(bad[i], &u, err, sizeof(err)) != -1)
            fail_msg("accepted bad URL '%s'", bad[i]);
        assert_non_null(strstr(err, "bad URL"));
    }
}

static void test_format(void **state)
{
    (void)state;
    char out[512], err[256];
    static const char headers[2][256] = {"X-Test: 1", "Accept: */*"};
    struct http_client_req q = {.method = "POST",
                                .path = "/sink",
                                .authority = "h:1",
                                .body_len = 100,
                                .headers = headers,
                                .nheaders = 2};
    long n = http_client_format(&q, out, sizeof(out), err, sizeof(err));
    assert_true(n > 0);
    assert_string_equal(out, "POST /sink HTTP/1.1\r\nHost: h:1\r\nContent-Length: 100\r\n"
                             "X-Test: 1\r\nAccept: */*\r\n\r\n");
    struct http_request r;
    memset(&r, 0, sizeof(r));
    assert_int_equal(http_parse_request(out, (size_t)n, NULL, &r), n);
    assert_int_equal(r.content_length, 100);
    assert_true(r.keep_alive);

    q = (struct http_client_req){
        .method = "GET", .path = "/bytes/1", .authority = "h", .close = true};
    n = http_client_format(&q, out, sizeof(out), err, sizeof(err));
    assert_string_equal(out, "GET /bytes/1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    memset(&r, 0, sizeof(r));
    assert_int_equal(http_parse_request(out, (size_t)n, NULL, &r), n);
    assert_false(r.keep_alive);
    assert_int_equal(http_client_format(&q, out, 20, err, sizeof(err)), -1);

    /* A user's Host replaces the default one: two would be a 400
     * (RFC 9112 3.2). */
    static const char host[2][256] = {"X-A: 1", "host:  example.org"};
    q.headers = host;
    q.nheaders = 2;
    n = http_client_format(&q, out, sizeof(out), err, sizeof(err));
    assert_string_equal(out, "GET /bytes/1 HTTP/1.1\r\nX-A: 1\r\nhost:  example.org\r\n"
                             "Connection: close\r\n\r\n");
    memset(&r, 0, sizeof(r));
    assert_int_equal(http_parse_request(out, (size_t)n, NULL, &r), n);

    static const char bad[1][256] = {"X-Evil: a\r\nHost: b"};
    q.headers = bad;
    q.nheaders = 1;
    assert_int_equal(http_client_format(&q, out, sizeof(out), err, sizeof(err)), -1);
    assert_non_null(strstr(err, "bad header"));
    assert_int_equal(http_client_check_header("NoColon", err, sizeof(err)), -1);
    assert_int_equal(http_client_check_header("Bad Name: x", err, sizeof(err)), -1);
    assert_int_equal(http_client_check_header("Good-Name:\tvalue", err, sizeof(err)), 0);
}

/* A stream of pipelined responses: lengths, chunked, interim, empty. */
static const char stream[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                             "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\n\r\n"
                             "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
                             "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno";

struct seen {
    int status;
    uint64_t head, body;
};

static const struct seen want[] = {{200, 38, 5}, {200, 47, 7}, {204, 25 + 27, 0}, {404, 45, 2}};

/* Feeds the stream in pieces of `step` bytes, keeping unfinished heads as
 * a real connection buffer would. */
static void feed_in_steps(size_t step)
{
    struct http_reader r;
    memset(&r, 0, sizeof(r));
    char buf[sizeof(stream)];
    size_t held = 0, pos = 0, got = 0, total = sizeof(stream) - 1;
    while (pos < total || held > 0) {
        size_t add = total - pos < step ? total - pos : step;
        memcpy(buf + held, stream + pos, add);
        pos += add;
        size_t len = held + add, off = 0;
        for (;;) {
            size_t used;
            enum http_read_result res = http_reader_feed(&r, buf + off, len - off, &used);
            assert_int_not_equal(res, HTTP_READ_ERROR);
            off += used;
            if (res == HTTP_READ_MORE)
                break;
            assert_true(got < 4);
            assert_int_equal(r.resp.status, want[got].status);
            assert_int_equal(r.head_bytes, want[got].head);
            assert_int_equal(r.body_bytes, want[got].body);
            got++;
        }
        memmove(buf, buf + off, len - off);
        held = len - off;
        if (add == 0 && held > 0)
            fail_msg("step %zu: %zu bytes left unparsed", step, held);
    }
    assert_int_equal(got, 4);
    assert_true(http_reader_idle(&r));
    assert_int_equal(http_reader_eof(&r, 0), HTTP_READ_MORE);
}

static void test_reader_pipelined(void **state)
{
    (void)state;
    for (size_t step = 1; step <= sizeof(stream); step++)
        feed_in_steps(step);
}

static void test_reader_close_and_errors(void **state)
{
    (void)state;
    struct http_reader r;
    size_t used;
    memset(&r, 0, sizeof(r));
    const char *s = "HTTP/1.0 200 OK\r\n\r\nbody until close";
    assert_int_equal(http_reader_feed(&r, s, strlen(s), &used), HTTP_READ_MORE);
    assert_int_equal(used, strlen(s));
    assert_false(http_reader_idle(&r));
    assert_int_equal(http_reader_eof(&r, 0), HTTP_READ_DONE);
    assert_int_equal(r.body_bytes, 16);
    assert_int_equal(r.head_bytes, 19);

    memset(&r, 0, sizeof(r));
    s = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort";
    assert_int_equal(http_reader_feed(&r, s, strlen(s), &used), HTTP_READ_MORE);
    assert_int_equal(http_reader_eof(&r, 0), HTTP_READ_ERROR);
    assert_int_equal(r.resp.err, HTTP_E_NONE); /* cut short, not malformed */

    memset(&r, 0, sizeof(r));
    s = "HTTP/1.1 200 OK\r\nContent-";
    assert_int_equal(http_reader_feed(&r, s, strlen(s), &used), HTTP_READ_MORE);
    assert_int_equal(used, 0);
    assert_int_equal(http_reader_eof(&r, strlen(s)), HTTP_READ_ERROR);

    memset(&r, 0, sizeof(r));
    s = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    assert_int_equal(http_reader_feed(&r, s, strlen(s), &used), HTTP_READ_ERROR);
    assert_int_equal(r.resp.err, HTTP_E_CHUNK_SIZE);

    memset(&r, 0, sizeof(r));
    s = "HTTP/1.1 2x0 OK\r\n\r\n";
    assert_int_equal(http_reader_feed(&r, s, strlen(s), &used), HTTP_READ_ERROR);
    assert_int_equal(r.resp.err, HTTP_E_STATUS);

    memset(&r, 0, sizeof(r));
    s = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n";
    assert_int_equal(http_reader_feed(&r, s, strlen(s), &used), HTTP_READ_ERROR);

    /* HEAD: Content-Length describes a body that does not come. */
    memset(&r, 0, sizeof(r));
    r.head_request = true;
    s = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
    assert_int_equal(http_reader_feed(&r, s, strlen(s), &used), HTTP_READ_DONE);
    assert_int_equal(r.body_bytes, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_reader_pipelined),
        cmocka_unit_test(test_reader_close_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
