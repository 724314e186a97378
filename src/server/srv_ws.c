/* The server's WebSocket connections after an HTTP upgrade request. */
#include "srv_ws.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tls.h"
#include "ws_handshake.h"
#include "ws_serve.h"

#define FIRST_CAP (64u * 1024u + WS_MAX_HEADER)
#define IO_BUDGET 16
#define RECORD 16384

enum { P_HEAD, P_RUN, P_LINGER };

struct srv_ws {
    int phase;
    bool refused;   /* the head is a 4xx: linger and close after it */
    bool shut;      /* our sending side is shut */
    char head[512]; /* the 101 (or 4xx) being written */
    size_t head_len, head_off;
    struct ws_serve ws;
    uint8_t *buf;
    size_t cap, held, used; /* used: taken by ws_serve, output may point there */
};

/* The answer to the upgrade request: 101 for /ws/echo and /ws/sink with a
 * proper handshake, else the status ws_request_check or the path says. */
static int answer(struct srv_ws *c, const char *in, size_t len, size_t *consumed)
{
    struct http_header hdr[32];
    struct http_request r = {.headers = hdr, .max_headers = 32};
    long n = http_parse_request(in, len, NULL, &r);
    if (n < 0)
        return 400;
    *consumed = (size_t)n;
    const char *key = NULL, *why = NULL;
    size_t key_len = 0;
    size_t plen = strcspn(r.target, "? ");
    bool echo = plen == 8 && memcmp(r.target, "/ws/echo", 8) == 0;
    bool sink = plen == 8 && memcmp(r.target, "/ws/sink", 8) == 0;
    int st = ws_request_check(&r, &key, &key_len, &why);
    if (st == 0 && !echo && !sink)
        st = 404;
    if (st != 0)
        return st;
    ws_serve_init(&c->ws, sink, 0);
    /* permessage-deflate when offered (and its streams can be set up: if
     * not, the upgrade goes on without it) */
    struct ws_ext e;
    char ext[128], err[128];
    bool deflate = ws_request_deflate(&r, &e) && ws_ext_answer_write(&e, ext, sizeof(ext)) > 0 &&
                   ws_serve_deflate(&c->ws, &e, err, sizeof(err)) == 0;
    int w = ws_response_write(c->head, sizeof(c->head), key, key_len, deflate ? ext : NULL);
    if (w < 0)
        return 500;
    c->head_len = (size_t)w;
    return 0;
}

static void refuse(struct srv_ws *c, int st)
{
    const char *text = st == 404   ? "404 Not Found"
                       : st == 426 ? "426 Upgrade Required"
                       : st == 500 ? "500 Internal Server Error"
                                   : "400 Bad Request";
    int n = snprintf(c->head, sizeof(c->head),
                     "HTTP/1.1 %s\r\n%sContent-Length: 0\r\nConnection: close\r\n\r\n", text,
                     st == 426 ? "Sec-WebSocket-Version: 13\r\n" : "");
    c->head_len = n > 0 ? (size_t)n : 0;
    c->refused = true;
}

struct srv_ws *srv_ws_new(const char *in, size_t len)
{
    struct srv_ws *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->cap = FIRST_CAP > len ? FIRST_CAP : len;
    c->buf = malloc(c->cap);
    if (c->buf == NULL) {
        free(c);
        return NULL;
    }
    size_t consumed = len;
    int st = answer(c, in, len, &consumed);
    if (st != 0) {
        refuse(c, st);
        return c;
    }
    /* Frames sent right behind the request (not waiting for the 101). */
    memcpy(c->buf, in + consumed, len - consumed);
    c->held = len - consumed;
    return c;
}

void srv_ws_free(struct srv_ws *c)
{
    if (c == NULL)
        return;
    ws_serve_free(&c->ws);
    free(c->buf);
    free(c);
}

/* The iovecs to write now: the head, or what ws_serve has pending. */
static int pending(const struct srv_ws *c, struct iovec *iov, int max)
{
    if (c->phase == P_HEAD) {
        iov[0] =
            (struct iovec){(void *)(uintptr_t)(c->head + c->head_off), c->head_len - c->head_off};
        return iov[0].iov_len > 0 ? 1 : 0;
    }
    return c->phase == P_RUN ? ws_serve_pending(&c->ws, iov, max) : 0;
}

static void sent(struct srv_ws *c, size_t n)
{
    if (c->phase == P_HEAD) {
        c->head_off += n;
        if (c->head_off == c->head_len)
            c->phase = c->refused ? P_LINGER : P_RUN;
        return;
    }
    ws_serve_sent(&c->ws, n);
}

/* Several small frames go out in one record, a large one in full records. */
static enum tls_result write_tls(SSL *ssl, const struct iovec *iov, int n, size_t *done)
{
    if (iov[0].iov_len >= RECORD || n == 1)
        return tls_write(ssl, iov[0].iov_base, iov[0].iov_len, done);
    char rec[RECORD];
    size_t len = 0;
    for (int i = 0; i < n && len < sizeof(rec); i++) {
        size_t k = iov[i].iov_len < sizeof(rec) - len ? iov[i].iov_len : sizeof(rec) - len;
        memcpy(rec + len, iov[i].iov_base, k);
        len += k;
    }
    return tls_write(ssl, rec, len, done);
}

