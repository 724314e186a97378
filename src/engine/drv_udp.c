/* The UDP driver. A client endpoint is one flow on its own connected
 * socket; a server endpoint is one per-test socket serving many flows.
 * Datagrams go out and come in by batches (sendmmsg/recvmmsg); each
 * carries the wire header, so the receiver counts loss, reordering,
 * duplicates and jitter per flow, and a request's answer brings back the
 * time it was sent (or, in rate mode, meant to be sent). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "udp_io.h"

#define IO_BUDGET 8

/* --- senders ----------------------------------------------------------- */

/* Picks the flow the next datagram goes to: the client's own, or on the
 * server the next flow that said hello. Returns -1 when none is known. */
static int64_t next_flow(struct ep *ep)
{
    if (!ep->w->server)
        return ep->index;
    for (uint32_t i = 0; i < ep->nflows; i++) {
        uint32_t f = (ep->next_flow + i) % ep->nflows;
        if (ep->flow_known[f]) {
            ep->next_flow = f + 1;
            return f;
        }
    }
    return -1;
}

/* Stream: paced or back-to-back datagrams. Returns true if it stopped
 * because the socket was full. */
static bool stream_send(struct ep *ep, uint64_t now)
{
    const struct ctrl_request *q = ep->w->req;
    struct udp_batch *b = ep->w->ub;
    if (ep->state != EP_RUN || (ep->w->server && *ep->w->phase == CTRL_PHASE_DONE))
        return false;
    if (ep->period_ns > 0)
        ep_pace_slack(ep, ep->tx_seq, now);
    for (int round = 0; round < IO_BUDGET; round++) {
        int n = 0, max = ep->txbuf ? (int)(ep->txcap / q->size) : UDP_BATCH;
        bool meas = wctx_measuring(ep->w);
        while (n < max && ep->quota > 0) {
            if (ep->period_ns > 0 && ep_sched(ep, ep->tx_seq) > now) {
                loop_timer_set(ep->w->loop, &ep->timer, ep_sched(ep, ep->tx_seq));
                break;
            }
            int64_t f = next_flow(ep);
            if (f < 0)
                break;
            uint64_t seq = ep->w->server ? ep->ring[f]++ : ep->tx_seq;
            wire_put(b->hdr[n], (uint32_t)f | ep->flow_tag, (uint32_t)seq, now);
            udp_io_put_dgram(b, n, q->size, ep->w->server ? &ep->flow_addr[f] : NULL);
            n++;
            ep->tx_seq++;
            if (meas) {
                ep->w->st->tx_msgs++;
                if (ep->quota != UINT64_MAX && --ep->quota == 0)
                    ep_quota_done(ep);
            }
        }
        if (n == 0)
            return false;
        int sent = ep->txbuf ? udp_io_send_gso(ep, n, q->size) : udp_io_send_batch(ep, n, q->size);
        if (sent < n) {
            ep->tx_seq -= (uint64_t)(n - sent); /* those go again */
            return true;
        }
        now = clock_now_ns();
    }
    return true; /* out of budget with more due: continue when writable */
}

/* Request/response: closed loop (a slot per outstanding request) or open
 * loop on the schedule. */
static bool rr_send(struct ep *ep, uint64_t now)
{
    const struct ctrl_request *q = ep->w->req;
    struct udp_batch *b = ep->w->ub;
    bool rate = ep->role & EP_RATE, meas = wctx_measuring(ep->w);
    int n = 0;
    while (n < UDP_BATCH && ep->state == EP_RUN && ep->quota > ep->ring_n) {
        uint64_t when = now;
        struct udp_slot *s = NULL;
        if (rate) {
            when = ep_sched(ep, ep->tx_seq);
            if (when > now) {
                loop_timer_set(ep->w->loop, &ep->timer, when);
                break;
            }
        } else {
            s = &ep->slots[ep->tx_seq % q->pipeline];
            if (s->seq != UDP_SLOT_FREE)
                break;
            s->seq = ep->tx_seq;
            s->sent_ns = now;
            ep->ring_n++;
            if (!loop_timer_armed(&ep->timer))
                loop_timer_set(ep->w->loop, &ep->timer, now + q->timeout_ns);
        }
        if (rate && meas) {
            uint32_t bit = (uint32_t)ep->tx_seq & ep->pend_mask;
            ep->pending[bit / 64] |= 1ull << (bit % 64);
            ep->ring_n++;
        }
        uint32_t flow = ep->flow_tag | (meas ? UDP_FLOW_MEASURED : 0);
        wire_put(b->hdr[n], flow, (uint32_t)ep->tx_seq, when);
        udp_io_put_dgram(b, n, q->size, NULL);
        n++;
        ep->tx_seq++;
        if (meas)
            ep->w->st->expected++;
    }
    if (n == 0)
        return false;
    int sent = udp_io_send_batch(ep, n, q->size);
    ep->w->st->tx_msgs += meas ? (uint64_t)sent : 0;
    /* What did not go out is lost for closed loop (its slot times out)
     * and simply late for open loop. A full batch may have more behind. */
    return sent < n || n == UDP_BATCH;
}

