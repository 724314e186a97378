/* The server's HTTP connections: read, hand to http_serve, write what it
 * says, over a plain socket or TLS. One allocation per connection; none
 * per request. */
#include "srv_http.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http_serve.h"
#include "srv_h2.h"
#include "server_int.h"
#include "srv_ws.h"
#include "tls.h"
#include "transport_tls.h"

#define IN_CAP (HTTP_DEFAULT_MAX_HEAD + 4096)
#define PATTERN_LEN (64u * 1024u)
#define IO_BUDGET 16

struct srv_http {
    struct loop_io io;
    struct srv_thread *th;
    SSL *ssl;
    bool handshaking;
    bool classified; /* TLS: the first bytes said HTTP rather than a hello */
    bool want_out;
    bool wait_tried;   /* WebSocket echo: made the loop's waiter once (ws_wait) */
    bool h2_known;     /* srv_h2 decided whether this is HTTP/2 */
    struct srv_h2 *h2; /* HTTP/2 (h2 or h2c): served by srv_h2.c */
    struct http_serve hs;
    struct srv_deadline dl; /* hello and idle timeouts (srv_guard.c) */
    struct srv_ws *ws;      /* after a WebSocket upgrade request (srv_ws.c) */
    size_t held;
    struct srv_http *next, *prev;
    char in[IN_CAP];
};

static char pattern[PATTERN_LEN];
static pthread_once_t pattern_once = PTHREAD_ONCE_INIT;
static _Thread_local char date[30];
static _Thread_local time_t date_at;

static void pattern_init(void)
{
    http_answer_fill(pattern, sizeof(pattern));
}

/* The Date header changes once a second; each thread keeps its own. */
static void date_refresh(void)
{
    time_t now = time(NULL);
    if (now != date_at) {
        http_answer_date(now, date);
        date_at = now;
    }
}

enum srv_first srv_http_classify(const unsigned char *p, size_t n)
{
    if (n == 0)
        return SRV_FIRST_WAIT;
    if (p[0] == 0x16)
        return SRV_FIRST_TLS; /* TLS handshake record */
    /* RFC 9112 2.2: an empty line before a request line is ignored (the
     * parser skips it); no netrig frame starts with CR. */
    if (p[0] == '\r')
        return n < 2 ? SRV_FIRST_WAIT : p[1] == '\n' ? SRV_FIRST_HTTP : SRV_FIRST_NETRIG;
    if (p[0] < 'A' || p[0] > 'Z')
        return SRV_FIRST_NETRIG;
    if (p[0] != 'N')
        return SRV_FIRST_HTTP;
    if (n < 4)
        return memcmp(p, "NRG", n < 3 ? n : 3) == 0 ? SRV_FIRST_WAIT : SRV_FIRST_HTTP;
    return memcmp(p, "NRG", 3) == 0 ? SRV_FIRST_NETRIG : SRV_FIRST_HTTP;
}

/* Takes the connection off its thread: the thread's list and count, the
 * loop, the deadline. Its socket and TLS state stay for the caller. */
static void conn_detach(struct srv_http *c)
{
    struct srv_thread *th = c->th;
    if (c->prev)
        c->prev->next = c->next;
    else
        th->http_conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    th->serving--;
    loop_del(th->loop, &c->io);
    srv_deadline_stop(&c->dl);
}

static void conn_close(struct srv_http *c)
{
    struct srv_thread *th = c->th;
    conn_detach(c);
    if (c->ssl != NULL && !c->handshaking)
        tls_shutdown(c->ssl);
    tls_conn_free(c->ssl);
    srv_ws_free(c->ws);
    srv_h2_free(c->h2);
    close(c->io.fd);
    srv_guard_closed(th->srv);
    free(c);
    srv_thread_maybe_exit(th);
}

/* Seals up to one record's worth of the pending iovecs. The head and the
 * start of the body share a record: one write and one record's overhead
 * for a small response. */
static enum tls_result write_record(struct srv_http *c, const struct iovec *iov, int n,
                                    size_t *done)
{
    char rec[16384];
    size_t len = 0;
    for (int i = 0; i < n && len < sizeof(rec); i++) {
        size_t k = iov[i].iov_len < sizeof(rec) - len ? iov[i].iov_len : sizeof(rec) - len;
        memcpy(rec + len, iov[i].iov_base, k);
        len += k;
    }
    return tls_write(c->ssl, rec, len, done);
}

