#include "ep.h"

#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"

void ep_setup(struct ep *ep, struct wctx *w, const struct drv_ops *drv, int fd, uint32_t index,
              uint32_t role)
{
    memset(ep, 0, sizeof(*ep));
    ep->io.fd = fd;
    ep->io.arg = ep;
    ep->timer.arg = ep;
    ep->w = w;
    ep->drv = drv;
    ep->tp = w->tp ? w->tp : &transport_plain;
    ep->index = index;
    ep->role = role;
    ep->state = EP_IDLE;
    ep->quota = UINT64_MAX;
}

uint32_t ep_roles(const struct ctrl_request *q, bool server)
{
    if (q->mode == MODE_STREAM) {
        bool rev = q->flags & CTRL_F_REVERSE, bidir = q->flags & CTRL_F_BIDIR;
        if (bidir)
            return EP_SEND | EP_RECV;
        return (rev != server) ? EP_RECV : EP_SEND;
    }
    if (server)
        return EP_RR_SERVER;
    if (q->mode == MODE_RATE)
        return EP_RR_CLIENT | EP_RATE;
    if (q->mode == MODE_CRR)
        return EP_RR_CLIENT | EP_CRR;
    return EP_RR_CLIENT;
}

double ep_rate_share(const struct ctrl_request *q, uint32_t n)
{
    double total = 0;
    if (q->rate_per_s > 0)
        total = q->rate_per_s;
    else if (q->rate_bps > 0 && q->mode == MODE_STREAM)
        total = q->rate_bps / (8.0 * (double)q->size);
    return n ? total / (double)n : total;
}

void ep_free_state(struct ep *ep)
{
    free(ep->txbuf);
    free(ep->ring);
    free(ep->seq);
    free(ep->slots);
    free(ep->pending);
    free(ep->flow_addr);
    free(ep->flow_known);
    ep->txbuf = NULL;
    ep->ring = NULL;
    ep->seq = NULL;
    ep->slots = NULL;
    ep->flow_addr = NULL;
    ep->flow_known = NULL;
}

bool ep_may_wait(const struct ep *ep)
{
    if (loop_busy_poll(ep->w->loop) != 0 || ep->w->req->mode != MODE_RR)
        return false;
    if (ep->w->server)
        return ep->role == EP_RR_SERVER;
    return ep->role == EP_RR_CLIENT && ep->w->eps == 1;
}

void ep_busy_poll(struct ep *ep)
{
    uint64_t ns = loop_busy_poll(ep->w->loop);
    if (ns > 0 && ep->io.fd >= 0)
        net_set_busy_poll(ep->io.fd, (uint32_t)(ns / 1000u));
}

void ep_tcp_info(struct ep *ep)
{
    struct net_tcp_info ti;
    if (ep->io.fd < 0 || net_tcp_info(ep->io.fd, &ti) != 0)
        return;
    struct stats *s = ep->w->st;
    s->retrans += ti.retrans;
    s->rtt_us_sum += ti.rtt_us;
    s->cwnd_sum += ti.cwnd;
    s->mss = ti.mss;
    if (!s->cc[0])
        memcpy(s->cc, ti.cc, sizeof(s->cc));
    s->tcpinfo_n++;
}

void ep_tcp_cc(struct ep *ep)
{
    struct stats *s = ep->w->st;
    if (!s->cc[0] && ep->io.fd >= 0)
        net_tcp_cc(ep->io.fd, s->cc);
}

const uint8_t ep_zero[EP_ZERO_LEN];

void ep_quota_done(struct ep *ep)
{
    if (ep->w->quota_done)
        ep->w->quota_done(ep);
}

int ep_loop_add(struct ep *ep, int (*wait_setup)(struct ep *ep))
{
    ep_busy_poll(ep);
    if (ep_may_wait(ep) && wait_setup(ep) == 0)
        return loop_add_waiter(ep->w->loop, &ep->io, EPOLLIN) != 0 ? -1 : 0;
    return loop_add(ep->w->loop, &ep->io, EPOLLIN) != 0 ? -1 : 0;
}

int ep_wait_setup(struct ep *ep)
{
    if (net_set_recv_wait(ep->io.fd, EP_WAIT_ANSWER_US) != 0)
        return -1;
    ep->wait_answer = true;
    return 0;
}

ssize_t ep_recv_wait(struct ep *ep, void *buf, size_t len)
{
    return recv(ep->io.fd, buf, len, 0);
}

int ep_io_rounds(struct ep *ep, uint32_t events, const struct ep_rounds *r)
{
    bool rd = events & (EPOLLIN | EPOLLERR | EPOLLHUP);
    /* The loop's waiter is called to sleep in recv from the first read. */
    bool waiter = loop_is_waiter(ep->w->loop, &ep->io);
    for (int k = 0;; k++) {
        int got = rd ? r->read(ep, k > 0 || waiter) : 0;
        if (got < 0)
            return -1;
        if (k > 0 && !ep_waits(ep))
            ep_spec_note(ep, got > 0);
        if ((k > 0 || (waiter && rd)) && got == 0)
            break; /* no answer yet (or not in time): epoll says when */
        if (r->write(ep) < 0)
            return -1;
        if (k == EP_SPEC_ROUNDS || !r->spec(ep))
            break;
        rd = true; /* the answer may be there already: read before epoll */
    }
    return 0;
}

void ep_io_cb(struct loop *l, struct loop_io *io, uint32_t events)
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

int ep_ring_init(struct ep *ep)
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
    return ep->ring ? 0 : -1;
}

int ep_connect_start(struct ep *ep)
{
    char err[160];
    ep->conn_start_ns = clock_now_ns();
    int fd = net_connect_start(ep->w->peer, SOCK_STREAM, ep->w->tune, err, sizeof(err));
    if (fd < 0) {
        ep->w->st->err[ERRC_CONNECT]++;
        return -1;
    }
    ep->io.fd = fd;
    return 0;
}

int ep_connect_done(struct ep *ep)
{
    if (net_connect_result(ep->io.fd) == 0)
        return 0;
    ep->w->st->err[ERRC_CONNECT]++;
    ep_close_socket(ep, false);
    return -1;
}

void ep_close_socket(struct ep *ep, bool reset)
{
    if (ep->io.fd < 0)
        return;
    loop_del(ep->w->loop, &ep->io);
    if (reset)
        net_close_reset(ep->io.fd);
    else
        close(ep->io.fd);
    ep->io.fd = -1;
}

void ep_finished(struct ep *ep)
{
    ep_free_state(ep);
    ep->state = EP_CLOSED;
    if (ep->w->closed)
        ep->w->closed(ep);
}
