/* The WebSocket client driver (drv_ws in ep.h): rr with pipelining, crr
 * (connect, TLS, upgrade, one message and the close handshake, timed
 * whole), open-loop rate, and stream (messages back to back to netrig's
 * /ws/sink), over plain TCP or TLS, against netrig's server or any RFC
 * 6455 echo server. Each endpoint is one connection slot; a connection
 * the server ends is reopened and its unanswered messages sent again,
 * their start times kept. This file holds the table and the connections;
 * the data path is in ws_io.c. */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "clock.h"
#include "http_target.h"
#include "tls_cost.h"
#include "ws_io.h"

#define RETRY_NS 10000000u /* after a failed connect */
#define TX_MAX (256u * 1024u)
#define TX_MIN 4096u

static struct wsep *W(const struct ep *ep)
{
    return ws_io_wsep(ep);
}

static void ws_close(struct ep *ep, bool for_good);

/* --- connecting -------------------------------------------------------- */

static void retry_later(struct ep *ep)
{
    W(ep)->phase = W_IDLE;
    loop_timer_set(ep->w->loop, &ep->timer, clock_now_ns() + RETRY_NS);
}

static void connect_start(struct ep *ep)
{
    if (ep_connect_start(ep) != 0) {
        retry_later(ep);
        return;
    }
    W(ep)->phase = W_CONNECTING;
    if (loop_add(ep->w->loop, &ep->io, EPOLLOUT) != 0)
        ws_close(ep, true);
}

/* TCP and TLS are up: the connect time goes in its histogram, then the
 * upgrade request is queued. Returns -1 when the endpoint was closed. */
static int upgrade(struct ep *ep)
{
    if (ep->conn_start_ns != 0 && wctx_measuring(ep->w) && ep_timed(ep))
        hist_record(&ep->w->st->connect, (int64_t)(clock_now_ns() - ep->conn_start_ns));
    if (ws_io_upgrade(ep) != 0) {
        ep->w->st->err[ERRC_OTHER]++;
        ws_close(ep, true);
        return -1;
    }
    return 0;
}

/* A fresh connection's state: what was unanswered goes out again. */
static int begin_session(struct ep *ep)
{
    struct wsep *s = W(ep);
    const struct http_target *t = ep->w->http;
    char err[256];
    net_set_nodelay(ep->io.fd);
    ep_busy_poll(ep);
    memset(&s->rd, 0, sizeof(s->rd));
    s->hlen = 0;
    s->msg_hdr = 0;
    s->in_frame = false;
    s->held = 0;
    s->tx_off = s->tx_len = 0;
    s->g.active = false;
    s->close_queued = false;
    s->close_due = ep->state != EP_RUN;
    s->pong_due = false;
    s->mark_sent = false;
    s->mark_ns = 0;
    s->to_send = (ep->role & EP_RR_CLIENT) ? ep->ring_n : 0;
    if (t->tls) {
        s->ssl = tls_conn_new(&t->tls_ctx, ep->io.fd, t->host, t->resume ? s->sess : NULL, err,
                              sizeof(err));
        if (s->ssl == NULL) {
            ep->w->st->err[ERRC_CONNECT]++;
            ws_close(ep, true);
            return -1;
        }
        s->phase = W_TLS;
        return loop_mod(ep->w->loop, &ep->io, EPOLLOUT | EPOLLIN);
    }
    return upgrade(ep);
}

static void connected(struct ep *ep)
{
    if (ep_connect_done(ep) != 0) {
        retry_later(ep);
        return;
    }
    begin_session(ep);
}

static void handshake(struct ep *ep)
{
    struct wsep *s = W(ep);
    enum tls_result r = tls_handshake(s->ssl);
    if (r == TLS_WANT_READ || r == TLS_WANT_WRITE) {
        loop_mod(ep->w->loop, &ep->io, r == TLS_WANT_READ ? EPOLLIN : EPOLLOUT);
        return;
    }
    if (r != TLS_OK) {
        ep->w->st->err[ERRC_CONNECT]++;
        ws_close(ep, false);
        return;
    }
    tls_cost_note(s->ssl, &ep->w->st->tls_cipher, &ep->w->st->tls_version);
    upgrade(ep);
}

/* --- the table --------------------------------------------------------- */

static void ws_close(struct ep *ep, bool for_good)
{
    struct wsep *s = W(ep);
    if (for_good || ep->state != EP_RUN || ep->quota == 0) {
        ep->drv->finish(ep);
        return;
    }
    tls_conn_free(s->ssl); /* NULL without a connection */
    s->ssl = NULL;
    ep_close_socket(ep, true);
    ep->wait_answer = false; /* the next socket goes through epoll */
    s->phase = W_IDLE;
    if (ep->role & EP_CRR)
        ws_io_issue(ep, clock_now_ns());
    connect_start(ep);
}

