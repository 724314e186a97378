/* The UDP data path below the driver: batches out (sendmmsg) and in
 * (recvmmsg), and what each received datagram means: a hello, a request
 * to answer, an answer to time, or a stream datagram to count per flow. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "clock.h"
#include "config.h"
#include "udp_io.h"

#define IO_BUDGET 8

static bool timed(const struct ep *ep)
{
    return ep_timed(ep);
}

/* Prepares datagram i of the batch: header then zeros up to len bytes. */
void udp_io_put_dgram(struct udp_batch *b, int i, size_t len, const struct net_addr *to)
{
    b->iov[i][0] = (struct iovec){b->hdr[i], WIRE_HDR_LEN};
    b->iov[i][1] = (struct iovec){(void *)(uintptr_t)ep_zero, len - WIRE_HDR_LEN};
    memset(&b->msg[i].msg_hdr, 0, sizeof(b->msg[i].msg_hdr));
    b->msg[i].msg_hdr.msg_iov = b->iov[i];
    b->msg[i].msg_hdr.msg_iovlen = 2;
    if (to) {
        b->msg[i].msg_hdr.msg_name = (void *)(uintptr_t)&to->ss;
        b->msg[i].msg_hdr.msg_namelen = to->len;
    }
}

/* Counts n datagrams of len bytes sent. */
static void count_sent(struct ep *ep, int n, size_t len)
{
    ep->w->st->tx_total += (uint64_t)n * len;
    if (wctx_measuring(ep->w))
        ep->w->st->tx_bytes += (uint64_t)n * len;
}

void udp_io_single_setup(struct ep *ep)
{
    const struct ctrl_request *q = ep->w->req;
    size_t cap = q->size > ctrl_resp_size(q) ? q->size : ctrl_resp_size(q);
    ep->txbuf = calloc(1, cap); /* zeros: only the header is written */
    ep->txcap = ep->txbuf ? cap : 0;
}

/* Datagram 0 of the batch by sendto from the endpoint's whole-datagram
 * buffer: one request or answer costs the kernel no message header and
 * vector to copy in and walk (sendmmsg and sendmsg do). */
static int send_one(struct ep *ep, size_t len)
{
    const struct msghdr *m = &ep->w->ub->msg[0].msg_hdr;
    memcpy(ep->txbuf, ep->w->ub->hdr[0], WIRE_HDR_LEN);
    return sendto(ep->io.fd, ep->txbuf, len, MSG_DONTWAIT, m->msg_name, m->msg_namelen) < 0 ? -1
                                                                                            : 1;
}

/* Sends n prepared datagrams; returns how many left, -1 on a hard error. */
int udp_io_send_batch(struct ep *ep, int n, size_t len)
{
    int sent = n == 1 && ep->txbuf && !(ep->role & EP_SEND) && len <= ep->txcap
                   ? send_one(ep, len)
                   : sendmmsg(ep->io.fd, ep->w->ub->msg, (unsigned)n, MSG_DONTWAIT);
    if (sent < 0) {
        if (errno == EAGAIN || errno == ENOBUFS)
            return 0;
        if (errno != ECONNREFUSED)
            ep->w->st->err[ERRC_WRITE]++;
        return 0;
    }
    count_sent(ep, sent, len);
    return sent;
}

int udp_io_wait_setup(struct ep *ep)
{
    if (net_set_recv_wait(ep->io.fd, EP_WAIT_ANSWER_US) != 0)
        return -1;
    ep->wait_answer = true;
    return 0;
}

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103 /* Linux 4.18; older C library headers lack it */
#endif

void udp_io_gso_setup(struct ep *ep, size_t len)
{
    size_t per = UDP_GSO_MAX_BYTES / len;
    if (per > UDP_BATCH)
        per = UDP_BATCH;
    if (per < 2)
        return;
    ep->txbuf = calloc(per, len); /* zeros: only the headers are written */
    ep->txcap = ep->txbuf ? per * len : 0;
}

int udp_io_send_gso(struct ep *ep, int n, size_t len)
{
    struct udp_batch *b = ep->w->ub;
    for (int i = 0; i < n; i++)
        memcpy(ep->txbuf + (size_t)i * len, b->hdr[i], WIRE_HDR_LEN);
    union {
        char buf[CMSG_SPACE(sizeof(uint16_t))];
        struct cmsghdr align;
    } c;
    memset(&c, 0, sizeof(c));
    struct iovec iov = {ep->txbuf, (size_t)n * len};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof(c.buf)};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_UDP;
    cm->cmsg_type = UDP_SEGMENT;
    cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    uint16_t seg = (uint16_t)len;
    memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
    ssize_t r = sendmsg(ep->io.fd, &mh, MSG_DONTWAIT);
    if (r >= 0) {
        count_sent(ep, n, len);
        return n;
    }
    if (errno == EAGAIN || errno == ENOBUFS || errno == ECONNREFUSED)
        return 0;
    /* The kernel or the route will not segment (no GSO, a datagram over
     * the MTU): plain batches from now on. */
    free(ep->txbuf);
    ep->txbuf = NULL;
    ep->txcap = 0;
    return udp_io_send_batch(ep, n, len);
}

