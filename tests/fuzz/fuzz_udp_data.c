/* libFuzzer harness for the UDP data path: datagrams from a peer, fed
 * through real loopback sockets into the real receive code (the driver's
 * on_io, udp_io_recv) of an endpoint set up as the server or the client
 * sets it up, in every mode and direction.
 *
 * Input: 6 bytes that choose the test, then records of datagrams.
 *   0: bit 0 server side; bits 1-2 mode (stream, rr, rate, stream);
 *      bit 3 reverse; bit 4 bidir; bit 5 no timing; bit 6 measuring
 *   1: bits 0-1 conns - 1; bits 2-4 pipeline - 1
 *   2-3: size, 4-5: resp_size (big-endian; the server's checks decide)
 *   record: flags (1), length (2), bytes. Flags: bit 0 from a third
 *   address (127.0.0.2) instead of the control peer's (127.0.0.1); bit 1
 *   the test's tag put into the flow word; bit 2 a valid hello instead
 *   (flow = first byte); bit 3 let the endpoint read now.
 *
 * Besides the sanitizers, it checks what the endpoint sends: never to the
 * third address, and from a server nothing at all unless the control
 * peer's host sent a hello or a datagram with the test's tag. */
#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bytes.h"
#include "config.h"
#include "ep.h"
#include "udp_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TEST_ID 0x0123456789abcdefull
#define MAX_RECORDS 64
#define MAX_DGRAM 2048

struct harness {
    struct loop *loop;
    struct udp_batch *ub;
    int peer, stranger; /* the control peer's host and a third one */
    struct net_addr peer_addr;
};

