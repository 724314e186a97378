/* The HTTP/2 client driver (drv_h2 in ep.h). Each endpoint is one
 * connection slot with up to --streams requests in flight as streams of
 * one nghttp2 session: rr keeps them all busy, crr makes a connection per
 * request, rate opens a stream for each scheduled request (latency from
 * its intended start). h2 is TLS with ALPN "h2"; h2c is plain TCP with
 * prior knowledge. A connection that ends (server close, GOAWAY, stream
 * ids used up) is reopened and its unanswered requests are asked again
 * with their start times kept, as the HTTP/1.1 driver does. This file
 * holds the table and the connections; the data path is in h2_io.c. */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "clock.h"
#include "h2_io.h"
#include "http_target.h"
#include "tls_cost.h"

#define RETRY_NS 10000000u /* after a failed connect */

static struct h2ep *H(const struct ep *ep)
{
    return h2_io_hep(ep);
}

static void h2_close(struct ep *ep, bool for_good);

static void retry_later(struct ep *ep)
{
    H(ep)->phase = H2_IDLE;
    loop_timer_set(ep->w->loop, &ep->timer, clock_now_ns() + RETRY_NS);
}

static void connect_start(struct ep *ep)
{
    if (ep_connect_start(ep) != 0) {
        retry_later(ep);
        return;
    }
    H(ep)->phase = H2_CONNECTING;
    if (loop_add(ep->w->loop, &ep->io, EPOLLOUT) != 0)
        h2_close(ep, true);
}

/* The connection is ready: its connect (and handshake) time goes in its
 * own histogram, the session starts and requests are due. */
static void running(struct ep *ep)
{
    struct h2ep *h = H(ep);
    if (h2_io_session(ep) != 0) {
        ep->w->st->err[ERRC_OTHER]++;
        h2_close(ep, true);
        return;
    }
    h->phase = H2_RUN;
    if (ep->conn_start_ns != 0 && wctx_measuring(ep->w) && ep_timed(ep))
        hist_record(&ep->w->st->connect, (int64_t)(clock_now_ns() - ep->conn_start_ns));
    h2_io_issue(ep, clock_now_ns());
}

/* The TCP connection is up: start TLS or go straight to the session. */
static void begin_session(struct ep *ep)
{
    struct h2ep *h = H(ep);
    const struct http_target *t = ep->w->http;
    char err[256];
    net_set_nodelay(ep->io.fd);
    ep_busy_poll(ep);
    if (!t->tls) {
        running(ep);
        return;
    }
    h->ssl = tls_conn_new(&t->tls_ctx, ep->io.fd, t->host, t->resume ? h->sess : NULL, err,
                          sizeof(err));
    if (h->ssl == NULL) {
        ep->w->st->err[ERRC_CONNECT]++;
        h2_close(ep, true);
        return;
    }
    h->phase = H2_HANDSHAKE;
    loop_mod(ep->w->loop, &ep->io, EPOLLOUT | EPOLLIN);
}

/* The server must have chosen h2: one that speaks only HTTP/1.1 over TLS
 * would take our frames for garbage. */
static bool alpn_h2(SSL *ssl)
{
    const unsigned char *p = NULL;
    unsigned int n = 0;
    SSL_get0_alpn_selected(ssl, &p, &n);
    return n == 2 && memcmp(p, "h2", 2) == 0;
}

static void handshake(struct ep *ep)
{
    struct h2ep *h = H(ep);
    enum tls_result r = tls_handshake(h->ssl);
    if (r == TLS_WANT_READ || r == TLS_WANT_WRITE) {
        loop_mod(ep->w->loop, &ep->io, r == TLS_WANT_READ ? EPOLLIN : EPOLLOUT);
        return;
    }
    if (r != TLS_OK) {
        ep->w->st->err[ERRC_CONNECT]++;
        h2_close(ep, false);
        return;
    }
    if (!alpn_h2(h->ssl)) {
        ep->w->st->err[ERRC_PROTOCOL]++;
        h2_close(ep, true);
        return;
    }
    tls_cost_note(h->ssl, &ep->w->st->tls_cipher, &ep->w->st->tls_version);
    running(ep);
}