/* --- receivers --------------------------------------------------------- */

static void on_hello(struct ep *ep, int i, size_t len)
{
    struct udp_batch *b = ep->w->ub;
    uint64_t id;
    uint32_t flow;
    if (!ep->w->server || ctrl_hello_decode(b->hdr[i], len, &id, &flow) != 0 ||
        id != ep->w->test_id || flow >= ep->nflows) {
        ep->w->st->err[ERRC_PROTOCOL]++;
        return;
    }
    memcpy(&ep->flow_addr[flow].ss, &b->name[i], b->msg[i].msg_hdr.msg_namelen);
    ep->flow_addr[flow].len = b->msg[i].msg_hdr.msg_namelen;
    ep->flow_known[flow] = 1;
    sendto(ep->io.fd, b->hdr[i], CTRL_HELLO_LEN, MSG_DONTWAIT, (struct sockaddr *)&b->name[i],
           b->msg[i].msg_hdr.msg_namelen);
}

static void rr_reply(struct ep *ep, struct wire_hdr h, uint64_t now)
{
    const struct ctrl_request *q = ep->w->req;
    struct stats *s = ep->w->st;
    bool meas_sent = h.flow & UDP_FLOW_MEASURED;
    uint64_t seq = h.seq;
    if (ep->role & EP_RATE) {
        if (!meas_sent || now - h.send_ns > q->timeout_ns)
            return; /* late: lost (expected but never answered in time) */
        uint32_t bit = h.seq & ep->pend_mask;
        uint64_t *word = &ep->pending[bit / 64], mask = 1ull << (bit % 64);
        if (!(*word & mask)) {
            s->dup++; /* answered already */
            return;
        }
        *word &= ~mask;
        ep->ring_n--;
    } else {
        /* Extend the 32-bit number near the newest request. */
        seq = ep->tx_seq - (uint32_t)((uint32_t)ep->tx_seq - h.seq);
        struct udp_slot *sl = &ep->slots[seq % q->pipeline];
        if (sl->seq != seq)
            return; /* timed out already, or a duplicate */
        sl->seq = UDP_SLOT_FREE;
        ep->ring_n--;
        if (!meas_sent)
            return;
    }
    s->txn++;
    s->rx_msgs++;
    if (timed(ep))
        hist_record(&s->lat, (int64_t)(now - h.send_ns));
    if (ep->quota != UINT64_MAX && --ep->quota == 0)
        ep_quota_done(ep);
}

/* Server: whether a datagram came from the host of the control
 * connection's peer (any port), the only host a test answers or sends
 * to: a datagram from anywhere else must not make the server send. */
