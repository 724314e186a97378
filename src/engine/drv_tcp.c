/* The TCP driver table: set-up, start, events, drain and finish of a TCP
 * endpoint in any role, and the connection per transaction of crr. The
 * data path itself is in tcp_io.c. */
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "tcp_io.h"

static int crr_connect(struct ep *ep);

/* --- connect per transaction (crr) ------------------------------------ */

static void crr_retry(struct ep *ep)
{
    ep->state = EP_IDLE;
    loop_timer_set(ep->w->loop, &ep->timer, clock_now_ns() + 10000000u);
}

static int crr_connect(struct ep *ep)
{
    if (ep_connect_start(ep) != 0) {
        crr_retry(ep);
        return 0;
    }
    ep_busy_poll(ep);
    ep->state = EP_CONNECTING;
    ep->shut = ep->shut_rd = false;
    if (loop_add(ep->w->loop, &ep->io, EPOLLOUT) != 0) {
        close(ep->io.fd);
        ep->io.fd = -1;
        return -1;
    }
    return 0;
}

/* The transport's set-up and handshake (TLS); plain is done at once.
 * Returns 1 when done, 0 while waiting (state EP_HANDSHAKE), -1 when the
 * endpoint failed and was closed. */
static int tp_progress(struct ep *ep)
{
    enum tp_status st = ep->tp->handshake(ep->tp_ctx, ep->io.fd);
    if (st == TP_OK) {
        if (ep->tp->resumed != NULL && wctx_measuring(ep->w) && ep->tp->resumed(ep->tp_ctx))
            ep->w->st->tls_resumed++; /* --resume can be seen to work */
        return 1;
    }
    if (st == TP_WANT_READ || st == TP_WANT_WRITE) {
        ep->state = EP_HANDSHAKE;
        loop_mod(ep->w->loop, &ep->io, st == TP_WANT_READ ? EPOLLIN : EPOLLOUT);
        return 0;
    }
    ep->w->st->err[ERRC_CONNECT]++;
    ep->state = EP_DRAIN; /* crr: no new connection */
    ep->drv->finish(ep);
    return -1;
}

static int tp_begin(struct ep *ep)
{
    char err[160];
    if (ep->tp->open(&ep->tp_ctx, ep->io.fd, ep->w->server, err, sizeof(err)) != 0) {
        ep->w->st->err[ERRC_CONNECT]++;
        ep->state = EP_DRAIN;
        ep->drv->finish(ep);
        return -1;
    }
    return tp_progress(ep);
}

/* A crr connection is up (and through its handshake): the transaction
 * starts, timed from before the connect. */
static void crr_ready(struct ep *ep)
{
    uint64_t now = clock_now_ns();
    if (wctx_measuring(ep->w) && tcp_io_timed(ep))
        hist_record(&ep->w->st->connect, (int64_t)(now - ep->conn_start_ns));
    ep->pre_len = ep->pre_off = 0;
    if (!ep->w->echo) {
        ctrl_hello_encode(ep->pre, ep->w->test_id, ep->index);
        ep->pre_len = CTRL_HELLO_LEN;
    }
    ep_ring_push(ep, ep->conn_start_ns);
    ep->owed = ep->w->req->size;
    ep->rx_pos = 0;
    ep->state = EP_RUN;
    if (tcp_io_write(ep) < 0)
        return;
    tcp_io_interest(ep);
}

static void crr_connected(struct ep *ep)
{
    if (ep_connect_done(ep) != 0) {
        crr_retry(ep);
        return;
    }
    net_set_nodelay(ep->io.fd);
    if (tp_begin(ep) == 1)
        crr_ready(ep);
}

/* --- the table --------------------------------------------------------- */

/* crr recycles the endpoint into a new connection while transactions
 * remain; everything else finishes. */
static void tcp_close(struct ep *ep, bool for_good)
{
    if (!for_good && (ep->role & EP_CRR) && ep->state == EP_RUN && ep->quota > 0) {
        ep->tp->close(ep->tp_ctx);
        ep->tp_ctx = NULL;
        ep_close_socket(ep, true);
        crr_connect(ep);
        return;
    }
    ep->drv->finish(ep);
}

