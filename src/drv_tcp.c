/* The TCP driver: stream sender and receiver, request/response client and
 * server, open-loop rate client and connect-per-transaction (crr) client.
 * Reads and writes go through the endpoint's transport table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "ep.h"

#define IO_BUDGET 16
#define RR_BACKLOG (4u << 20) /* a server owing more stops reading */

static int tcp_write(struct ep *ep);
static void tcp_close(struct ep *ep);
static int crr_connect(struct ep *ep);

static uint64_t resp_size(const struct ctrl_request *q)
{
    return q->resp_size ? q->resp_size : q->size;
}

static bool timed(const struct ep *ep)
{
    return !(ep->w->req->flags & CTRL_F_NO_TIMING);
}

static bool send_idle(const struct ep *ep)
{
    return ep->tx_off == ep->tx_len && ep->tx_msg_off == 0 && ep->owed == 0 &&
           ep->pre_off == ep->pre_len;
}

/* --- request/response client: the ring of start times -------------- */

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

/* Queues requests: closed loop up to the pipeline depth, or (rate) every
 * scheduled one that is due, each stamped with its intended start. */
static void rr_issue(struct ep *ep, uint64_t now)
{
    const struct ctrl_request *q = ep->w->req;
    if (ep->state != EP_RUN)
        return;
    if (ep->role & EP_RATE) {
        uint64_t when;
        while ((when = ep_sched(ep, ep->sched_k)) <= now && ep->ring_n <= ep->ring_mask &&
               ep->ring_n < ep->quota) {
            ring_push(ep, when);
            ep->owed += q->size;
            ep->sched_k++;
        }
        if (ep->ring_n <= ep->ring_mask && ep->ring_n < ep->quota)
            loop_timer_set(ep->w->loop, &ep->timer, when);
        return;
    }
    while (ep->ring_n < q->pipeline && ep->ring_n < ep->quota) {
        ring_push(ep, now);
        ep->owed += q->size;
    }
}

static void rr_done(struct ep *ep, uint64_t now, bool meas)
{
    uint64_t t0 = ring_pop(ep);
    struct stats *s = ep->w->st;
    if (meas) {
        s->txn++;
        s->rx_msgs++;
        if (timed(ep))
            hist_record(&s->lat, (int64_t)(now - t0));
        if (ep->quota != UINT64_MAX && --ep->quota == 0)
            ep_quota_done(ep);
    }
    if (!(ep->role & EP_CRR))
        rr_issue(ep, now);
}

/* --- receiving --------------------------------------------------------- */

/* One whole message, response or request has arrived. */
static void unit_done(struct ep *ep, uint64_t now, bool meas)
{
    struct stats *s = ep->w->st;
    if (ep->role & EP_RR_CLIENT) {
        rr_done(ep, now, meas);
    } else if (ep->role & EP_RR_SERVER) {
        ep->owed += resp_size(ep->w->req);
        if (meas)
            s->rx_msgs++;
        if (ep->w->on_request)
            ep->w->on_request(ep->w);
    } else {
        if (meas) {
            s->rx_msgs++;
            if (ep->rx_unit >= WIRE_HDR_LEN && timed(ep)) {
                struct wire_hdr h = wire_get(ep->hdr);
                if (now >= h.send_ns)
                    hist_record(&s->lat, (int64_t)(now - h.send_ns));
            }
        }
    }
}

static void consume(struct ep *ep, const uint8_t *p, size_t n, uint64_t now)
{
    bool meas = wctx_measuring(ep->w);
    bool hdr = (ep->role & EP_RECV) && ep->rx_unit >= WIRE_HDR_LEN;
    struct stats *s = ep->w->st;
    s->rx_total += n;
    if (meas)
        s->rx_bytes += n;
    while (n > 0) {
        if (hdr && ep->rx_pos < WIRE_HDR_LEN) {
            size_t h = WIRE_HDR_LEN - ep->rx_pos;
            memcpy(ep->hdr + ep->rx_pos, p, h < n ? h : n);
        }
        uint64_t left = ep->rx_unit - ep->rx_pos;
        size_t take = left < n ? (size_t)left : n;
        ep->rx_pos += take;
        p += take;
        n -= take;
        if (ep->rx_pos == ep->rx_unit) {
            ep->rx_pos = 0;
            if ((ep->role & EP_RR_CLIENT) && ep->ring_n == 0) {
                ep->w->st->err[ERRC_PROTOCOL]++; /* an answer nobody asked for */
                continue;
            }
            unit_done(ep, now, meas);
        }
    }
}