static bool from_peer(const struct ep *ep, const struct sockaddr_storage *ss)
{
    const struct net_addr *p = ep->w->peer;
    if (!p || ss->ss_family != p->ss.ss_family)
        return false;
    const void *a = ss, *b = &p->ss;
    if (ss->ss_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    return ss->ss_family == AF_INET6 &&
           memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                  &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
}

/* Whether a datagram's header carries the test's tag (and, on a client,
 * its own flow index): see wire.h. */
static bool ours(const struct ep *ep, struct wire_hdr h)
{
    return (h.flow & ~UDP_FLOW_MEASURED & ~ep->flow_mask) == ep->flow_tag;
}

/* Handles n received datagrams; server rr answers go into the batch.
 * Anything not of the test is dropped and counted as a protocol error
 * before it is counted as received or answered: from another host than
 * the control peer (server), without the test's tag, or timed data at an
 * endpoint that does not receive timed data (a sender has no histogram). */
static void on_dgrams(struct ep *ep, int n, uint64_t now)
{
    struct udp_batch *b = ep->w->ub;
    struct stats *s = ep->w->st;
    bool meas = wctx_measuring(ep->w), server_rr = ep->role & EP_RR_SERVER;
    bool server = ep->w->server;
    size_t rlen = ctrl_resp_size(ep->w->req);
    int out = 0;
    for (int i = 0; i < n; i++) {
        size_t len = b->msg[i].msg_len;
        if (server && !from_peer(ep, &b->name[i])) {
            s->err[ERRC_PROTOCOL]++;
            continue;
        }
        if (len == CTRL_HELLO_LEN && bytes_get32(b->hdr[i]) == CTRL_HELLO_MAGIC) {
            on_hello(ep, i, len);
            continue;
        }
        struct wire_hdr h = wire_get(b->hdr[i]);
        if (len < WIRE_HDR_LEN || !ours(ep, h)) {
            s->err[ERRC_PROTOCOL]++;
            continue;
        }
        s->rx_total += len;
        if (meas)
            s->rx_bytes += len;
        if (ep->role & EP_RR_CLIENT) {
            rr_reply(ep, h, now);
            continue;
        }
        if (server_rr) {
            /* Answer in place: datagram i becomes answer number out. */
            if (out != i) {
                memcpy(b->hdr[out], b->hdr[i], WIRE_HDR_LEN);
                b->name[out] = b->name[i];
            }
            b->msg[out].msg_hdr.msg_namelen = b->msg[i].msg_hdr.msg_namelen;
            out++;
            if (meas)
                s->rx_msgs++;
            continue;
        }
        uint32_t flow = h.flow & ep->flow_mask;
        if (!(ep->role & EP_RECV) || flow >= ep->nflows) {
            s->err[ERRC_PROTOCOL]++;
            continue;
        }
        if (!meas)
            continue;
        s->rx_msgs++;
        int64_t transit = (int64_t)(now - h.send_ns);
        seqtrack_add(&ep->seq[flow], h.seq, transit);
        if (timed(ep) && transit >= 0)
            hist_record(&s->lat, transit);
    }
    if (out > 0) {
        for (int i = 0; i < out; i++) {
            socklen_t nl = b->msg[i].msg_hdr.msg_namelen;
            udp_io_put_dgram(b, i, rlen, NULL);
            b->msg[i].msg_hdr.msg_name = &b->name[i];
            b->msg[i].msg_hdr.msg_namelen = nl;
        }
        udp_io_send_batch(ep, out, rlen);
        if (ep->w->on_request)
            ep->w->on_request(ep->w);
    }
}

/* How many datagrams one receive asks for: no more than can be there. A
 * closed-loop client expects one per request out, and the server of a
 * single closed-loop flow one at a time (*exact: once they are in, there
 * is nothing else to read); asking for more costs a failed dequeue in the
 * kernel per call and slots set up for nothing. */
static unsigned recv_vlen(const struct ep *ep, bool *exact)
{
    const struct ctrl_request *q = ep->w->req;
    *exact = true;
    if ((ep->role & EP_RR_CLIENT) && !(ep->role & EP_RATE) && ep->ring_n > 0)
        return ep->ring_n < UDP_BATCH ? ep->ring_n : UDP_BATCH;
    if ((ep->role & EP_RR_SERVER) && q->mode == MODE_RR && q->conns <= 1 && q->pipeline <= 1)
        return 1;
    *exact = false;
    return UDP_BATCH;
}

/* One receive of up to vlen datagrams into the batch; waiting sleeps for
 * the first (the socket's receive timeout bounds it). */
static int recv_batch(struct ep *ep, unsigned vlen, bool wait)
{
    struct udp_batch *b = ep->w->ub;
    if (vlen == 1) { /* recvfrom: no message header and vector to copy */
        socklen_t nl = sizeof(b->name[0]);
        ssize_t r = recvfrom(ep->io.fd, b->discard, sizeof(b->discard), wait ? 0 : MSG_DONTWAIT,
                             (struct sockaddr *)&b->name[0], &nl);
        if (r < 0)
            return -1;
        memcpy(b->hdr[0], b->discard, (size_t)r < WIRE_HDR_LEN ? (size_t)r : WIRE_HDR_LEN);
        b->msg[0].msg_len = (unsigned)r;
        b->msg[0].msg_hdr.msg_namelen = nl;
        return 1;
    }
    for (unsigned i = 0; i < vlen; i++) {
        b->iov[i][0] = (struct iovec){b->hdr[i], WIRE_HDR_LEN};
        b->iov[i][1] = (struct iovec){b->discard, UDP_MAX};
        memset(&b->msg[i].msg_hdr, 0, sizeof(b->msg[i].msg_hdr));
        b->msg[i].msg_hdr.msg_iov = b->iov[i];
        b->msg[i].msg_hdr.msg_iovlen = 2;
        b->msg[i].msg_hdr.msg_name = &b->name[i];
        b->msg[i].msg_hdr.msg_namelen = sizeof(b->name[i]);
    }
    return recvmmsg(ep->io.fd, b->msg, vlen, wait ? MSG_WAITFORONE : MSG_DONTWAIT, NULL);
}

int udp_io_recv(struct ep *ep, bool wait)
{
    int got = 0;
    bool exact;
    unsigned vlen = recv_vlen(ep, &exact);
    wait = wait && ep_waits(ep);
    for (int round = 0; round < IO_BUDGET; round++) {
        int n = recv_batch(ep, vlen, wait);
        wait = false;
        if (n <= 0) {
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                errno != ECONNREFUSED)
                ep->w->st->err[ERRC_READ]++;
            return got;
        }
        got += n;
        /* A server answering requests times nothing: no clock read. */
        on_dgrams(ep, n, (ep->role & EP_RR_SERVER) ? 0 : clock_now_ns());
        if ((unsigned)n < vlen || exact)
            return got;
        vlen = recv_vlen(ep, &exact);
    }
    return got;
}