static int bound(const char *ip, struct net_addr *a)
{
    char err[160];
    if (net_parse_addr(ip, 0, a, err, sizeof(err)) != 0)
        return -1;
    int fd = net_listen(a, SOCK_DGRAM, false, err, sizeof(err));
    if (fd >= 0 && net_local_addr(fd, a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static struct harness *harness(void)
{
    static struct harness h;
    static bool done;
    if (done)
        return &h;
    char err[160];
    struct net_addr a;
    h.loop = loop_new(err, sizeof(err));
    h.ub = calloc(1, sizeof(*h.ub));
    h.peer = bound("127.0.0.1", &h.peer_addr);
    h.stranger = bound("127.0.0.2", &a);
    if (!h.loop || !h.ub || h.peer < 0 || h.stranger < 0)
        abort();
    done = true;
    return &h;
}

/* Datagrams waiting at fd, read and dropped. */
static int drain(int fd)
{
    static uint8_t buf[UDP_MAX];
    int n = 0;
    while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
        n++;
    return n;
}

static bool request_of(const uint8_t *d, bool server, struct ctrl_request *q)
{
    static const uint8_t modes[4] = {MODE_STREAM, MODE_RR, MODE_RATE, MODE_STREAM};
    char err[200];
    memset(q, 0, sizeof(*q));
    q->proto = PROTO_UDP;
    q->mode = modes[(d[0] >> 1) & 3];
    q->flags = (uint8_t)((d[0] >> 3) & 7); /* reverse, bidir, no timing */
    q->conns = (d[1] & 3u) + 1;
    q->threads = 1;
    q->pipeline = ((d[1] >> 2) & 7u) + 1;
    q->size = (uint64_t)d[2] << 8 | d[3];
    q->resp_size = (uint64_t)d[4] << 8 | d[5];
    q->duration_ns = 1000000000u;
    q->timeout_ns = 1000000000u;
    /* Paced, so that a sender sends a little per call, not a flood. */
    q->rate_bps = q->mode == MODE_STREAM ? 1e6 : 0;
    q->rate_per_s = q->mode == MODE_RATE ? 1000 : 0;
    /* What the server refuses never reaches its data path; the client
     * checks its own options by the same bounds. */
    (void)server;
    return ctrl_request_check(q, err, sizeof(err)) == 0;
}

static bool closed_flag;
static void on_closed(struct ep *ep)
{
    (void)ep;
    closed_flag = true;
}

/* Sends one record's datagram. Returns whether the endpoint may answer
 * it: a hello or a datagram with the test's tag from the control peer. */
static bool send_record(struct harness *h, struct ep *ep, const struct net_addr *to, uint8_t fl,
                        const uint8_t *p, size_t len)
{
    static uint8_t d[MAX_DGRAM];
    memcpy(d, p, len);
    if (fl & 4) {
        ctrl_hello_encode(d, TEST_ID, (len ? p[0] : 0u) % ep->w->req->conns);
        len = CTRL_HELLO_LEN;
    } else if ((fl & 2) && len >= 4) {
        uint32_t f = bytes_get32(d) & (UDP_FLOW_MEASURED | ep->flow_mask);
        bytes_put32(d, f | ep->flow_tag);
    }
    int fd = (fl & 1) ? h->stranger : h->peer;
    sendto(fd, d, len, MSG_DONTWAIT, (const struct sockaddr *)&to->ss, to->len);
    if (fl & 1)
        return false;
    return (fl & 4) || (len >= WIRE_HDR_LEN &&
                        (bytes_get32(d) & ~UDP_FLOW_MEASURED & ~ep->flow_mask) == ep->flow_tag);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 6)
        return 0;
    struct harness *h = harness();
    bool server = data[0] & 1;
    struct ctrl_request q;
    if (!request_of(data, server, &q))
        return 0;
    static _Atomic int phase;
    atomic_store(&phase, (data[0] & 0x40) ? CTRL_PHASE_MEASURE : CTRL_PHASE_WARMUP);
    uint32_t role = ep_roles(&q, server);
    struct stats st;
    /* As the server's slot: only a receiver has histograms. */
    if (!server || (role & EP_RECV)) {
        if (stats_init(&st) != 0)
            abort();
    } else {
        stats_init_counters(&st);
    }
    uint32_t serving = 2; /* never sleeps in recv */
    struct wctx w = {.loop = h->loop,
                     .req = &q,
                     .server = server,
                     .st = &st,
                     .phase = &phase,
                     .origin_ns = 0,
                     .test_id = TEST_ID,
                     .peer = &h->peer_addr,
                     .nports = 1,
                     .ub = h->ub,
                     .serving = &serving,
                     .eps = 1,
                     .closed = on_closed};
    char err[160];
    struct net_addr here;
    net_parse_addr("127.0.0.1", 0, &here, err, sizeof(err));
    int fd = net_listen(&here, SOCK_DGRAM, false, err, sizeof(err));
    if (fd < 0 || net_local_addr(fd, &here) != 0)
        abort();
    /* A client's flow is a socket connected to the server. */
    if (!server && connect(fd, (const struct sockaddr *)&h->peer_addr.ss, h->peer_addr.len) != 0)
        abort();
    struct ep ep;
    ep_setup(&ep, &w, &drv_udp, fd, 0, role);
    closed_flag = false;
    drain(h->peer);
    drain(h->stranger);
    bool may_answer = false;
    if (ep.drv->init(&ep) != 0 || ep.drv->start(&ep) != 0)
        abort();
    data += 6;
    size -= 6;
    for (int r = 0; r < MAX_RECORDS && size >= 3 && !closed_flag; r++) {
        uint8_t fl = data[0];
        size_t len = (size_t)data[1] << 8 | data[2];
        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        if (len > MAX_DGRAM)
            len = MAX_DGRAM;
        may_answer |= send_record(h, &ep, &here, fl, data, len);
        data += len;
        size -= len;
        if ((fl & 8) || size < 3)
            ep.drv->on_io(&ep, EPOLLIN);
        if (drain(h->stranger) > 0)
            abort(); /* sent to an address that is not the control peer's */
        if (server && !may_answer && drain(h->peer) > 0)
            abort(); /* sent without being asked by the control peer */
    }
    if (!closed_flag)
        ep.drv->finish(&ep);
    stats_close(&st);
    return 0;
}