/* The peer closed or failed: what that means depends on the side.
 * Returns -1 when the endpoint was closed. */
static int on_eof(struct ep *ep, bool reset)
{
    struct stats *s = ep->w->st;
    bool expected = ep->w->server ? !reset || ep->w->req->mode == MODE_CRR : ep->shut;
    if (!expected)
        s->err[reset ? ERRC_RESET : ERRC_READ]++;
    if (ep->w->server && !reset && !send_idle(ep)) {
        ep->state = EP_DRAIN; /* finish what is owed, then close */
        ep->shut = true;
        return 0;
    }
    tcp_close(ep);
    return -1;
}

/* Returns -1 when the endpoint was closed (or recycled, crr). */
static int tcp_read(struct ep *ep)
{
    for (int i = 0; i < IO_BUDGET && !ep->shut_rd; i++) {
        size_t n = 0;
        enum tp_status st = ep->tp->read(ep->tp_ctx, ep->io.fd, ep->w->rxbuf, ep->w->rxcap, &n);
        if (st == TP_OK) {
            uint32_t ring = ep->ring_n;
            consume(ep, ep->w->rxbuf, n, clock_now_ns());
            if ((ep->role & EP_CRR) && ring > 0 && ep->ring_n == 0) {
                tcp_close(ep);
                return -1;
            }
            continue;
        }
        if (st == TP_WANT_READ)
            return 0;
        if (st == TP_WANT_WRITE) {
            ep->want_out = true;
            return 0;
        }
        if (st == TP_EOF || errno == ECONNRESET) {
            ep->shut_rd = true;
            return on_eof(ep, st != TP_EOF);
        }
        ep->w->st->err[ERRC_READ]++;
        tcp_close(ep);
        return -1;
    }
    return 0;
}

/* --- sending ----------------------------------------------------------- */

/* Fills the endpoint's buffer with whole messages as pacing and the quota
 * allow, each stamped with its sequence number and send time. */
static void stream_fill(struct ep *ep, uint64_t now)
{
    const struct ctrl_request *q = ep->w->req;
    bool hdr = q->size >= WIRE_HDR_LEN && timed(ep), meas = wctx_measuring(ep->w);
    size_t len = 0;
    while (len < ep->txcap) {
        if (ep->tx_msg_off == 0) {
            if (ep->state != EP_RUN || ep->quota == 0)
                break;
            if (ep->period_ns > 0) {
                uint64_t when = ep_sched(ep, ep->tx_seq);
                if (when > now) {
                    loop_timer_set(ep->w->loop, &ep->timer, when);
                    break;
                }
            }
            if (hdr && ep->txcap - len < WIRE_HDR_LEN)
                break;
            if (hdr)
                wire_put(ep->txbuf + len, ep->index, (uint32_t)ep->tx_seq, now);
            ep->tx_seq++;
            if (meas) {
                ep->w->st->tx_msgs++;
                if (ep->quota != UINT64_MAX && --ep->quota == 0)
                    ep_quota_done(ep);
            }
        }
        uint64_t left = q->size - ep->tx_msg_off;
        size_t take = ep->txcap - len < left ? ep->txcap - len : (size_t)left;
        len += take;
        ep->tx_msg_off += take;
        if (ep->tx_msg_off == q->size)
            ep->tx_msg_off = 0;
    }
    ep->tx_len = len;
    ep->tx_off = 0;
}

static int build_iov(struct ep *ep, struct iovec *iov, uint64_t now)
{
    int n = 0;
    if (ep->pre_off < ep->pre_len)
        iov[n++] = (struct iovec){ep->pre + ep->pre_off, ep->pre_len - ep->pre_off};
    if (ep->role & EP_SEND) {
        if (ep->tx_off == ep->tx_len)
            stream_fill(ep, now);
        if (ep->tx_off < ep->tx_len)
            iov[n++] = (struct iovec){ep->txbuf + ep->tx_off, ep->tx_len - ep->tx_off};
    } else if (ep->owed > 0) {
        size_t k = ep->owed < EP_ZERO_LEN ? (size_t)ep->owed : EP_ZERO_LEN;
        iov[n++] = (struct iovec){(void *)(uintptr_t)ep_zero, k};
    }
    return n;
}