/* Returns 1 when all is written, 0 when the socket is full, -1 on error. */
static int flush(struct srv_ws *c, int fd, SSL *ssl, bool *want_out)
{
    struct iovec iov[WS_SERVE_IOV + 1];
    int n;
    while ((n = pending(c, iov, WS_SERVE_IOV + 1)) > 0) {
        size_t done = 0;
        if (ssl != NULL) {
            enum tls_result r = write_tls(ssl, iov, n, &done);
            if (r == TLS_WANT_WRITE || r == TLS_WANT_READ) {
                *want_out = r == TLS_WANT_WRITE;
                return 0;
            }
            if (r != TLS_OK)
                return -1;
        } else {
            struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
            ssize_t w = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w < 0) {
                if (errno == EAGAIN || errno == EINTR) {
                    *want_out = true;
                    return 0;
                }
                return -1;
            }
            done = (size_t)w;
        }
        sent(c, done);
    }
    *want_out = false;
    return 1;
}

/* Reads at the buffer's end (block: a plain socket set up to wait sleeps
 * in recv, up to its receive timeout). Returns bytes read, 0 when nothing
 * is ready, -1 on EOF or error. */
static long fill(struct srv_ws *c, int fd, SSL *ssl, bool *want_out, bool block)
{
    size_t room = c->cap - c->held, got = 0;
    if (ssl != NULL) {
        enum tls_result r = tls_read(ssl, c->buf + c->held, room, &got);
        if (r == TLS_WANT_READ || r == TLS_WANT_WRITE) {
            *want_out = r == TLS_WANT_WRITE;
            return 0;
        }
        return r == TLS_OK ? (long)got : -1;
    }
    ssize_t n = recv(fd, c->buf + c->held, room, block ? 0 : MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    return n > 0 ? (long)n : -1;
}

/* Room for the next whole frame (echo), within the message limit. */
static int make_room(struct srv_ws *c)
{
    size_t need = ws_serve_need(&c->ws, c->buf, c->held);
    if (need <= c->cap)
        return 0;
    uint8_t *b = realloc(c->buf, need);
    if (b == NULL)
        return -1;
    c->buf = b;
    c->cap = need;
    return 0;
}

/* After our close frame (or a refusal) our side is shut, and what the
 * peer still sends is read and dropped until it closes: closing with
 * unread bytes would reset the connection and could destroy the close
 * frame on its way. The idle deadline ends a peer that never closes. */
static int linger(struct srv_ws *c, int fd, SSL *ssl, bool wait, bool *want_out)
{
    c->phase = P_LINGER;
    if (!c->shut) {
        c->shut = true;
        if (ssl != NULL)
            tls_shutdown(ssl);
        shutdown(fd, SHUT_WR);
    }
    for (int i = 0; i < IO_BUDGET; i++) {
        c->held = 0;
        long n = fill(c, fd, ssl, want_out, wait && i == 0); /* a waiter must not spin */
        if (n <= 0)
            return (int)n;
    }
    return 0;
}

bool srv_ws_echoing(const struct srv_ws *c)
{
    return c->phase == P_RUN && !c->ws.sink;
}

int srv_ws_io(struct srv_ws *c, int fd, SSL *ssl, bool wait, bool *want_out, bool *progress)
{
    *progress = false;
    wait = wait && ssl == NULL;
    /* A plain read came back short: the socket was empty. Waiting, the
     * next read sleeps in recv for the next message instead. */
    bool drained = wait;
    for (int i = 0; i < IO_BUDGET; i++) {
        if (c->phase == P_LINGER)
            return linger(c, fd, ssl, wait, want_out);
        int f = flush(c, fd, ssl, want_out);
        if (f <= 0)
            return f;
        if (c->phase == P_LINGER || ws_serve_done(&c->ws))
            return linger(c, fd, ssl, wait, want_out);
        if (c->used > 0) { /* written: its bytes may go */
            memmove(c->buf, c->buf + c->used, c->held - c->used);
            c->held -= c->used;
            c->used = 0;
        }
        if (c->held > 0) {
            c->used = ws_serve_input(&c->ws, c->buf, c->held);
            if (c->used > 0) {
                *progress = true;
                continue;
            }
        }
        /* Spare the read that would say EAGAIN (one per echo): epoll
         * reports what has come since. */
        if (drained && !wait)
            return 0;
        if (make_room(c) != 0)
            return -1;
        size_t room = c->cap - c->held;
        long n = fill(c, fd, ssl, want_out, drained && wait);
        if (n <= 0)
            return (int)n;
        c->held += (size_t)n;
        drained = ssl == NULL && (size_t)n < room;
    }
    /* Budget spent. A waiter is called again every round, but its wait
     * may end (a second connection) before that: then only epoll calls
     * it, which knows nothing of an echo not yet written or a frame held
     * and not yet taken. It leaves neither behind, or asks to come back. */
    if (wait) {
        int f = flush(c, fd, ssl, want_out);
        if (f < 0)
            return -1;
        if (f > 0 && c->held == c->used)
            return 0;
    }
    *want_out = true; /* come back after the others */
    return 0;
}
