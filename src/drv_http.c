/* The HTTP/1.1 client driver. Each endpoint is one connection slot: it
 * keeps its outstanding requests' start times in the ring, writes request
 * heads (and POST bodies from ep_zero), and follows the responses with
 * http_reader. A connection the server closes (keep-alive limits, errors)
 * is reopened and its unanswered requests are sent again, their start
 * times kept, so a reconnect shows in the latency instead of hiding. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "drv_http.h"
#include "ep.h"
#include "http_client.h"
#include "tls_cost.h"

#define IO_BUDGET 16
#define RETRY_NS 10000000u /* after a failed connect */

enum { H_IDLE, H_CONNECTING, H_HANDSHAKE, H_RUN };

struct hep {
    int phase;
    SSL *ssl;
    SSL_SESSION *sess; /* crr --resume: offered on the next connection */
    uint64_t conn_start_ns;
    uint32_t to_send; /* requests in the ring not fully written yet */
    uint64_t tx_pos;  /* bytes of the first of them already written */
    struct http_reader rd;
    uint64_t credited; /* body bytes of the response in progress counted so far */
    size_t held;       /* start of an unfinished response head, kept in hold */
    char hold[HTTP_DEFAULT_MAX_HEAD];
};

static void http_close(struct ep *ep, bool for_good);

static struct hep *H(const struct ep *ep)
{
    return ep->priv;
}

static bool timed(const struct ep *ep)
{
    return ep_timed(ep);
}

static void ring_push(struct ep *ep, uint64_t t)
{
    ep->ring[(ep->ring_head + ep->ring_n++) & ep->ring_mask] = t;
}

static uint64_t ring_pop(struct ep *ep)
{
    uint64_t t = ep->ring[ep->ring_head++ & ep->ring_mask];
    ep->ring_n--;
    return t;
}

/* Queues requests: closed loop up to the pipeline depth, or (rate) each
 * scheduled one that is due, stamped with its intended start. */
static void issue(struct ep *ep, uint64_t now)
{
    struct hep *h = H(ep);
    if (ep->state != EP_RUN)
        return;
    if (ep->role & EP_RATE) {
        uint64_t when;
        while ((when = ep_sched(ep, ep->sched_k)) <= now && ep->ring_n <= ep->ring_mask &&
               ep->ring_n < ep->quota) {
            ring_push(ep, when);
            h->to_send++;
            ep->sched_k++;
        }
        if (h->phase == H_RUN && ep->ring_n <= ep->ring_mask && ep->ring_n < ep->quota)
            loop_timer_set(ep->w->loop, &ep->timer, when);
        return;
    }
    uint32_t depth = (ep->role & EP_CRR) ? 1 : ep->w->req->pipeline;
    while (ep->ring_n < depth && ep->ring_n < ep->quota) {
        ring_push(ep, now);
        h->to_send++;
    }
}

/* --- connecting -------------------------------------------------------- */

static void retry_later(struct ep *ep)
{
    H(ep)->phase = H_IDLE;
    loop_timer_set(ep->w->loop, &ep->timer, clock_now_ns() + RETRY_NS);
}

static int begin_session(struct ep *ep);
static void running(struct ep *ep);

static void connect_start(struct ep *ep)
{
    char err[160];
    struct hep *h = H(ep);
    h->conn_start_ns = clock_now_ns();
    int fd = net_connect_start(ep->w->peer, SOCK_STREAM, err, sizeof(err));
    if (fd < 0) {
        ep->w->st->err[ERRC_CONNECT]++;
        retry_later(ep);
        return;
    }
    ep->io.fd = fd;
    h->phase = H_CONNECTING;
    if (loop_add(ep->w->loop, &ep->io, EPOLLOUT) != 0)
        http_close(ep, true);
}

static void connected(struct ep *ep)
{
    int e = net_connect_result(ep->io.fd);
    if (e != 0) {
        ep->w->st->err[ERRC_CONNECT]++;
        loop_del(ep->w->loop, &ep->io);
        close(ep->io.fd);
        ep->io.fd = -1;
        retry_later(ep);
        return;
    }
    begin_session(ep);
}

