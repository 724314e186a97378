/* HTTP/1.1 answers of the netrig server: routing and response heads. */
#include "http_answer.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The request path without a query string, absolute-form reduced to its
 * path (RFC 9112 3.2.2: servers accept it). */
static void request_path(const struct http_request *req, const char **p, size_t *n)
{
    const char *t = req->target, *end = req->target + req->target_len;
    if (req->target_len > 7 && (memcmp(t, "http://", 7) == 0 || memcmp(t, "https:/", 7) == 0)) {
        const char *s = memchr(t + 8, '/', (size_t)(end - t - 8));
        t = s != NULL ? s : end;
    }
    const char *q = memchr(t, '?', (size_t)(end - t));
    *p = t;
    *n = (size_t)((q != NULL ? q : end) - t);
}

static bool method_is(const struct http_request *req, const char *m)
{
    return req->method_len == strlen(m) && memcmp(req->method, m, req->method_len) == 0;
}

/* Decimal N in s[0..n), no sign, no leading garbage; -1 if bad or > max. */
static int parse_count(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0 || n > 19)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

static void route_error(struct http_route *rt, int status, const struct http_request *req)
{
    rt->action = HTTP_ACT_ERROR;
    rt->status = status;
    /* A body we will not read would be taken for the next request. */
    if (req->body != HTTP_BODY_NONE)
        rt->close = true;
}

void http_answer_route(const struct http_request *req, uint64_t max_bytes, struct http_route *rt)
{
    const char *path;
    size_t n;
    memset(rt, 0, sizeof(*rt));
    if (max_bytes == 0)
        max_bytes = HTTP_SERVER_DEFAULT_MAX_BYTES;
    rt->close = !req->keep_alive;
    rt->http10_keep_alive = req->minor_version == 0 && req->keep_alive;
    request_path(req, &path, &n);
    if (n > 7 && memcmp(path, "/bytes/", 7) == 0) {
        if (!method_is(req, "GET") && !method_is(req, "HEAD")) {
            rt->allow = "GET, HEAD";
            route_error(rt, 405, req);
        } else if (parse_count(path + 7, n - 7, max_bytes, &rt->body_bytes) != 0) {
            route_error(rt, 400, req);
        } else {
            rt->action = HTTP_ACT_BYTES;
            rt->status = 200;
            rt->head_only = method_is(req, "HEAD");
            rt->read_body = req->body != HTTP_BODY_NONE;
        }
    } else if (n == 5 && memcmp(path, "/sink", 5) == 0) {
        if (!method_is(req, "POST")) {
            rt->allow = "POST";
            route_error(rt, 405, req);
        } else if (req->body == HTTP_BODY_LENGTH && req->content_length > max_bytes) {
            route_error(rt, 413, req);
        } else {
            rt->action = HTTP_ACT_SINK;
            rt->status = 200;
            rt->read_body = req->body != HTTP_BODY_NONE;
            rt->send_continue = rt->read_body && req->expect_continue;
        }
    } else {
        route_error(rt, 404, req);
    }
}

void http_answer_route_error(enum http_error e, struct http_route *rt)
{
    memset(rt, 0, sizeof(*rt));
    rt->action = HTTP_ACT_ERROR;
    rt->status = http_error_status(e);
    rt->close = true;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

static const char *error_body(int status)
{
    switch (status) {
    case 404: return "not found: netrig serves GET /bytes/N and POST /sink\n";
    case 400: return "bad request\n";
    default: return NULL;
    }
}

int http_answer_format(const struct http_route *rt, const char *date, char *out, size_t cap)
{
    char body[96];
    const char *ctype = "text/plain";
    uint64_t clen;
    if (rt->action == HTTP_ACT_BYTES) {
        body[0] = '\0';
        ctype = "application/octet-stream";
        clen = rt->body_bytes;
    } else {
        const char *b = rt->action == HTTP_ACT_SINK ? NULL : error_body(rt->status);
        if (rt->action == HTTP_ACT_SINK)
            snprintf(body, sizeof(body), "received %" PRIu64 "\n", rt->received);
        else
            snprintf(body, sizeof(body), "%s", b != NULL ? b : reason(rt->status));
        if (b == NULL && rt->action == HTTP_ACT_ERROR)
            strcat(body, "\n");
        clen = strlen(body);
    }
    const char *conn = rt->close               ? "Connection: close\r\n"
                       : rt->http10_keep_alive ? "Connection: keep-alive\r\n"
                                               : "";
    char allow[64] = "";
    if (rt->allow != NULL)
        snprintf(allow, sizeof(allow), "Allow: %s\r\n", rt->allow);
    int n = snprintf(out, cap,
                     "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: netrig\r\n"
                     "Content-Type: %s\r\nContent-Length: %" PRIu64 "\r\n%s%s\r\n%s",
                     rt->status, reason(rt->status), date, ctype, clen, allow, conn,
                     rt->head_only ? "" : body);
    return n < 0 || (size_t)n >= cap ? -1 : n;
}

void http_answer_date(time_t t, char *out)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&t, &tm);
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
    tmp[29] = '\0'; /* years past 9999 do not fit the format anyway */
    memcpy(out, tmp, 30);
}

void http_answer_fill(char *buf, size_t len)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (size_t i = 0; i < len; i++)
        buf[i] = (i % 64 == 63) ? '\n' : alphabet[i % 36];
}