static void account_sent(struct ep *ep, size_t n)
{
    size_t pre = ep->pre_len - ep->pre_off;
    pre = pre < n ? pre : n;
    ep->pre_off += (uint32_t)pre;
    n -= pre;
    if (ep->role & EP_SEND)
        ep->tx_off += n;
    else
        ep->owed -= n;
    ep->w->st->tx_total += n;
    if (wctx_measuring(ep->w))
        ep->w->st->tx_bytes += n;
}

/* Once a draining endpoint has nothing left: the client shuts its
 * sending side (and reads until the server closes), the server closes.
 * Returns -1 when the endpoint was closed. */
static int maybe_shut(struct ep *ep)
{
    if (ep->state != EP_DRAIN || ep->ring_n > 0 || !send_idle(ep))
        return 0;
    if (ep->w->server) {
        tcp_close(ep);
        return -1;
    }
    if (!ep->shut) {
        ep->tp->shutdown(ep->tp_ctx, ep->io.fd);
        ep->shut = true;
    }
    return 0;
}

/* Returns -1 when the endpoint was closed. */
static int tcp_write(struct ep *ep)
{
    uint64_t now = clock_now_ns();
    ep->want_out = false;
    for (int i = 0; i < IO_BUDGET; i++) {
        struct iovec iov[2];
        int n = build_iov(ep, iov, now);
        if (n == 0)
            break;
        size_t done = 0;
        enum tp_status st = ep->tp->writev(ep->tp_ctx, ep->io.fd, iov, n, &done);
        if (st == TP_OK) {
            account_sent(ep, done);
            if (i == IO_BUDGET - 1)
                ep->want_out = true; /* more to do: come back after others */
            continue;
        }
        if (st == TP_WANT_WRITE || st == TP_WANT_READ) {
            ep->want_out = st == TP_WANT_WRITE;
            return 0;
        }
        if (errno == EPIPE || errno == ECONNRESET)
            return on_eof(ep, true) < 0 ? -1 : (ep->want_out = false, 0);
        ep->w->st->err[ERRC_WRITE]++;
        tcp_close(ep);
        return -1;
    }
    return maybe_shut(ep);
}

static void tcp_interest(struct ep *ep)
{
    uint32_t ev = ep->want_out ? EPOLLOUT : 0;
    if (!ep->shut_rd && !((ep->role & EP_RR_SERVER) && ep->owed > RR_BACKLOG))
        ev |= EPOLLIN;
    loop_mod(ep->w->loop, &ep->io, ev);
}

/* --- connect per transaction (crr) ------------------------------------ */

static void crr_retry(struct ep *ep)
{
    ep->state = EP_IDLE;
    loop_timer_set(ep->w->loop, &ep->timer, clock_now_ns() + 10000000u);
}

static int crr_connect(struct ep *ep)
{
    char err[160];
    ep->conn_start_ns = clock_now_ns();
    int fd = net_connect_start(ep->w->peer, SOCK_STREAM, err, sizeof(err));
    if (fd < 0) {
        ep->w->st->err[ERRC_CONNECT]++;
        crr_retry(ep);
        return 0;
    }
    ep->io.fd = fd;
    ep->state = EP_CONNECTING;
    ep->shut = ep->shut_rd = false;
    if (loop_add(ep->w->loop, &ep->io, EPOLLOUT) != 0) {
        close(fd);
        ep->io.fd = -1;
        return -1;
    }
    return 0;
}

static void crr_connected(struct ep *ep)
{
    int e = net_connect_result(ep->io.fd);
    if (e != 0) {
        ep->w->st->err[ERRC_CONNECT]++;
        loop_del(ep->w->loop, &ep->io);
        close(ep->io.fd);
        ep->io.fd = -1;
        crr_retry(ep);
        return;
    }
    uint64_t now = clock_now_ns();
    if (wctx_measuring(ep->w) && timed(ep))
        hist_record(&ep->w->st->connect, (int64_t)(now - ep->conn_start_ns));
    net_set_nodelay(ep->io.fd);
    ep->pre_len = ep->pre_off = 0;
    if (!ep->w->echo) {
        ctrl_hello_encode(ep->pre, ep->w->test_id, ep->index);
        ep->pre_len = CTRL_HELLO_LEN;
    }
    ring_push(ep, ep->conn_start_ns);
    ep->owed = ep->w->req->size;
    ep->rx_pos = 0;
    ep->state = EP_RUN;
    if (tcp_write(ep) < 0)
        return;
    tcp_interest(ep);
}

