#ifndef NETRIG_HTTP_ANSWER_H
#define NETRIG_HTTP_ANSWER_H
/* What netrig's server answers over HTTP/1.1, as pure functions the
 * server's connection code calls: GET|HEAD /bytes/N returns N bytes,
 * POST /sink reads and discards the request body, anything else gets a
 * proper 4xx. Keep-alive follows RFC 9112 9.3 (1.1 persistent unless
 * "Connection: close", 1.0 only with "Connection: keep-alive"); pipelined
 * requests are answered in order by calling these once per request. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "http_parse.h"

#define HTTP_SERVER_DEFAULT_MAX_BYTES ((uint64_t)1 << 40) /* /bytes/N and /sink: 1 TiB */

enum http_action {
    HTTP_ACT_BYTES, /* send the head, then body_bytes of http_answer_fill data */
    HTTP_ACT_SINK,  /* consume the request body, then send the head with its count */
    HTTP_ACT_ERROR  /* send the head (it carries its small body) */
};

/* The decision for one request. */
struct http_route {
    enum http_action action;
    int status;
    uint64_t body_bytes;    /* BYTES: body to send after the head */
    uint64_t received;      /* SINK: body bytes read, set by the caller before formatting */
    bool head_only;         /* HEAD: the head says Content-Length N but no body follows */
    bool read_body;         /* consume the request body before answering */
    bool send_continue;     /* send HTTP_SERVER_CONTINUE before reading the body */
    bool close;             /* close the connection after this response */
    bool http10_keep_alive; /* answer a 1.0 client with Connection: keep-alive */
    const char *allow;      /* 405: the methods the path accepts */
};

/* The interim response to "Expect: 100-continue". */
#define HTTP_SERVER_CONTINUE "HTTP/1.1 100 Continue\r\n\r\n"

/* Decides how to answer req. max_bytes bounds N and a Content-Length for
 * /sink (0 = HTTP_SERVER_DEFAULT_MAX_BYTES). */
void http_answer_route(const struct http_request *req, uint64_t max_bytes, struct http_route *rt);

/* The route for a request that could not be parsed (status from
 * http_error_status; the connection closes after it). */
void http_answer_route_error(enum http_error e, struct http_route *rt);

/* Writes the response head (and for SINK and errors the small body) into
 * out. date is an IMF-fixdate from http_answer_date. Returns its length,
 * or -1 if cap is too small (512 bytes is always enough). */
int http_answer_format(const struct http_route *rt, const char *date, char *out, size_t cap);

/* IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", 29 chars) for t into out
 * (at least 30 bytes). Servers cache it per second. */
void http_answer_date(time_t t, char *out);

/* Fills buf with the body pattern (printable, so curl output is readable). */
void http_answer_fill(char *buf, size_t len);

#endif
