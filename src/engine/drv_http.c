/* The HTTP/1.1 client driver. Each endpoint is one connection slot: it
 * keeps its outstanding requests' start times in the ring, writes request
 * heads (and POST bodies from ep_zero), and follows the responses with
 * http_reader. A connection the server closes (keep-alive limits, errors)
 * is reopened and its unanswered requests are sent again, their start
 * times kept, so a reconnect shows in the latency instead of hiding. This
 * file holds the table and the connections; the data path is in
 * http_io.c. */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "clock.h"
#include "drv_http.h"
#include "http_io.h"
#include "tls_cost.h"

#define RETRY_NS 10000000u /* after a failed connect */

static struct hep *H(const struct ep *ep)
{
    return http_io_hep(ep);
}

/* --- connecting -------------------------------------------------------- */

static void retry_later(struct ep *ep)
{
    H(ep)->phase = H_IDLE;
    loop_timer_set(ep->w->loop, &ep->timer, clock_now_ns() + RETRY_NS);
}

static int begin_session(struct ep *ep);
static void running(struct ep *ep);
static void http_close(struct ep *ep, bool for_good);

static void connect_start(struct ep *ep)
{
    if (ep_connect_start(ep) != 0) {
        retry_later(ep);
        return;
    }
    H(ep)->phase = H_CONNECTING;
    if (loop_add(ep->w->loop, &ep->io, EPOLLOUT) != 0)
        http_close(ep, true);
}

static void connected(struct ep *ep)
{
    if (ep_connect_done(ep) != 0) {
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
    H(ep)->phase = H_RUN;
    if (ep->conn_start_ns != 0 && wctx_measuring(ep->w) && ep_timed(ep))
        hist_record(&ep->w->st->connect, (int64_t)(clock_now_ns() - ep->conn_start_ns));
    http_io_issue(ep, clock_now_ns());
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
        struct stats *st = ep->w->st;
        st->err[ERRC_CONNECT]++;
        if (!st->note[0])
            tls_verify_note(h->ssl, st->note, sizeof(st->note));
        http_close(ep, false);
        return;
    }
    tls_cost_note(h->ssl, &ep->w->st->tls_cipher, &ep->w->st->tls_version);
    running(ep);
}

/* --- the table --------------------------------------------------------- */

/* Requests a closing server left unanswered while draining fall outside
 * the window. finish reads TCP_INFO, then closes. */
static void http_close(struct ep *ep, bool for_good)
{
    struct hep *h = H(ep);
    if (for_good || ep->state != EP_RUN || ep->quota == 0) {
        ep->drv->finish(ep);
        return;
    }
    tls_conn_free(h->ssl); /* NULL without a connection */
    h->ssl = NULL;
    ep_close_socket(ep, true);
    h->phase = H_IDLE;
    if (ep->role & EP_CRR)
        http_io_issue(ep, clock_now_ns());
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
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && http_io_read(ep) < 0)
        return;
    if (http_io_write(ep) < 0)
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
    http_io_issue(ep, clock_now_ns());
    if (http_io_write(ep) < 0)
        return;
    interest(ep);
}

static int http_init(struct ep *ep)
{
    int rc = ep_ring_init(ep);
    ep->priv = calloc(1, sizeof(struct hep));
    if (rc != 0 || !ep->priv)
        return -1;
    ep->io.fn = ep_io_cb;
    ep->timer.fn = timer_cb;
    return 0;
}

static int http_start(struct ep *ep)
{
    ep->state = EP_RUN;
    if (ep->io.fd < 0) { /* crr: a connection per request */
        http_io_issue(ep, clock_now_ns());
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
    if (h != NULL) {
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

const struct drv_ops drv_http = {
    .name = "http",
    .init = http_init,
    .start = http_start,
    .on_io = http_on_io,
    .drain = http_drain,
    .finish = http_finish,
    .close = http_close,
};
