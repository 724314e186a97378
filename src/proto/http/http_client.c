/* HTTP/1.1 client pieces: URL parsing, request heads, the response reader. */
#include "http_client.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { RD_HEAD, RD_LENGTH, RD_CHUNKED, RD_CLOSE };

static int parse_port(const char *s, size_t n, uint16_t *port)
{
    unsigned v = 0;
    if (n == 0 || n > 5)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v == 0 || v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

/* Splits the authority a[0..n) into host and port. */
static int parse_authority(const char *a, size_t n, struct http_url *u)
{
    const char *host = a, *colon = NULL;
    size_t hlen;
    if (n > 0 && a[0] == '[') {
        const char *rb = memchr(a, ']', n);
        if (rb == NULL)
            return -1;
        host = a + 1;
        hlen = (size_t)(rb - a - 1);
        if (rb + 1 < a + n) {
            if (rb[1] != ':')
                return -1;
            colon = rb + 1;
        }
    } else {
        colon = memchr(a, ':', n);
        hlen = colon != NULL ? (size_t)(colon - a) : n;
    }
    if (hlen == 0 || hlen >= sizeof(u->host) || n >= sizeof(u->authority) ||
        memchr(a, '@', n) != NULL)
        return -1;
    if (colon != NULL && parse_port(colon + 1, (size_t)(a + n - colon - 1), &u->port) != 0)
        return -1;
    memcpy(u->host, host, hlen);
    u->host[hlen] = '\0';
    memcpy(u->authority, a, n);
    u->authority[n] = '\0';
    return 0;
}

int http_url_parse(const char *url, struct http_url *u, char *err, size_t errlen)
{
    memset(u, 0, sizeof(*u));
    const char *p;
    if (strncmp(url, "http://", 7) == 0) {
        p = url + 7;
        u->port = 80;
    } else if (strncmp(url, "https://", 8) == 0) {
        p = url + 8;
        u->port = 443;
        u->tls = true;
    } else {
        snprintf(err, errlen, "bad URL '%s': expected http:// or https://", url);
        return -1;
    }
    size_t alen = strcspn(p, "/?#");
    const char *path = p + alen;
    size_t plen = strcspn(path, "#");
    if (parse_authority(p, alen, u) != 0) {
        snprintf(err, errlen, "bad URL '%s': bad host or port", url);
        return -1;
    }
    for (size_t i = 0; i < plen; i++) {
        unsigned char c = (unsigned char)path[i];
        if (c <= 0x20 || c >= 0x7f) {
            snprintf(err, errlen, "bad URL '%s': path has a space or control byte", url);
            return -1;
        }
    }
    if (plen + 2 > sizeof(u->path)) {
        snprintf(err, errlen, "bad URL '%s': path too long", url);
        return -1;
    }
    snprintf(u->path, sizeof(u->path), "%s%.*s", path[0] == '/' ? "" : "/", (int)plen, path);
    return 0;
}

int http_client_check_header(const char *line, char *err, size_t errlen)
{
    size_t i = strspn(line, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                            "0123456789!#$%&'*+-.^_`|~");
    bool ok = i > 0 && line[i] == ':';
    for (const char *c = line + i; ok && *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 ? *c != '\t' : *c == 0x7f)
            ok = false;
    if (!ok)
        snprintf(err, errlen, "bad header '%s': expected 'Name: value'", line);
    return ok ? 0 : -1;
}

/* A user's Host header replaces the default one: a request with two is
 * refused (RFC 9112 3.2). */
static bool has_host(const struct http_client_req *q)
{
    for (uint32_t i = 0; i < q->nheaders; i++)
        if (strncasecmp(q->headers[i], "host:", 5) == 0)
            return true;
    return false;
}

long http_client_format(const struct http_client_req *q, char *out, size_t cap, char *err,
                        size_t errlen)
{
    int n = has_host(q) ? snprintf(out, cap, "%s %s HTTP/1.1\r\n", q->method, q->path)
                        : snprintf(out, cap, "%s %s HTTP/1.1\r\nHost: %s\r\n", q->method, q->path,
                                   q->authority);
    size_t len = n > 0 ? (size_t)n : cap;
    if (q->body_len > 0 || strcmp(q->method, "POST") == 0)
        len += (size_t)snprintf(out + (len < cap ? len : cap), len < cap ? cap - len : 0,
                                "Content-Length: %" PRIu64 "\r\n", q->body_len);
    for (uint32_t i = 0; i < q->nheaders; i++) {
        if (http_client_check_header(q->headers[i], err, errlen) != 0)
            return -1;
        len += (size_t)snprintf(out + (len < cap ? len : cap), len < cap ? cap - len : 0, "%s\r\n",
                                q->headers[i]);
    }
    len += (size_t)snprintf(out + (len < cap ? len : cap), len < cap ? cap - len : 0, "%s\r\n",
                            q->close ? "Connection: close\r\n" : "");
    if (len >= cap) {
        snprintf(err, errlen, "request head longer than %zu bytes", cap);
        return -1;
    }
    return (long)len;
}

/* Sets up the body of the head just parsed; DONE when there is none. */
static enum http_read_result start_body(struct http_reader *r)
{
    r->body_bytes = 0;
    switch (r->resp.body) {
    case HTTP_BODY_LENGTH:
        r->left = r->resp.content_length;
        r->state = RD_LENGTH;
        return HTTP_READ_MORE;
    case HTTP_BODY_CHUNKED:
        http_chunked_init(&r->chunk);
        r->state = RD_CHUNKED;
        return HTTP_READ_MORE;
    case HTTP_BODY_CLOSE: r->state = RD_CLOSE; return HTTP_READ_MORE;
    default:
        r->state = RD_HEAD;
        r->in_resp = false;
        return HTTP_READ_DONE;
    }
}

static enum http_read_result feed_head(struct http_reader *r, const char *buf, size_t len,
                                       size_t *used)
{
    if (!r->in_resp) {
        r->head_bytes = 0;
        r->body_bytes = 0;
    }
    r->resp.headers = NULL;
    r->resp.max_headers = 0;
    long n = http_parse_response(buf, len, r->head_request, &r->lim, &r->resp);
    if (n == HTTP_PARSE_INCOMPLETE)
        return HTTP_READ_MORE;
    if (n < 0)
        return HTTP_READ_ERROR;
    *used = (size_t)n;
    r->head_bytes += (uint64_t)n;
    r->in_resp = true;
    /* 101 would switch protocols, which a benchmark never asks for. */
    if (r->resp.status == 101) {
        r->resp.err = HTTP_E_STATUS;
        return HTTP_READ_ERROR;
    }
    if (r->resp.status < 200)
        return HTTP_READ_MORE; /* interim: the final response follows */
    return start_body(r);
}

enum http_read_result http_reader_feed(struct http_reader *r, const char *buf, size_t len,
                                       size_t *used)
{
    size_t off = 0;
    for (;;) {
        size_t u = 0;
        enum http_read_result res;
        if (r->state == RD_HEAD) {
            if (off == len)
                break;
            res = feed_head(r, buf + off, len - off, &u);
        } else if (r->state == RD_LENGTH) {
            u = len - off < r->left ? len - off : (size_t)r->left;
            r->left -= u;
            r->body_bytes += u;
            res = r->left == 0 ? HTTP_READ_DONE : HTTP_READ_MORE;
            if (res == HTTP_READ_DONE)
                r->state = RD_HEAD;
        } else if (r->state == RD_CHUNKED) {
            bool done;
            long n = http_chunked_skip(&r->chunk, buf + off, len - off, &done);
            if (n < 0) {
                r->resp.err = r->chunk.err;
                res = HTTP_READ_ERROR;
            } else {
                u = (size_t)n;
                r->body_bytes = r->chunk.body_bytes;
                res = done ? HTTP_READ_DONE : HTTP_READ_MORE;
                if (done)
                    r->state = RD_HEAD;
            }
        } else { /* RD_CLOSE */
            u = len - off;
            r->body_bytes += u;
            res = HTTP_READ_MORE;
        }
        off += u;
        if (res == HTTP_READ_DONE)
            r->in_resp = false;
        if (res != HTTP_READ_MORE || (u == 0 && r->state == RD_HEAD) || off == len) {
            *used = off;
            return res;
        }
    }
    *used = off;
    return HTTP_READ_MORE;
}

enum http_read_result http_reader_eof(struct http_reader *r, size_t held)
{
    if (r->state == RD_CLOSE) {
        r->state = RD_HEAD;
        r->in_resp = false;
        return HTTP_READ_DONE;
    }
    if (http_reader_idle(r) && held == 0)
        return HTTP_READ_MORE;
    r->resp.err = HTTP_E_NONE;
    return HTTP_READ_ERROR;
}

bool http_reader_idle(const struct http_reader *r)
{
    return r->state == RD_HEAD && !r->in_resp;
}