/* --- the table --------------------------------------------------------- */

static void h2_close(struct ep *ep, bool for_good)
{
    struct h2ep *h = H(ep);
    if (for_good || ep->state != EP_RUN || ep->quota == 0) {
        ep->drv->finish(ep);
        return;
    }
    h2_io_session_end(ep);
    tls_conn_free(h->ssl); /* NULL without a connection */
    h->ssl = NULL;
    ep_close_socket(ep, true);
    h->phase = H2_IDLE;
    if (ep->role & EP_CRR)
        h2_io_issue(ep, clock_now_ns());
    connect_start(ep);
}

static void interest(struct ep *ep)
{
    loop_mod(ep->w->loop, &ep->io, EPOLLIN | (ep->want_out ? EPOLLOUT : 0));
}

static void h2_on_io(struct ep *ep, uint32_t events)
{
    struct h2ep *h = H(ep);
    if (h->phase == H2_CONNECTING) {
        if (ep_connect_done(ep) != 0) {
            retry_later(ep);
            return;
        }
        begin_session(ep);
        if (h->phase != H2_HANDSHAKE && h->phase != H2_RUN)
            return;
    }
    if (h->phase == H2_HANDSHAKE) {
        handshake(ep);
        if (h->phase != H2_RUN)
            return;
    }
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && h2_io_read(ep) < 0)
        return;
    if (h2_io_write(ep) < 0)
        return;
    interest(ep);
}

static void timer_cb(struct loop *l, struct loop_timer *t)
{
    (void)l;
    struct ep *ep = t->arg;
    struct h2ep *h = H(ep);
    if (h->phase == H2_IDLE) {
        if (ep->state == EP_RUN)
            connect_start(ep);
        return;
    }
    if (h->phase != H2_RUN)
        return;
    h2_io_issue(ep, clock_now_ns());
    if (h2_io_write(ep) < 0)
        return;
    interest(ep);
}

static int h2_init(struct ep *ep)
{
    /* A stream test over HTTP/2 is back-to-back responses on every
     * stream: the closed loop. */
    if (!(ep->role & EP_RR_CLIENT))
        ep->role = EP_RR_CLIENT;
    ep->io.fn = ep_io_cb;
    ep->timer.fn = timer_cb;
    return h2_io_init(ep);
}

static int h2_start(struct ep *ep)
{
    ep->state = EP_RUN;
    if (ep->io.fd < 0) { /* crr: a connection per request */
        h2_io_issue(ep, clock_now_ns());
        connect_start(ep);
        return 0;
    }
    if (loop_add(ep->w->loop, &ep->io, EPOLLIN | EPOLLOUT) != 0)
        return -1;
    begin_session(ep); /* on failure it has closed the endpoint */
    return 0;
}

static void h2_drain(struct ep *ep)
{
    if (ep->state == EP_CLOSED)
        return;
    ep->state = EP_DRAIN;
    ep->ring_n = 0; /* requests not yet opened as streams stay unasked */
    if (H(ep)->phase != H2_RUN || H(ep)->open == 0)
        ep->drv->finish(ep);
    else
        loop_timer_cancel(ep->w->loop, &ep->timer);
}

static void h2_finish(struct ep *ep)
{
    if (ep->state == EP_CLOSED)
        return;
    struct h2ep *h = H(ep);
    loop_timer_cancel(ep->w->loop, &ep->timer);
    if (!(ep->role & EP_CRR))
        ep_tcp_info(ep);
    if (h != NULL) {
        h2_io_free(ep);
        tls_conn_free(h->ssl); /* NULL without a connection */
        h->ssl = NULL;
        if (h->sess != NULL)
            SSL_SESSION_free(h->sess);
    }
    ep_close_socket(ep, true);
    free(ep->priv);
    ep->priv = NULL;
    ep_finished(ep);
}

const struct drv_ops drv_h2 = {
    .name = "h2",
    .init = h2_init,
    .start = h2_start,
    .on_io = h2_on_io,
    .drain = h2_drain,
    .finish = h2_finish,
    .close = h2_close,
};