/* --- the table --------------------------------------------------------- */

static void udp_finish(struct ep *ep);

/* Closed loop: frees the slots of requests older than the timeout. */
static void rr_expire(struct ep *ep, uint64_t now)
{
    const struct ctrl_request *q = ep->w->req;
    uint64_t next = UINT64_MAX;
    for (uint32_t i = 0; i < q->pipeline; i++) {
        struct udp_slot *s = &ep->slots[i];
        if (s->seq == UDP_SLOT_FREE)
            continue;
        if (s->sent_ns + q->timeout_ns <= now) {
            s->seq = UDP_SLOT_FREE;
            ep->ring_n--;
        } else if (s->sent_ns + q->timeout_ns < next) {
            next = s->sent_ns + q->timeout_ns;
        }
    }
    if (next != UINT64_MAX)
        loop_timer_set(ep->w->loop, &ep->timer, next);
}

static bool closed_loop(const struct ep *ep)
{
    return (ep->role & EP_RR_CLIENT) && !(ep->role & EP_RATE);
}

/* Whether to read again at once, without epoll (see ep_spec_try): a
 * server answering requests, or a closed-loop client waiting for answers. */
static bool udp_spec(struct ep *ep)
{
    if (ep->state != EP_RUN || !(ep->role & (EP_RR_SERVER | EP_RR_CLIENT)))
        return false;
    if ((ep->role & EP_RR_CLIENT) && (ep->ring_n == 0 || (ep->role & EP_RATE)))
        return false;
    if (ep_waits(ep))
        return true;
    return ep_spec_try(ep);
}

static void udp_on_io(struct ep *ep, uint32_t events)
{
    bool rd = events & EPOLLIN, full = false;
    /* The loop's waiter is called to sleep in recv from the first read. */
    bool waiter = loop_is_waiter(ep->w->loop, &ep->io);
    for (int k = 0;; k++) {
        int got = rd ? udp_io_recv(ep, k > 0 || waiter) : 0;
        if (k > 0 && !ep_waits(ep))
            ep_spec_note(ep, got > 0);
        if ((k > 0 || (waiter && rd)) && got == 0)
            break; /* no answer yet (or not in time): epoll says when */
        if (ep->state == EP_DRAIN && (ep->role & EP_RR_CLIENT) && ep->ring_n == 0) {
            udp_finish(ep);
            return;
        }
        if (ep->role & EP_SEND)
            full = stream_send(ep, clock_now_ns());
        else if (ep->role & EP_RR_CLIENT)
            full = rr_send(ep, clock_now_ns());
        if (full || k == EP_SPEC_ROUNDS || !udp_spec(ep))
            break;
        rd = true; /* the answer may be there already: read before epoll */
    }
    loop_mod(ep->w->loop, &ep->io, EPOLLIN | (full ? EPOLLOUT : 0));
}

static void timer_cb(struct loop *l, struct loop_timer *t)
{
    (void)l;
    struct ep *ep = t->arg;
    uint64_t now = clock_now_ns();
    if (ep->state == EP_DRAIN && ep->until_ns && now >= ep->until_ns) {
        udp_finish(ep);
        return;
    }
    if (closed_loop(ep))
        rr_expire(ep, now);
    udp_on_io(ep, 0);
}

static void io_cb(struct loop *l, struct loop_io *io, uint32_t events)
{
    (void)l;
    udp_on_io(io->arg, events);
}

/* Open loop: room for twice the requests a timeout can hold in flight,
 * so that a slot comes round again only after its reply is late anyway
 * (at most 2^24 requests: 2 MiB). */