static void interest(struct ep *ep)
{
    uint32_t ev = EPOLLIN | (ep->want_out ? EPOLLOUT : 0);
    loop_mod(ep->w->loop, &ep->io, ev);
}

static void ws_on_io(struct ep *ep, uint32_t events)
{
    struct wsep *s = W(ep);
    if (s->phase == W_CONNECTING) {
        connected(ep);
        if (s->phase != W_TLS && s->phase != W_UPGRADE)
            return;
    }
    if (s->phase == W_TLS) {
        handshake(ep);
        if (s->phase != W_UPGRADE)
            return;
    }
    static const struct ep_rounds rounds = {ws_io_read, ws_io_write, ws_io_spec};
    if (ep_io_rounds(ep, events, &rounds) == 0)
        interest(ep);
}

static void timer_cb(struct loop *l, struct loop_timer *t)
{
    (void)l;
    struct ep *ep = t->arg;
    struct wsep *s = W(ep);
    if (s->phase == W_IDLE) {
        if (ep->state == EP_RUN)
            connect_start(ep);
        return;
    }
    if (s->phase != W_RUN)
        return;
    ws_io_issue(ep, clock_now_ns());
    if (ws_io_write(ep) < 0)
        return;
    interest(ep);
}

/* The send buffer: what the pipeline (or a stream's batch) holds, within
 * TX_MIN and TX_MAX; allocated once per endpoint. */
static size_t tx_cap(const struct ep *ep)
{
    const struct http_target *t = ep->w->http;
    uint64_t frames = t->ws_frame ? t->ws_size / t->ws_frame + 1 : 1;
    uint64_t msg = t->ws_size + frames * WS_MAX_HEADER + 2 * (WS_MAX_HEADER + WS_MAX_CONTROL);
    uint64_t want = (ep->role & EP_CRR) ? msg : msg * ep->w->req->pipeline;
    if (!(ep->role & EP_RR_CLIENT) || (ep->role & EP_RATE))
        want = TX_MAX;
    return want < TX_MIN ? TX_MIN : want > TX_MAX ? TX_MAX : (size_t)want;
}

static int ws_init(struct ep *ep)
{
    int rc = (ep->role & EP_RR_CLIENT) ? ep_ring_init(ep) : 0;
    struct wsep *s = calloc(1, sizeof(*s));
    ep->priv = s;
    if (rc != 0 || s == NULL)
        return -1;
    s->tx_cap = tx_cap(ep);
    s->tx = malloc(s->tx_cap);
    if (s->tx == NULL)
        return -1;
    s->rng = clock_now_ns() ^ ((uint64_t)(uintptr_t)ep << 16) ^ 0x9E3779B97F4A7C15ull;
    ep->io.fn = ep_io_cb;
    ep->timer.fn = timer_cb;
    return 0;
}

static int ws_start(struct ep *ep)
{
    ep->state = EP_RUN;
    if (ep->io.fd < 0) { /* crr: a connection per transaction */
        ws_io_issue(ep, clock_now_ns());
        connect_start(ep);
        return 0;
    }
    /* Alone in its thread over plain TCP, it sleeps in recv (the loop's
     * waiter): the upgrade request goes out here, not on EPOLLOUT. */
    if (ep_loop_add(ep, ws_io_wait_setup) != 0)
        return -1;
    if (begin_session(ep) != 0)
        return 0; /* it has closed the endpoint (or TLS will say) */
    if (W(ep)->phase == W_UPGRADE && ws_io_write(ep) == 0)
        interest(ep);
    return 0;
}

/* Stops queueing; the close handshake follows the last answer. */
static void ws_drain(struct ep *ep)
{
    if (ep->state == EP_CLOSED)
        return;
    ep->state = EP_DRAIN;
    if (W(ep)->phase != W_RUN) {
        ep->drv->finish(ep);
        return;
    }
    loop_timer_cancel(ep->w->loop, &ep->timer);
    ws_io_close(ep);
    if (ws_io_write(ep) == 0)
        interest(ep);
}

static void ws_finish(struct ep *ep)
{
    if (ep->state == EP_CLOSED)
        return;
    struct wsep *s = W(ep);
    loop_timer_cancel(ep->w->loop, &ep->timer);
    if (!(ep->role & EP_CRR))
        ep_tcp_info(ep);
    if (s != NULL) {
        tls_conn_free(s->ssl);
        if (s->sess != NULL)
            SSL_SESSION_free(s->sess);
        free(s->tx);
    }
    ep_close_socket(ep, true);
    free(ep->priv);
    ep->priv = NULL;
    ep_finished(ep);
}

const struct drv_ops drv_ws = {
    .name = "ws",
    .init = ws_init,
    .start = ws_start,
    .on_io = ws_on_io,
    .drain = ws_drain,
    .finish = ws_finish,
    .close = ws_close,
};