/* The TCP connection is up: start TLS or go straight to requests. */
static int begin_session(struct ep *ep)
{
    struct hep *h = H(ep);
    const struct http_target *t = ep->w->http;
    char err[256];
    net_set_nodelay(ep->io.fd);
    ep_busy_poll(ep);
    memset(&h->rd, 0, sizeof(h->rd));
    h->credited = 0;
    h->rd.head_request = t->head_method;
    h->held = 0;
    h->tx_pos = 0;
    h->to_send = ep->ring_n; /* unanswered requests go out again */
    if (t->tls) {
        h->ssl = tls_conn_new(&t->tls_ctx, ep->io.fd, t->host, t->resume ? h->sess : NULL, err,
                              sizeof(err));
        if (h->ssl == NULL) {
            ep->w->st->err[ERRC_CONNECT]++;
            http_close(ep, true);
            return -1;
        }
        h->phase = H_HANDSHAKE;
        return loop_mod(ep->w->loop, &ep->io, EPOLLOUT | EPOLLIN);
    }
    running(ep);
    return 0;
}

/* The connection is ready for requests: its connect (and handshake) time
 * goes in its own histogram, then requests are due. */
static void running(struct ep *ep)
{
    struct hep *h = H(ep);
    h->phase = H_RUN;
    if (h->conn_start_ns != 0 && wctx_measuring(ep->w) && timed(ep))
        hist_record(&ep->w->st->connect, (int64_t)(clock_now_ns() - h->conn_start_ns));
    issue(ep, clock_now_ns());
}

static void handshake(struct ep *ep)
{
    struct hep *h = H(ep);
    enum tls_result r = tls_handshake(h->ssl);
    if (r == TLS_WANT_READ || r == TLS_WANT_WRITE) {
        loop_mod(ep->w->loop, &ep->io, r == TLS_WANT_READ ? EPOLLIN : EPOLLOUT);
        return;
    }
    if (r != TLS_OK) {
        ep->w->st->err[ERRC_CONNECT]++;
        http_close(ep, false);
        return;
    }
    tls_cost_note(h->ssl, &ep->w->st->tls_cipher, &ep->w->st->tls_version);
    running(ep);
}

/* --- sending ----------------------------------------------------------- */

/* The iovecs of what is queued: request heads and bodies, several
 * requests when pipelining. */
static int build_iov(struct ep *ep, struct iovec *iov, int max)
{
    const struct http_target *t = ep->w->http;
    struct hep *h = H(ep);
    uint64_t pos = h->tx_pos;
    int n = 0;
    for (uint32_t k = 0; k < h->to_send && n < max; k++, pos = 0) {
        if (pos < t->head_len)
            iov[n++] = (struct iovec){(void *)(t->head + pos), t->head_len - (size_t)pos};
        uint64_t body_off = pos > t->head_len ? pos - t->head_len : 0;
        if (n < max && body_off < t->body_len) {
            uint64_t left = t->body_len - body_off;
            iov[n++] = (struct iovec){(void *)(uintptr_t)ep_zero,
                                      left < EP_ZERO_LEN ? (size_t)left : EP_ZERO_LEN};
            if (left > EP_ZERO_LEN)
                break; /* the rest of this body goes next time */
        }
    }
    return n;
}

static void account_sent(struct ep *ep, size_t n)
{
    const struct http_target *t = ep->w->http;
    struct hep *h = H(ep);
    uint64_t unit = t->head_len + t->body_len, body = 0;
    struct stats *s = ep->w->st;
    s->tx_total += n;
    while (n > 0 && h->to_send > 0) {
        uint64_t take = unit - h->tx_pos < n ? unit - h->tx_pos : n;
        uint64_t b0 = h->tx_pos > t->head_len ? h->tx_pos : t->head_len;
        uint64_t b1 = h->tx_pos + take;
        body += b1 > b0 ? b1 - b0 : 0;
        h->tx_pos += take;
        n -= (size_t)take;
        if (h->tx_pos == unit) {
            h->tx_pos = 0;
            h->to_send--;
        }
    }
    if (wctx_measuring(ep->w))
        s->tx_bytes += body;
}