/* Each record is a send of its own, and with TCP_NODELAY the tail of one
 * would leave in a short segment of its own before the next is sealed.
 * Corked while a response takes several records, they fill full segments
 * the way one sendmsg of head and body does over plain TCP. */
static void cork(struct srv_http *c, int on)
{
    setsockopt(c->io.fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
}

static bool more_than_a_record(const struct iovec *iov, int n)
{
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += iov[i].iov_len;
    return len > 16384;
}

/* Writes what http_serve has pending. Returns 1 when all is written, 0
 * when the socket is full, -1 on error. */
static int flush(struct srv_http *c)
{
    struct iovec iov[8];
    int n, rc = 1;
    bool corked = false;
    while ((n = http_serve_pending(&c->hs, iov, 8)) > 0) {
        size_t done = 0;
        if (c->ssl != NULL) {
            if (!corked && more_than_a_record(iov, n)) {
                cork(c, 1);
                corked = true;
            }
            enum tls_result r = write_record(c, iov, n, &done);
            if (r == TLS_WANT_WRITE || r == TLS_WANT_READ) {
                c->want_out = r == TLS_WANT_WRITE;
                rc = 0;
                break;
            }
            if (r != TLS_OK) {
                rc = -1;
                break;
            }
        } else {
            struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
            ssize_t w = sendmsg(c->io.fd, &mh, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EAGAIN || errno == EINTR) {
                    c->want_out = true;
                    return 0;
                }
                return -1;
            }
            done = (size_t)w;
        }
        http_serve_sent(&c->hs, done);
    }
    if (corked)
        cork(c, 0);
    if (rc == 1)
        c->want_out = false;
    return rc;
}

/* Reads into the buffer. Returns bytes read, 0 when nothing is ready, -1
 * on EOF or error. */
