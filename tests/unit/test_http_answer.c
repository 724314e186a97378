/* Routing and response heads of the server's HTTP side. Every formatted
 * response is fed back through the response parser, so what the server
 * says is checked by the same strict rules the client applies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http_parse.h"
#include "http_answer.h"

static const char *date = "Sun, 06 Nov 1994 08:49:37 GMT";

/* Parses s as a request and routes it. */
static void route(const char *s, struct http_route *rt)
{
    struct http_request req;
    memset(&req, 0, sizeof(req));
    long n = http_parse_request(s, strlen(s), NULL, &req);
    if (n < 0) {
        http_answer_route_error(req.err, rt);
        return;
    }
    http_answer_route(&req, 1000000, rt);
}

/* Formats rt and parses it back; returns the parsed response. */
static void answer(const struct http_route *rt, bool head, struct http_response *r, char *out,
                   size_t cap)
{
    int n = http_answer_format(rt, date, out, cap);
    assert_true(n > 0);
    memset(r, 0, sizeof(*r));
    long h = http_parse_response(out, (size_t)n, head, NULL, r);
    assert_true(h > 0);
    assert_int_equal(r->status, rt->status);
    if (rt->action != HTTP_ACT_BYTES && !head)
        assert_int_equal((uint64_t)n - (uint64_t)h, r->content_length);
    else
        assert_int_equal(n, h);
}

static void test_bytes(void **state)
{
    (void)state;
    struct http_route rt;
    struct http_response r;
    char out[512];
    route("GET /bytes/1000 HTTP/1.1\r\nHost: x\r\n\r\n", &rt);
    assert_int_equal(rt.action, HTTP_ACT_BYTES);
    assert_int_equal(rt.status, 200);
    assert_int_equal(rt.body_bytes, 1000);
    assert_false(rt.close);
    assert_false(rt.read_body);
    answer(&rt, false, &r, out, sizeof(out));
    assert_int_equal(r.content_length, 1000);
    assert_true(r.keep_alive);
    assert_non_null(strstr(out, "\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"));

    route("HEAD /bytes/0?x=1 HTTP/1.1\r\nHost: x\r\n\r\n", &rt);
    assert_true(rt.head_only);
    assert_int_equal(rt.body_bytes, 0);
    answer(&rt, true, &r, out, sizeof(out));

    route("GET http://h:1/bytes/7 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &rt);
    assert_int_equal(rt.body_bytes, 7);
    assert_true(rt.http10_keep_alive);
    answer(&rt, false, &r, out, sizeof(out));
    assert_non_null(strstr(out, "Connection: keep-alive\r\n"));

    route("GET /bytes/7 HTTP/1.0\r\n\r\n", &rt);
    assert_true(rt.close);
    answer(&rt, false, &r, out, sizeof(out));
    assert_false(r.keep_alive);

    route("GET /bytes/5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &rt);
    assert_true(rt.close);
    answer(&rt, false, &r, out, sizeof(out));
    assert_false(r.keep_alive);

    /* A GET with a body: read it so the next request starts after it. */
    route("GET /bytes/5 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n", &rt);
    assert_true(rt.read_body);
    assert_false(rt.close);
}

static void test_sink(void **state)
{
    (void)state;
    struct http_route rt;
    struct http_response r;
    char out[512];
    route("POST /sink HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", &rt);
    assert_int_equal(rt.action, HTTP_ACT_SINK);
    assert_true(rt.read_body);
    assert_false(rt.send_continue);
    rt.received = 5000;
    answer(&rt, false, &r, out, sizeof(out));
    assert_non_null(strstr(out, "\r\n\r\nreceived 5000\n"));

    route("POST /sink HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
          "Expect: 100-continue\r\n\r\n",
          &rt);
    assert_true(rt.read_body);
    assert_true(rt.send_continue);
    struct http_response c;
    memset(&c, 0, sizeof(c));
    assert_int_equal(
        http_parse_response(HTTP_SERVER_CONTINUE, strlen(HTTP_SERVER_CONTINUE), false, NULL, &c),
        (long)strlen(HTTP_SERVER_CONTINUE));
    assert_int_equal(c.status, 100);

    route("POST /sink HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", &rt);
    assert_int_equal(rt.status, 413);
    assert_true(rt.close);
    answer(&rt, false, &r, out, sizeof(out));
    assert_false(r.keep_alive);
}

static void test_errors(void **state)
{
    (void)state;
    struct http_route rt;
    struct http_response r;
    char out[512];
    static const struct {
        const char *req;
        int status;
        bool close;
    } cases[] = {
        {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 404, false},
        {"GET /bytes HTTP/1.1\r\nHost: x\r\n\r\n", 404, false},
        {"GET /sinkhole HTTP/1.1\r\nHost: x\r\n\r\n", 404, false},
        {"POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n", 404, true},
        {"GET /bytes/12x HTTP/1.1\r\nHost: x\r\n\r\n", 400, false},
        {"GET /bytes/-1 HTTP/1.1\r\nHost: x\r\n\r\n", 400, false},
        {"GET /bytes/1000001 HTTP/1.1\r\nHost: x\r\n\r\n", 400, false},
        {"POST /bytes/10 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n", 405, true},
        {"GET /sink HTTP/1.1\r\nHost: x\r\n\r\n", 405, false},
        {"GET / HTTP/1.1\r\n\r\n", 400, true},
        {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, true},
        {"POST /sink HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        route(cases[i].req, &rt);
        if (rt.status != cases[i].status || rt.close != cases[i].close)
            fail_msg("case %zu: status %d close %d", i, rt.status, rt.close);
        assert_int_equal(rt.action, HTTP_ACT_ERROR);
        answer(&rt, false, &r, out, sizeof(out));
        assert_int_equal(r.keep_alive, !cases[i].close);
        if (rt.status == 405)
            assert_non_null(strstr(out, "\r\nAllow: "));
    }
    http_answer_route_error(HTTP_E_HEAD_TOO_LARGE, &rt);
    assert_int_equal(rt.status, 431);
    answer(&rt, false, &r, out, sizeof(out));
    assert_non_null(strstr(out, "HTTP/1.1 431 Request Header Fields Too Large\r\n"));
    /* Too small a buffer is refused, not truncated. */
    assert_int_equal(http_answer_format(&rt, date, out, 40), -1);
}

static void test_date_and_fill(void **state)
{
    (void)state;
    char d[30];
    http_answer_date(784111777, d);
    assert_string_equal(d, "Sun, 06 Nov 1994 08:49:37 GMT");
    http_answer_date(0, d);
    assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 GMT");
    char buf[200];
    http_answer_fill(buf, sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++)
        assert_true(buf[i] == '\n' || (buf[i] >= '0' && buf[i] <= 'z'));
    assert_int_equal(buf[63], '\n');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_sink),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_date_and_fill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