static enum tls_result io_write(struct ep *ep, struct iovec *iov, int n, size_t *done)
{
    struct hep *h = H(ep);
    if (h->ssl != NULL) {
        /* Small pipelined requests go out in one record. */
        char buf[16384];
        size_t len = 0;
        for (int i = 0; i < n && len + iov[i].iov_len <= sizeof(buf); i++) {
            memcpy(buf + len, iov[i].iov_base, iov[i].iov_len);
            len += iov[i].iov_len;
        }
        if (len == 0)
            return tls_write(h->ssl, iov[0].iov_base, iov[0].iov_len, done);
        return tls_write(h->ssl, buf, len, done);
    }
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    ssize_t w = sendmsg(ep->io.fd, &mh, MSG_NOSIGNAL);
    if (w >= 0) {
        *done = (size_t)w;
        return TLS_OK;
    }
    return errno == EAGAIN || errno == EINTR ? TLS_WANT_WRITE : TLS_ERR;
}

/* Returns -1 when the connection was closed. */
static int do_write(struct ep *ep)
{
    ep->want_out = false;
    for (int i = 0; i < IO_BUDGET; i++) {
        struct iovec iov[8];
        int n = build_iov(ep, iov, 8);
        if (n == 0)
            return 0;
        size_t done = 0;
        enum tls_result r = io_write(ep, iov, n, &done);
        if (r == TLS_OK) {
            account_sent(ep, done);
            continue;
        }
        if (r == TLS_WANT_WRITE || r == TLS_WANT_READ) {
            ep->want_out = r == TLS_WANT_WRITE;
            return 0;
        }
        ep->w->st->err[ERRC_WRITE]++;
        http_close(ep, false);
        return -1;
    }
    ep->want_out = true;
    return 0;
}

/* --- receiving --------------------------------------------------------- */

/* Body bytes count as they arrive in the window, not when their response
 * completes: a body straddling an edge counts for its part inside. 4xx and
 * 5xx bodies stay out, as their responses do. */
static void credit_body(struct ep *ep)
{
    struct hep *h = H(ep);
    uint64_t got = h->rd.body_bytes - h->credited;
    h->credited = h->rd.body_bytes;
    if (got > 0 && h->rd.resp.status < 400 && wctx_measuring(ep->w))
        ep->w->st->rx_bytes += got;
}

/* A whole response arrived. Returns -1 when the connection was closed
 * (crr, or the server said it would close). */
static int response_done(struct ep *ep, uint64_t now)
{
    struct hep *h = H(ep);
    struct stats *s = ep->w->st;
    bool meas = wctx_measuring(ep->w);
    if (ep->ring_n == 0) {
        s->err[ERRC_PARSE]++; /* an answer nobody asked for */
        http_close(ep, false);
        return -1;
    }
    credit_body(ep);
    h->credited = 0; /* the next response starts from zero */
    uint64_t t0 = ring_pop(ep);
    int st = h->rd.resp.status;
    bool last = ep->state == EP_DRAIN && ep->ring_n == 0;
    if (meas) {
        s->rx_total += h->rd.body_bytes + h->rd.head_bytes;
        if (st >= 400) {
            s->err[st >= 500 ? ERRC_STATUS_5XX : ERRC_STATUS_4XX]++;
        } else {
            s->txn++;
            s->rx_msgs++;
            s->body_done += h->rd.body_bytes;
            s->hdr_bytes += h->rd.head_bytes;
            if (timed(ep))
                hist_record(&s->lat, (int64_t)(now - t0));
        }
        if (ep->quota != UINT64_MAX && --ep->quota == 0)
            ep_quota_done(ep);
    }
    if ((ep->role & EP_CRR) || !h->rd.resp.keep_alive || last) {
        if (h->sess == NULL && h->ssl != NULL && ep->w->http->resume)
            h->sess = tls_conn_session(h->ssl);
        http_close(ep, false);
        return -1;
    }
    issue(ep, now);
    return 0;
}