static int pending_init(struct ep *ep, double share)
{
    double inflight = 2 * share * (double)ep->w->req->timeout_ns / 1e9 + 64;
    uint32_t bits = 64;
    while (bits < inflight && bits < (1u << 24))
        bits <<= 1;
    ep->pending = calloc(bits / 64, sizeof(*ep->pending));
    ep->pend_mask = bits - 1;
    return ep->pending ? 0 : -1;
}

static int udp_init(struct ep *ep)
{
    const struct ctrl_request *q = ep->w->req;
    ep->nflows = ep->w->server ? q->conns : 1;
    /* A server's socket takes every flow of the test; a client's flow
     * takes only its own index (wire.h). */
    ep->flow_tag = wire_flow_tag(ep->w->test_id, q->conns);
    if (ep->w->server)
        ep->flow_mask = wire_flow_mask(q->conns);
    else
        ep->flow_tag |= ep->index;
    ep->seq = calloc(ep->nflows, sizeof(*ep->seq));
    if (!ep->seq)
        return -1;
    double share = ep_rate_share(q, q->conns);
    if (ep->w->server) {
        ep->flow_addr = calloc(ep->nflows, sizeof(*ep->flow_addr));
        ep->flow_known = calloc(ep->nflows, 1);
        ep->ring = calloc(ep->nflows, sizeof(*ep->ring));
        if (!ep->flow_addr || !ep->flow_known || !ep->ring)
            return -1;
        uint32_t k = ep->w->nports ? ep->w->nports : 1;
        uint32_t here = q->conns / k + (ep->index < q->conns % k);
        ep->period_ns = share > 0 && here ? 1e9 / (share * here) : 0;
    } else if (ep->role & (EP_SEND | EP_RATE)) {
        ep->period_ns = share > 0 ? 1e9 / share : 0;
        if (ep->role & EP_SEND)
            udp_io_gso_setup(ep, q->size);
    }
    if (ep->role & (EP_RR_CLIENT | EP_RR_SERVER))
        udp_io_single_setup(ep);
    if ((ep->role & EP_RR_CLIENT) && (ep->role & EP_RATE) && pending_init(ep, share) != 0)
        return -1;
    if (closed_loop(ep)) {
        ep->slots = malloc(q->pipeline * sizeof(*ep->slots));
        if (!ep->slots)
            return -1;
        for (uint32_t i = 0; i < q->pipeline; i++)
            ep->slots[i].seq = UDP_SLOT_FREE;
    }
    ep->io.fn = io_cb;
    ep->timer.fn = timer_cb;
    return 0;
}

static int udp_start(struct ep *ep)
{
    if (ep_loop_add(ep, udp_io_wait_setup) != 0)
        return -1;
    ep->state = EP_RUN;
    udp_on_io(ep, 0);
    return 0;
}

static void udp_drain(struct ep *ep)
{
    if (ep->state == EP_CLOSED)
        return;
    ep->state = EP_DRAIN;
    uint64_t now = clock_now_ns();
    const struct ctrl_request *q = ep->w->req;
    if (ep->role & EP_RR_CLIENT) {
        if (ep->ring_n == 0) {
            udp_finish(ep);
            return;
        }
        if (ep->role & EP_RATE) {
            ep->until_ns = now + q->timeout_ns;
            loop_timer_set(ep->w->loop, &ep->timer, ep->until_ns);
        }
        return; /* closed loop: the slots time out by themselves */
    }
    if (!(ep->role & EP_RECV)) {
        udp_finish(ep);
        return;
    }
    /* A receiver listens a little longer for datagrams in flight. */
    ep->until_ns = now + 100000000u;
    loop_timer_set(ep->w->loop, &ep->timer, ep->until_ns);
}

static void udp_finish(struct ep *ep)
{
    if (ep->state == EP_CLOSED)
        return;
    for (uint32_t i = 0; i < ep->nflows && ep->seq; i++)
        seqtrack_flush(&ep->seq[i], ep->w->st);
    loop_timer_cancel(ep->w->loop, &ep->timer);
    ep_close_socket(ep, false);
    ep_finished(ep);
}

const struct drv_ops drv_udp = {
    .name = "udp",
    .init = udp_init,
    .start = udp_start,
    .on_io = udp_on_io,
    .drain = udp_drain,
    .finish = udp_finish,
};
