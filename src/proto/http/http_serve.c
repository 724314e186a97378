/* Server-side HTTP/1.1 connection state machine. */
#include "http_serve.h"

#include <string.h>

enum { S_REQUEST, S_BODY, S_CLOSING, S_UPGRADE };

void http_serve_init(struct http_serve *s, const char *pattern, size_t pattern_len,
                     const char *date, uint64_t max_bytes)
{
    memset(s, 0, sizeof(*s));
    s->pattern = pattern;
    s->pattern_len = pattern_len;
    s->date = date;
    s->max_bytes = max_bytes != 0 ? max_bytes : HTTP_SERVER_DEFAULT_MAX_BYTES;
}

static bool output_pending(const struct http_serve *s)
{
    return s->head_off < s->head_len || s->body_out > 0;
}

/* Queues the response for s->rt and moves to the next request. */
static void respond(struct http_serve *s)
{
    int n = http_answer_format(&s->rt, s->date, s->head, sizeof(s->head));
    if (n < 0) { /* cannot happen with 512 bytes; close rather than lie */
        s->head_len = s->head_off = 0;
        s->state = S_CLOSING;
        return;
    }
    s->head_len = (size_t)n;
    s->head_off = 0;
    s->body_out = s->rt.action == HTTP_ACT_BYTES && !s->rt.head_only ? s->rt.body_bytes : 0;
    s->tx_body += s->body_out;
    s->requests++;
    if (s->rt.action == HTTP_ACT_ERROR)
        s->errors++;
    s->state = s->rt.close ? S_CLOSING : S_REQUEST;
}

static void fail(struct http_serve *s, int status)
{
    memset(&s->rt, 0, sizeof(s->rt));
    s->rt.action = HTTP_ACT_ERROR;
    s->rt.status = status;
    s->rt.close = true;
    respond(s);
}

static size_t take_request(struct http_serve *s, const char *buf, size_t len)
{
    struct http_request req;
    memset(&req, 0, sizeof(req));
    long n = http_parse_request(buf, len, &s->lim, &req);
    if (n == HTTP_PARSE_INCOMPLETE)
        return 0;
    if (n < 0) {
        http_answer_route_error(req.err, &s->rt);
        respond(s);
        return len;
    }
    if (req.target_len >= 4 && memcmp(req.target, "/ws/", 4) == 0) {
        s->state = S_UPGRADE; /* not ours: left in the buffer for the caller */
        return 0;
    }
    http_answer_route(&req, s->max_bytes, &s->rt);
    if (!s->rt.read_body) {
        respond(s);
        return (size_t)n;
    }
    s->body = req.body;
    s->body_left = req.content_length;
    s->rt.received = 0;
    http_chunked_init(&s->chunk);
    s->state = S_BODY;
    if (s->rt.send_continue) {
        size_t l = strlen(HTTP_SERVER_CONTINUE);
        memcpy(s->head, HTTP_SERVER_CONTINUE, l);
        s->head_len = l;
        s->head_off = 0;
    }
    return (size_t)n;
}

static size_t take_body(struct http_serve *s, const char *buf, size_t len)
{
    size_t used;
    bool done;
    if (s->body == HTTP_BODY_LENGTH) {
        used = len < s->body_left ? len : (size_t)s->body_left;
        s->body_left -= used;
        s->rt.received += used;
        done = s->body_left == 0;
    } else {
        long n = http_chunked_skip(&s->chunk, buf, len, &done);
        if (n < 0) {
            fail(s, 400);
            return len;
        }
        used = (size_t)n;
        s->rt.received = s->chunk.body_bytes;
        if (s->rt.received > s->max_bytes) {
            fail(s, 413);
            return len;
        }
    }
    s->rx_body += used;
    if (done)
        respond(s);
    return used;
}

size_t http_serve_input(struct http_serve *s, const char *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        size_t u;
        if (s->state == S_CLOSING)
            return len;
        if (s->state == S_UPGRADE)
            break;
        if (s->state == S_BODY) {
            /* 100 Continue goes out before the body is read. */
            if (output_pending(s))
                break;
            u = take_body(s, buf + off, len - off);
        } else {
            if (output_pending(s))
                break;
            u = take_request(s, buf + off, len - off);
            if (u == 0)
                break;
        }
        off += u;
    }
    return off;
}

int http_serve_pending(const struct http_serve *s, struct iovec *iov, int max)
{
    int n = 0;
    if (max > 0 && s->head_off < s->head_len) {
        iov[n].iov_base = (void *)(uintptr_t)(s->head + s->head_off);
        iov[n++].iov_len = s->head_len - s->head_off;
    }
    uint64_t left = s->body_out;
    while (n < max && left > 0) {
        size_t l = left < s->pattern_len ? (size_t)left : s->pattern_len;
        iov[n].iov_base = (void *)(uintptr_t)s->pattern;
        iov[n++].iov_len = l;
        left -= l;
    }
    return n;
}

void http_serve_sent(struct http_serve *s, size_t n)
{
    size_t h = s->head_len - s->head_off;
    if (h > 0) {
        size_t k = n < h ? n : h;
        s->head_off += k;
        n -= k;
    }
    s->body_out -= n < s->body_out ? n : s->body_out;
}

bool http_serve_done(const struct http_serve *s)
{
    return s->state == S_CLOSING && !output_pending(s);
}

bool http_serve_upgrade(const struct http_serve *s)
{
    return s->state == S_UPGRADE;
}

bool http_serve_peer_closed(const struct http_serve *s, size_t held)
{
    return s->state != S_BODY && held == 0;
}
