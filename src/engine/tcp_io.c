/* The TCP data path shared by every TCP role: what arrives (stream
 * messages, requests, responses) and what goes out (stamped stream
 * batches, owed request and response bytes), through the endpoint's
 * transport table. drv_tcp.c holds the table and connection handling. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "clock.h"
#include "config.h"
#include "tcp_io.h"

#define IO_BUDGET 16
#define RR_BACKLOG (4u << 20) /* a server owing more stops reading */

static bool send_idle(const struct ep *ep)
{
    return ep->tx_off == ep->tx_len && ep->tx_msg_off == 0 && ep->owed == 0 &&
           ep->pre_off == ep->pre_len;
}

/* --- request/response client: the ring of start times -------------- */

/* Queues requests: closed loop up to the pipeline depth, or (rate) every
 * scheduled one that is due, each stamped with its intended start. */
void tcp_io_rr_issue(struct ep *ep, uint64_t now)
{
    const struct ctrl_request *q = ep->w->req;
    if (ep->state != EP_RUN)
        return;
    if (ep->role & EP_RATE) {
        uint64_t when;
        while ((when = ep_sched(ep, ep->sched_k)) <= now && ep->ring_n <= ep->ring_mask &&
               ep->ring_n < ep->quota) {
            ep_ring_push(ep, when);
            ep->owed += q->size;
            ep->sched_k++;
        }
        if (ep->ring_n <= ep->ring_mask && ep->ring_n < ep->quota)
            loop_timer_set(ep->w->loop, &ep->timer, when);
        return;
    }
    while (ep->ring_n < q->pipeline && ep->ring_n < ep->quota) {
        ep_ring_push(ep, now);
        ep->owed += q->size;
    }
}

static void rr_done(struct ep *ep, uint64_t now, bool meas)
{
    uint64_t t0 = ep_ring_pop(ep);
    struct stats *s = ep->w->st;
    if (meas) {
        s->txn++;
        s->rx_msgs++;
        if (tcp_io_timed(ep))
            hist_record(&s->lat, (int64_t)(now - t0));
        if (ep->quota != UINT64_MAX && --ep->quota == 0)
            ep_quota_done(ep);
    }
    if (!(ep->role & EP_CRR))
        tcp_io_rr_issue(ep, now);
}

/* --- receiving --------------------------------------------------------- */