static void timer_cb(struct loop *l, struct loop_timer *t)
{
    (void)l;
    struct ep *ep = t->arg;
    if (ep->role & EP_CRR) {
        if (ep->state == EP_IDLE && crr_connect(ep) != 0)
            ep->drv->finish(ep);
        return;
    }
    if (ep->role & EP_RATE)
        tcp_io_rr_issue(ep, clock_now_ns());
    if (tcp_io_write(ep) < 0)
        return;
    tcp_io_interest(ep);
}

static int tcp_init(struct ep *ep)
{
    const struct ctrl_request *q = ep->w->req;
    if (ep->role & EP_SEND) {
        ep->txcap = ep->w->eps > 16 ? 64 * 1024 : 256 * 1024;
        ep->txbuf = calloc(1, ep->txcap);
        double share = ep_rate_share(q, q->conns);
        ep->period_ns = share > 0 ? 1e9 / share : 0;
        if (!ep->txbuf)
            return -1;
    }
    if (ep->role & (EP_RECV | EP_RR_SERVER))
        ep->rx_unit = q->size;
    if (ep->role & EP_RR_CLIENT) {
        ep->rx_unit = ctrl_resp_size(q);
        if (ep_ring_init(ep) != 0)
            return -1;
    }
    ep->io.fn = ep_io_cb;
    ep->timer.fn = timer_cb;
    return 0;
}

/* Starts the traffic of an endpoint whose transport is ready. */
static void tcp_run(struct ep *ep)
{
    ep->state = EP_RUN;
    if (ep->role & EP_RR_CLIENT)
        tcp_io_rr_issue(ep, clock_now_ns());
    if (tcp_io_write(ep) < 0)
        return;
    tcp_io_interest(ep);
}

static int tcp_start(struct ep *ep)
{
    if (ep->role & EP_CRR)
        return crr_connect(ep);
    if (ep_loop_add(ep, tcp_io_wait_setup) != 0)
        return -1;
    if (tp_begin(ep) == 1)
        tcp_run(ep);
    return 0;
}

static void tcp_on_io(struct ep *ep, uint32_t events)
{
    if (ep->state == EP_CONNECTING) {
        crr_connected(ep);
        return;
    }
    if (ep->state == EP_HANDSHAKE) {
        if (tp_progress(ep) == 1) {
            if (ep->role & EP_CRR)
                crr_ready(ep);
            else
                tcp_run(ep);
        }
        return;
    }
    static const struct ep_rounds rounds = {tcp_io_read, tcp_io_write, tcp_io_spec};
    if (ep_io_rounds(ep, events, &rounds) == 0)
        tcp_io_interest(ep);
}

static void tcp_drain(struct ep *ep)
{
    if (ep->state == EP_CLOSED)
        return;
    loop_timer_cancel(ep->w->loop, &ep->timer);
    if (ep->state == EP_IDLE || ep->state == EP_CONNECTING || ep->state == EP_HANDSHAKE) {
        ep->drv->finish(ep);
        return;
    }
    ep->state = EP_DRAIN;
    if (tcp_io_maybe_shut(ep) < 0)
        return;
    tcp_io_interest(ep);
}

static void tcp_finish(struct ep *ep)
{
    if (ep->state == EP_CLOSED)
        return;
    bool sender = (ep->role & EP_SEND) || ((ep->role & EP_RR_CLIENT) && !(ep->role & EP_CRR));
    if (sender)
        ep_tcp_info(ep);
    else
        ep_tcp_cc(ep);
    loop_timer_cancel(ep->w->loop, &ep->timer);
    ep->tp->close(ep->tp_ctx); /* NULL when there is no connection */
    ep->tp_ctx = NULL;
    ep_close_socket(ep, ep->role & EP_CRR);
    ep_finished(ep);
}

const struct drv_ops drv_tcp = {
    .name = "tcp",
    .init = tcp_init,
    .start = tcp_start,
    .on_io = tcp_on_io,
    .drain = tcp_drain,
    .finish = tcp_finish,
    .close = tcp_close,
};