/* Feeds what was read (hold first). Returns -1 when closed. */
static int feed(struct ep *ep, char *buf, size_t len)
{
    struct hep *h = H(ep);
    size_t off = 0;
    /* Without timing, only open-loop schedules need the time. */
    uint64_t now = timed(ep) || (ep->role & EP_RATE) ? clock_now_ns() : 0;
    while (off < len) {
        size_t used = 0;
        enum http_read_result r = http_reader_feed(&h->rd, buf + off, len - off, &used);
        off += used;
        credit_body(ep);
        if (r == HTTP_READ_ERROR) {
            ep->w->st->err[ERRC_PARSE]++;
            http_close(ep, false);
            return -1;
        }
        if (r == HTTP_READ_DONE) {
            if (response_done(ep, now) < 0)
                return -1;
            continue;
        }
        if (off < len) { /* the start of a head: keep it for the next read */
            memcpy(h->hold, buf + off, len - off);
            h->held = len - off;
        }
        return 0;
    }
    h->held = 0;
    return 0;
}

static enum tls_result io_read(struct ep *ep, char *buf, size_t len, size_t *got)
{
    struct hep *h = H(ep);
    if (h->ssl != NULL)
        return tls_read(h->ssl, buf, len, got);
    ssize_t n = recv(ep->io.fd, buf, len, 0);
    if (n > 0) {
        *got = (size_t)n;
        return TLS_OK;
    }
    if (n == 0)
        return TLS_EOF;
    return errno == EAGAIN || errno == EINTR ? TLS_WANT_READ : TLS_ERR;
}

/* The server closed: a body read until close ends here; otherwise it is
 * a keep-alive connection ending, clean or cut short. */
static void on_eof(struct ep *ep)
{
    struct hep *h = H(ep);
    enum http_read_result r = http_reader_eof(&h->rd, h->held);
    if (r == HTTP_READ_DONE) {
        if (response_done(ep, clock_now_ns()) < 0)
            return;
    } else if (r == HTTP_READ_ERROR || ep->ring_n > h->to_send) {
        ep->w->st->err[ERRC_READ]++; /* a response was cut short or never came */
    }
    http_close(ep, false);
}

/* Returns -1 when the connection was closed. */
static int do_read(struct ep *ep)
{
    struct hep *h = H(ep);
    char *buf = (char *)ep->w->rxbuf;
    for (int i = 0; i < IO_BUDGET; i++) {
        size_t got = 0, held = h->held;
        memcpy(buf, h->hold, held);
        enum tls_result r = io_read(ep, buf + held, ep->w->rxcap - held, &got);
        if (r == TLS_OK) {
            if (feed(ep, buf, held + got) < 0)
                return -1;
            /* A short read drained the socket: epoll says when there is
             * more, which saves a read that would only say EAGAIN. */
            if (held + got < ep->w->rxcap && (h->ssl == NULL || SSL_pending(h->ssl) == 0))
                return 0;
            continue;
        }
        if (r == TLS_WANT_READ)
            return 0;
        if (r == TLS_WANT_WRITE) {
            ep->want_out = true;
            return 0;
        }
        if (r == TLS_EOF) {
            on_eof(ep);
            return -1;
        }
        ep->w->st->err[errno == ECONNRESET ? ERRC_RESET : ERRC_READ]++;
        http_close(ep, false);
        return -1;
    }
    return 0;
}

/* --- the table --------------------------------------------------------- */

/* Ends the connection and reconnects, unless for_good or the endpoint is
 * done: draining (requests a closing server left unanswered fall outside
 * the window) or its quota used up. finish reads TCP_INFO, then closes. */
static void http_close(struct ep *ep, bool for_good)
{
    struct hep *h = H(ep);
    if (for_good || ep->state != EP_RUN || ep->quota == 0) {
        ep->drv->finish(ep);
        return;
    }
    if (ep->io.fd >= 0) {
        loop_del(ep->w->loop, &ep->io);
        tls_conn_free(h->ssl);
        h->ssl = NULL;
        net_close_reset(ep->io.fd);
        ep->io.fd = -1;
    }
    h->phase = H_IDLE;
    if (ep->role & EP_CRR)
        issue(ep, clock_now_ns());
    connect_start(ep);
}