/* One whole message, response or request has arrived. */
static void unit_done(struct ep *ep, uint64_t now, bool meas)
{
    struct stats *s = ep->w->st;
    if (ep->role & EP_RR_CLIENT) {
        rr_done(ep, now, meas);
    } else if (ep->role & EP_RR_SERVER) {
        ep->owed += ctrl_resp_size(ep->w->req);
        if (meas)
            s->rx_msgs++;
        if (ep->w->on_request)
            ep->w->on_request(ep->w);
    } else {
        if (meas) {
            s->rx_msgs++;
            if (ep->rx_unit >= WIRE_HDR_LEN && tcp_io_timed(ep)) {
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
    ep->drv->close(ep, false);
    return -1;
}

int tcp_io_wait_setup(struct ep *ep)
{
    return ep->tp == &transport_plain ? ep_wait_setup(ep) : -1;
}

/* The blocking read of an endpoint with wait_answer. */
static enum tp_status read_wait(struct ep *ep, size_t *n)
{
    ssize_t r = ep_recv_wait(ep, ep->w->rxbuf, ep->w->rxcap);
    *n = r > 0 ? (size_t)r : 0;
    if (r > 0)
        return TP_OK;
    if (r == 0)
        return TP_EOF;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? TP_WANT_READ : TP_ERR;
}

int tcp_io_read(struct ep *ep, bool wait)
{
    /* Who needs the time of arrival: a timed receiver or requester, and
     * an open-loop schedule; never a server answering requests. */
    bool clock =
        (ep->role & EP_RATE) || (tcp_io_timed(ep) && (ep->role & (EP_RR_CLIENT | EP_RECV)));
    int got = 0;
    for (int i = 0; i < IO_BUDGET && !ep->shut_rd; i++) {
        size_t n = 0;
        enum tp_status st =
            wait && i == 0 && ep_waits(ep)
                ? read_wait(ep, &n)
                : ep->tp->read(ep->tp_ctx, ep->io.fd, ep->w->rxbuf, ep->w->rxcap, &n);
        if (st == TP_OK && ep->rx_unit == 0) {
            /* A side that only sends expects nothing after the hello:
             * bytes from the peer break the protocol, and none of them
             * would ever make a message to consume. */
            ep->w->st->err[ERRC_PROTOCOL]++;
            ep->drv->close(ep, false);
            return -1;
        }
        if (st == TP_OK) {
            uint32_t ring = ep->ring_n;
            got = 1;
            consume(ep, ep->w->rxbuf, n, clock ? clock_now_ns() : 0);
            if ((ep->role & EP_CRR) && ring > 0 && ep->ring_n == 0) {
                ep->drv->close(ep, false);
                return -1;
            }
            if (n < ep->w->rxcap)
                return got; /* drained: spare the read that would say EAGAIN */
            continue;
        }
        if (st == TP_WANT_READ)
            return got;
        if (st == TP_WANT_WRITE) {
            ep->want_out = true;
            return got;
        }
        if (st == TP_EOF || errno == ECONNRESET) {
            ep->shut_rd = true;
            return on_eof(ep, st != TP_EOF);
        }
        ep->w->st->err[ERRC_READ]++;
        ep->drv->close(ep, false);
        return -1;
    }
    return got;
}

bool tcp_io_spec(struct ep *ep)
{
    if (!(ep->role & (EP_RR_CLIENT | EP_RR_SERVER)) || (ep->role & EP_CRR) || ep->state != EP_RUN ||
        ep->shut_rd || ep->want_out || !send_idle(ep))
        return false;
    if ((ep->role & EP_RR_CLIENT) && ep->ring_n == 0)
        return false;
    if (ep_waits(ep))
        return true;
    return ep_spec_try(ep);
}

/* --- sending ----------------------------------------------------------- */

/* Fills the endpoint's buffer with whole messages as pacing and the quota
 * allow, each stamped with its sequence number and send time. */
static void stream_fill(struct ep *ep)
{
    const struct ctrl_request *q = ep->w->req;
    bool hdr = q->size >= WIRE_HDR_LEN && tcp_io_timed(ep), meas = wctx_measuring(ep->w);
    uint64_t now = hdr || ep->period_ns > 0 ? clock_now_ns() : 0;
    size_t len = 0;
    if (ep->period_ns > 0)
        ep_pace_slack(ep, ep->tx_seq, now);
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

static int build_iov(struct ep *ep, struct iovec *iov)
{
    int n = 0;
    if (ep->pre_off < ep->pre_len)
        iov[n++] = (struct iovec){ep->pre + ep->pre_off, ep->pre_len - ep->pre_off};
    if (ep->role & EP_SEND) {
        if (ep->tx_off == ep->tx_len)
            stream_fill(ep);
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
int tcp_io_maybe_shut(struct ep *ep)
{
    if (ep->state != EP_DRAIN || ep->ring_n > 0 || !send_idle(ep))
        return 0;
    if (ep->w->server) {
        ep->drv->close(ep, false);
        return -1;
    }
    if (!ep->shut) {
        ep->tp->shutdown(ep->tp_ctx, ep->io.fd);
        ep->shut = true;
    }
    return 0;
}

/* Returns -1 when the endpoint was closed. */
int tcp_io_write(struct ep *ep)
{
    ep->want_out = false;
    for (int i = 0; i < IO_BUDGET; i++) {
        struct iovec iov[2];
        int n = build_iov(ep, iov);
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
        ep->drv->close(ep, false);
        return -1;
    }
    return tcp_io_maybe_shut(ep);
}

void tcp_io_interest(struct ep *ep)
{
    uint32_t ev = ep->want_out ? EPOLLOUT : 0;
    if (!ep->shut_rd && !((ep->role & EP_RR_SERVER) && ep->owed > RR_BACKLOG))
        ev |= EPOLLIN;
    loop_mod(ep->w->loop, &ep->io, ev);
}