static long fill(struct srv_http *c)
{
    size_t room = IN_CAP - c->held, got = 0;
    if (room == 0)
        return -1; /* cannot happen: the parser refuses heads this long */
    if (c->ssl != NULL) {
        enum tls_result r = tls_read(c->ssl, c->in + c->held, room, &got);
        if (r == TLS_WANT_READ)
            return 0;
        if (r == TLS_WANT_WRITE) {
            c->want_out = true;
            return 0;
        }
        return r == TLS_OK ? (long)got : -1;
    }
    ssize_t n = recv(c->io.fd, c->in + c->held, room, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    return n > 0 ? (long)n : -1;
}

/* Returns -1 when the connection was closed. */
static int serve_io(struct srv_http *c)
{
    for (int i = 0; i < IO_BUDGET; i++) {
        int f = flush(c);
        if (f < 0 || http_serve_done(&c->hs))
            return conn_close(c), -1;
        if (f == 0)
            return 0;
        if (c->held > 0) {
            date_refresh();
            size_t used = http_serve_input(&c->hs, c->in, c->held);
            memmove(c->in, c->in + used, c->held - used);
            c->held -= used;
            if (used > 0)
                continue;
            if (http_serve_upgrade(&c->hs))
                return 0;
        }
        long n = fill(c);
        if (n < 0)
            return conn_close(c), -1;
        if (n == 0)
            return 0;
        c->held += (size_t)n;
    }
    c->want_out = true; /* budget spent: come back after the others */
    return 0;
}

/* Whole requests and body bytes either way are progress; a head that
 * trickles in is not, so a slow client is cut off at the deadline. */
static int serve(struct srv_http *c)
{
    uint64_t before = c->hs.requests + c->hs.rx_body + c->hs.tx_body;
    int rc = serve_io(c);
    if (rc == 0 && c->hs.requests + c->hs.rx_body + c->hs.tx_body != before)
        srv_deadline_progress(&c->dl);
    return rc;
}

static void expire(void *arg)
{
    struct srv_http *c = arg;
    if (c->h2 != NULL)
        srv_h2_goaway(c->h2, c->io.fd, c->ssl);
    conn_close(c);
}

/* HTTP/2 is ALPN "h2" on TLS, the connection preface on plain TCP.
 * Returns 1 when c must wait for more bytes or is gone, else 0. */
static int choose_h2(struct srv_http *c)
{
    bool h2 = false;
    if (c->ssl != NULL) {
        h2 = srv_h2_alpn(c->ssl);
    } else {
        unsigned char p[4];
        ssize_t n = recv(c->io.fd, p, sizeof(p), MSG_PEEK | MSG_DONTWAIT);
        int k = srv_h2_sniff(p, n > 0 ? (size_t)n : 0);
        if (k < 0 && n > 0)
            return 1;
        h2 = k > 0;
    }
    c->h2_known = true;
    if (!h2)
        return 0;
    const struct server_limits *lim = &c->th->srv->cfg.lim;
    const struct srv_h2_bounds b = {lim->http_max_head, lim->http_max_body, lim->h2_max_streams,
                                    lim->h2_window};
    c->h2 = srv_h2_new(pattern, sizeof(pattern), date, &b);
    if (c->h2 == NULL) {
        conn_close(c);
        return 1;
    }
    return 0;
}

/* An HTTP/2 connection's turn. Returns -1 when it was closed. */
static int serve_h2(struct srv_http *c)
{
    uint64_t before = srv_h2_progress(c->h2);
    date_refresh();
    if (srv_h2_io(c->h2, c->io.fd, c->ssl, (uint8_t *)c->in, sizeof(c->in), &c->want_out) < 0) {
        /* The GOAWAY is out: closing on unread input would send a reset
         * that may destroy it on its way. Take what has arrived (bounded). */
        shutdown(c->io.fd, SHUT_WR);
        for (int i = 0; i < 64 && recv(c->io.fd, c->in, sizeof(c->in), MSG_DONTWAIT) > 0; i++)
            ;
        return conn_close(c), -1;
    }
    if (srv_h2_progress(c->h2) != before)
        srv_deadline_progress(&c->dl);
    return 0;
}

/* After the handshake: a netrig data connection says its hello first;
 * anything else is HTTPS. Returns non-zero when c is gone (handed to the
 * test, closed) or must wait for more bytes. */
static int classify_tls(struct srv_http *c)
{
    unsigned char p[CTRL_HELLO_LEN];
    int n = SSL_peek(c->ssl, p, sizeof(p));
    if (n <= 0) {
        int e = SSL_get_error(c->ssl, n);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
            return 1;
        conn_close(c);
        return 1;
    }
    if (n < 4 && memcmp(p, "NRGD", (size_t)n) == 0)
        return 1;
    if (memcmp(p, "NRGD", 4) != 0) {
        /* HTTP: from here one read() takes every record the socket
         * holds, not a record's header and then its body; every read loop
         * below reads until TLS wants more, or comes back when its budget
         * is spent. (A control or data connection is handed on without:
         * its driver expects what follows the hello in the socket.) */
        SSL_set_read_ahead(c->ssl, 1);
        c->classified = true;
        return 0;
    }
    if (n < CTRL_HELLO_LEN)
        return 1;
    size_t got = 0;
    if (tls_read(c->ssl, p, sizeof(p), &got) != TLS_OK || got != sizeof(p)) {
        conn_close(c);
        return 1;
    }
    struct srv_thread *th = c->th;
    int fd = c->io.fd;
    SSL *ssl = c->ssl;
    conn_detach(c);
    free(c);
    srv_join(th, fd, p, sizeof(p), &transport_tls, ssl);
    srv_thread_maybe_exit(th);
    return 1;
}

/* A keyed server (--psk) generates no traffic for clients without the
 * key: HTTP has no way to prove it, so HTTP is served only when the user
 * opened it (--open-http). One try at a 403 that says why, then close. */
static bool refused(struct srv_http *c)
{
    const struct srv *s = c->th->srv;
    if (!s->psk || s->cfg.open_http)
        return false;
    if (c->h2 != NULL) {
        srv_h2_refuse(c->io.fd, c->ssl);
        conn_close(c);
        return true;
    }
    static const char msg[] = "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n"
                              "Content-Length: 82\r\nConnection: close\r\n\r\n"
                              "this netrig server requires --psk; it serves HTTP to anyone "
                              "only with --open-http\n";
    if (c->ssl)
        (void)SSL_write(c->ssl, msg, (int)sizeof(msg) - 1);
    else
        (void)send(c->io.fd, msg, sizeof(msg) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
    /* Closing with the request unread would send a reset that may destroy
     * the answer on its way: take what has arrived (a few KiB at most). */
    char buf[512];
    for (int i = 0; i < 4 && recv(c->io.fd, buf, sizeof(buf), MSG_DONTWAIT) > 0; i++)
        ;
    conn_close(c);
    return true;
}

/* A plain WebSocket echo alone in its thread is answered from a blocking
 * receive, as a TCP rr endpoint is (ep_waits): it leaves epoll for the
 * loop's waiter, once; a second connection on the thread ends the wait
 * (srv_http_start), writability too (loop_mod). Returns -1 when the
 * connection was closed. */
static int ws_wait(struct srv_http *c)
{
    struct loop *l = c->th->loop;
    if (c->wait_tried || c->ssl != NULL || c->want_out || c->th->serving != 1 ||
        loop_busy_poll(l) != 0 || !srv_ws_echoing(c->ws))
        return 0;
    c->wait_tried = true;
    if (net_set_recv_wait(c->io.fd, EP_WAIT_ANSWER_US) != 0)
        return 0;
    loop_del(l, &c->io);
    if (loop_add_waiter(l, &c->io, EPOLLIN) != 0)
        return conn_close(c), -1;
    return 0;
}

/* A WebSocket connection (srv_ws.c), from its upgrade request on.
 * Returns -1 when the connection was closed. */
static int serve_ws(struct srv_http *c)
{
    bool progress = false;
    bool wait = loop_is_waiter(c->th->loop, &c->io) && c->th->serving == 1;
    if (c->ws == NULL) {
        c->ws = srv_ws_new(c->in, c->held);
        c->held = 0;
        if (c->ws == NULL)
            return conn_close(c), -1;
    }
    if (srv_ws_io(c->ws, c->io.fd, c->ssl, wait, &c->want_out, &progress) < 0)
        return conn_close(c), -1;
    if (progress)
        srv_deadline_progress(&c->dl);
    return ws_wait(c);
}

static void on_io(struct loop *l, struct loop_io *io, uint32_t events)
{
    (void)events;
    struct srv_http *c = io->arg;
    if (c->handshaking) {
        enum tls_result r = tls_handshake(c->ssl);
        if (r == TLS_EOF || r == TLS_ERR) {
            conn_close(c);
            return;
        }
        if (r != TLS_OK) {
            loop_mod(l, io, r == TLS_WANT_WRITE ? EPOLLOUT : EPOLLIN);
            return;
        }
        c->handshaking = false;
    }
    if (c->ssl != NULL && !c->classified && classify_tls(c) != 0)
        return;
    if (!c->h2_known && choose_h2(c) != 0)
        return;
    if (refused(c))
        return;
    if (c->h2 != NULL) {
        if (serve_h2(c) < 0)
            return;
    } else {
        if (c->ws == NULL && serve(c) < 0)
            return;
        if ((c->ws != NULL || http_serve_upgrade(&c->hs)) && serve_ws(c) < 0)
            return;
    }
    loop_mod(l, io, c->want_out ? EPOLLOUT | EPOLLIN : EPOLLIN);
}

void srv_http_start(struct srv_thread *th, int fd, bool tls)
{
    char err[256];
    pthread_once(&pattern_once, pattern_init);
    struct srv_http *c = malloc(sizeof(*c));
    if (c == NULL) {
        close(fd);
        srv_guard_closed(th->srv);
        return;
    }
    memset(c, 0, offsetof(struct srv_http, in));
    c->th = th;
    c->io = (struct loop_io){.fd = fd, .fn = on_io, .arg = c};
    const struct server_limits *lim = &th->srv->cfg.lim;
    http_serve_init(&c->hs, pattern, sizeof(pattern), date, lim->http_max_body);
    c->hs.lim.max_head = lim->http_max_head; /* at most IN_CAP's head room */
    if (tls) {
        c->ssl = th->srv->tls ? tls_conn_new(th->srv->tls, fd, NULL, NULL, err, sizeof(err)) : NULL;
        if (c->ssl == NULL) {
            close(fd);
            srv_guard_closed(th->srv);
            free(c);
            return;
        }
        c->handshaking = true;
    }
    net_set_nodelay(fd);
    c->next = th->http_conns;
    if (th->http_conns)
        th->http_conns->prev = c;
    th->http_conns = c;
    if (++th->serving > 1)
        loop_end_wait(th->loop);
    if (loop_add(th->loop, &c->io, EPOLLIN) != 0)
        conn_close(c);
    else
        srv_deadline_start(&c->dl, th, expire, c);
}

void srv_http_close_all(struct srv_thread *th)
{
    while (th->http_conns)
        conn_close(th->http_conns);
}
