#ifndef NETRIG_HTTP_SERVE_H
#define NETRIG_HTTP_SERVE_H
/* One server-side HTTP/1.1 connection as a state machine without sockets:
 * the connection code hands it the bytes it read and asks it what to
 * write. Requests are answered strictly in order, one at a time: while a
 * response is still being written, input is left unread, which keeps
 * pipelining bounded by the socket buffers instead of our memory. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "http_chunked.h"
#include "http_parse.h"
#include "http_answer.h"

struct http_serve {
    /* set by http_serve_init */
    struct http_limits lim;
    uint64_t max_bytes;
    const char *pattern; /* body bytes are slices of this */
    size_t pattern_len;
    const char *date; /* the caller's IMF-fixdate, refreshed each second */
    /* state */
    int state;
    struct http_route rt;
    enum http_body body;
    uint64_t body_left;
    struct http_chunked chunk;
    char head[512]; /* response head (or 100 Continue) being written */
    size_t head_len, head_off;
    uint64_t body_out; /* body bytes still to write */
    /* counters */
    uint64_t requests;         /* responses started */
    uint64_t rx_body, tx_body; /* request and response body bytes */
    uint64_t errors;           /* requests answered with 4xx/5xx */
};

/* pattern/pattern_len: what bodies are made of (kept by the caller, at
 * least 1 byte); date: a 30-byte buffer the caller keeps current;
 * max_bytes as for http_answer_route. */
void http_serve_init(struct http_serve *s, const char *pattern, size_t pattern_len,
                     const char *date, uint64_t max_bytes);

/* Takes request bytes from buf[0..len); returns how many were used. Bytes
 * not used must be offered again (with more behind them) after the
 * pending output is written. Once the connection is closing, input is
 * discarded. */
size_t http_serve_input(struct http_serve *s, const char *buf, size_t len);

/* Fills up to max iovecs with what to write now; returns their number (0:
 * nothing to write). */
int http_serve_pending(const struct http_serve *s, struct iovec *iov, int max);

/* n bytes of the pending output were written. */
void http_serve_sent(struct http_serve *s, size_t n);

/* Everything is written and the last response said Connection: close. */
bool http_serve_done(const struct http_serve *s);

/* The next request asks for a path under /ws/ (WebSocket): it is left
 * unread at the start of the input, whole, for the caller to hand over;
 * everything before it has been answered once the output is written. */
bool http_serve_upgrade(const struct http_serve *s);

/* The peer closed its side: true if that was between requests (clean),
 * false if a request was cut short. */
bool http_serve_peer_closed(const struct http_serve *s, size_t held);

#endif