/* --- the table --------------------------------------------------------- */

static void tcp_close(struct ep *ep)
{
    if ((ep->role & EP_CRR) && ep->state == EP_RUN && ep->quota > 0) {
        loop_del(ep->w->loop, &ep->io);
        net_close_reset(ep->io.fd);
        ep->io.fd = -1;
        crr_connect(ep);
        return;
    }
    ep->drv->finish(ep);
}

static void io_cb(struct loop *l, struct loop_io *io, uint32_t events)
{
    (void)l;
    struct ep *ep = io->arg;
    ep->drv->on_io(ep, events);
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
        rr_issue(ep, clock_now_ns());
    if (tcp_write(ep) < 0)
        return;
    tcp_interest(ep);
}

static uint32_t pow2_at_least(double v)
{
    uint32_t c = 64;
    while (c < v && c < (1u << 20))
        c <<= 1;
    return c;
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
        ep->rx_unit = resp_size(q);
        double cap = q->pipeline;
        if (ep->role & EP_RATE) {
            double share = ep_rate_share(q, q->conns);
            ep->period_ns = share > 0 ? 1e9 / share : 1e9;
            cap = share * 4; /* four seconds of backlog before it stops issuing */
        }
        uint32_t n = pow2_at_least(cap);
        ep->ring_mask = n - 1;
        ep->ring = malloc(n * sizeof(*ep->ring));
        if (!ep->ring)
            return -1;
    }
    ep->io.fn = io_cb;
    ep->timer.fn = timer_cb;
    return 0;
}

static int tcp_start(struct ep *ep)
{
    if (ep->role & EP_CRR)
        return crr_connect(ep);
    if (loop_add(ep->w->loop, &ep->io, EPOLLIN) != 0)
        return -1;
    ep->state = EP_RUN;
    if (ep->role & EP_RR_CLIENT)
        rr_issue(ep, clock_now_ns());
    if (tcp_write(ep) < 0)
        return 0;
    tcp_interest(ep);
    return 0;
}

static void tcp_on_io(struct ep *ep, uint32_t events)
{
    if (ep->state == EP_CONNECTING) {
        crr_connected(ep);
        return;
    }
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && tcp_read(ep) < 0)
        return;
    if (tcp_write(ep) < 0)
        return;
    tcp_interest(ep);
}

static void tcp_drain(struct ep *ep)
{
    if (ep->state == EP_CLOSED)
        return;
    loop_timer_cancel(ep->w->loop, &ep->timer);
    if ((ep->role & EP_CRR) && (ep->state == EP_IDLE || ep->state == EP_CONNECTING)) {
        ep->drv->finish(ep);
        return;
    }
    ep->state = EP_DRAIN;
    if (maybe_shut(ep) < 0)
        return;
    tcp_interest(ep);
}

static void tcp_finish(struct ep *ep)
{
    if (ep->state == EP_CLOSED)
        return;
    bool sender = (ep->role & EP_SEND) || ((ep->role & EP_RR_CLIENT) && !(ep->role & EP_CRR));
    if (sender)
        ep_tcp_info(ep);
    loop_timer_cancel(ep->w->loop, &ep->timer);
    if (ep->io.fd >= 0) {
        loop_del(ep->w->loop, &ep->io);
        ep->tp->close(ep->tp_ctx);
        if (ep->role & EP_CRR)
            net_close_reset(ep->io.fd);
        else
            close(ep->io.fd);
        ep->io.fd = -1;
    }
    ep_free_state(ep);
    ep->state = EP_CLOSED;
    if (ep->w->closed)
        ep->w->closed(ep);
}

const struct drv_ops drv_tcp = {
    .name = "tcp",
    .init = tcp_init,
    .start = tcp_start,
    .on_io = tcp_on_io,
    .drain = tcp_drain,
    .finish = tcp_finish,
};
