#ifndef NETRIG_HTTP_CLIENT_H
#define NETRIG_HTTP_CLIENT_H
/* The client's side of HTTP/1.1 without the sockets: URLs, request heads,
 * and a reader that follows responses through a byte stream (head, then a
 * Content-Length, chunked or read-until-close body), counting header and
 * body bytes apart as the goodput model needs. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http_chunked.h"
#include "http_parse.h"

struct http_url {
    bool tls;            /* https */
    char host[256];      /* name or address, without brackets */
    uint16_t port;       /* 80 / 443 when absent */
    char authority[264]; /* for the Host header: host[:port] as given */
    char path[1024];     /* "/" when absent; query kept */
};

/* Parses http://host[:port][/path] or https://...; IPv6 literals in
 * brackets. Returns 0 or -1 with a message naming the URL. */
int http_url_parse(const char *url, struct http_url *u, char *err, size_t errlen);

/* What a request looks like. */
struct http_client_req {
    const char *method;         /* "GET", "POST", "HEAD" */
    const char *path;           /* origin-form target */
    const char *authority;      /* Host header value */
    uint64_t body_len;          /* Content-Length sent when method is POST or > 0 */
    const char (*headers)[256]; /* extra "Name: value" lines, without CRLF */
    uint32_t nheaders;
    bool close; /* send Connection: close (crr) */
};

/* Checks an extra header line "Name: value" (token name, no CR/LF or other
 * control bytes). Returns 0 or -1 with a message quoting it. */
int http_client_check_header(const char *line, char *err, size_t errlen);

/* Writes the request head into out. Returns its length or -1 (too long for
 * cap, or a bad header line: message in err). */
long http_client_format(const struct http_client_req *q, char *out, size_t cap, char *err,
                        size_t errlen);

/* Follows responses on one connection. Zero it, set head_request for
 * HEAD requests, then feed it what arrives. */
struct http_reader {
    int state;
    bool head_request;
    struct http_limits lim;
    struct http_response resp; /* the last head parsed */
    uint64_t left;             /* Content-Length bytes still to come */
    struct http_chunked chunk;
    bool in_resp;        /* part of a response has been consumed */
    uint64_t head_bytes; /* of the response in progress, interim 1xx heads included */
    uint64_t body_bytes;
};

enum http_read_result {
    HTTP_READ_ERROR = -1, /* malformed response: reason in resp.err */
    HTTP_READ_MORE = 0,   /* give more bytes (keep buf[used..len) if used < len) */
    HTTP_READ_DONE = 1    /* a response ended at buf + used */
};

/* Consumes bytes of buf[0..len). A response head must be contiguous, so
 * when MORE leaves used < len the caller keeps the rest of an unfinished
 * head and feeds it again with more bytes behind it; bodies are consumed
 * as they come. On DONE, resp, head_bytes and body_bytes describe the
 * response just ended; the next feed starts the next one. */
enum http_read_result http_reader_feed(struct http_reader *r, const char *buf, size_t len,
                                       size_t *used);

/* The peer closed; held is how many unconsumed bytes the caller still
 * keeps. DONE if that ends a read-until-close body, MORE if nothing was in
 * progress (a clean close), ERROR if a response was cut short (resp.err is
 * HTTP_E_NONE then: a read error rather than a parse error). */
enum http_read_result http_reader_eof(struct http_reader *r, size_t held);

/* True between responses (nothing of the next one seen yet). */
bool http_reader_idle(const struct http_reader *r);

#endif