static void interest(struct ep *ep)
{
    uint32_t ev = EPOLLIN | (ep->want_out ? EPOLLOUT : 0);
    loop_mod(ep->w->loop, &ep->io, ev);
}

static void http_on_io(struct ep *ep, uint32_t events)
{
    struct hep *h = H(ep);
    if (h->phase == H_CONNECTING) {
        connected(ep);
        if (h->phase != H_HANDSHAKE && h->phase != H_RUN)
            return;
    }
    if (h->phase == H_HANDSHAKE) {
        handshake(ep);
        if (h->phase != H_RUN)
            return;
    }
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && do_read(ep) < 0)
        return;
    if (do_write(ep) < 0)
        return;
    interest(ep);
}

static void timer_cb(struct loop *l, struct loop_timer *t)
{
    (void)l;
    struct ep *ep = t->arg;
    struct hep *h = H(ep);
    if (h->phase == H_IDLE) {
        if (ep->state == EP_RUN)
            connect_start(ep);
        return;
    }
    if (h->phase != H_RUN)
        return;
    issue(ep, clock_now_ns());
    if (do_write(ep) < 0)
        return;
    interest(ep);
}

static void io_cb(struct loop *l, struct loop_io *io, uint32_t events)
{
    (void)l;
    struct ep *ep = io->arg;
    ep->drv->on_io(ep, events);
}

static uint32_t pow2_at_least(double v)
{
    uint32_t c = 64;
    while (c < v && c < (1u << 20))
        c <<= 1;
    return c;
}

static int http_init(struct ep *ep)
{
    const struct ctrl_request *q = ep->w->req;
    double cap = q->pipeline;
    if (ep->role & EP_RATE) {
        double share = ep_rate_share(q, q->conns);
        ep->period_ns = share > 0 ? 1e9 / share : 1e9;
        cap = share * 4; /* four seconds of backlog before it stops issuing */
    }
    uint32_t n = pow2_at_least(cap);
    ep->ring_mask = n - 1;
    ep->ring = malloc(n * sizeof(*ep->ring));
    ep->priv = calloc(1, sizeof(struct hep));
    if (!ep->ring || !ep->priv)
        return -1;
    ep->io.fn = io_cb;
    ep->timer.fn = timer_cb;
    return 0;
}

static int http_start(struct ep *ep)
{
    ep->state = EP_RUN;
    if (ep->io.fd < 0) { /* crr: a connection per request */
        issue(ep, clock_now_ns());
        connect_start(ep);
        return 0;
    }
    if (loop_add(ep->w->loop, &ep->io, EPOLLIN | EPOLLOUT) != 0)
        return -1;
    begin_session(ep); /* on failure it has closed the endpoint */
    return 0;
}

static void http_drain(struct ep *ep)
{
    if (ep->state == EP_CLOSED)
        return;
    ep->state = EP_DRAIN;
    if (H(ep)->phase != H_RUN || ep->ring_n == 0)
        ep->drv->finish(ep);
    else
        loop_timer_cancel(ep->w->loop, &ep->timer);
}

static void http_finish(struct ep *ep)
{
    if (ep->state == EP_CLOSED)
        return;
    struct hep *h = H(ep);
    loop_timer_cancel(ep->w->loop, &ep->timer);
    if (!(ep->role & EP_CRR))
        ep_tcp_info(ep);
    if (ep->io.fd >= 0) {
        loop_del(ep->w->loop, &ep->io);
        if (h != NULL) {
            tls_conn_free(h->ssl);
            h->ssl = NULL;
        }
        net_close_reset(ep->io.fd);
        ep->io.fd = -1;
    }
    if (h != NULL && h->sess != NULL)
        SSL_SESSION_free(h->sess);
    free(ep->priv);
    ep->priv = NULL;
    ep_free_state(ep);
    ep->state = EP_CLOSED;
    if (ep->w->closed)
        ep->w->closed(ep);
}

const struct drv_ops drv_http = {
    .name = "http",
    .init = http_init,
    .start = http_start,
    .on_io = http_on_io,
    .drain = http_drain,
    .finish = http_finish,
};
