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
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bytes.h"
#include "fuzz_data.h"
#include "udp_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

/* Sends one record's datagram. Returns whether the endpoint may answer
 * it: a hello or a datagram with the test's tag from the control peer. */
static bool send_record(struct harness *h, struct ep *ep, const struct net_addr *to, uint8_t fl,
                        const uint8_t *p, size_t len)
{
    static uint8_t d[MAX_DGRAM];
    memcpy(d, p, len);
    if (fl & 4) {
        ctrl_hello_encode(d, FUZZ_TEST_ID, (len ? p[0] : 0u) % ep->w->req->conns);
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
    static const uint8_t modes[4] = {MODE_STREAM, MODE_RR, MODE_RATE, MODE_STREAM};
    if (size < 6)
        return 0;
    struct harness *h = harness();
    struct fuzz_data f;
    if (!fuzz_data_open(&f, PROTO_UDP, modes, data[0], (data[1] & 3u) + 1,
                        ((data[1] >> 2) & 7u) + 1, (uint64_t)data[2] << 8 | data[3],
                        (uint64_t)data[4] << 8 | data[5]))
        return 0;
    struct wctx w = fuzz_data_wctx(&f, h->loop);
    w.peer = &h->peer_addr;
    w.nports = 1;
    w.ub = h->ub;
    w.eps = 1;
    char err[160];
    struct net_addr here;
    net_parse_addr("127.0.0.1", 0, &here, err, sizeof(err));
    int fd = net_listen(&here, SOCK_DGRAM, false, err, sizeof(err));
    if (fd < 0 || net_local_addr(fd, &here) != 0)
        abort();
    /* A client's flow is a socket connected to the server. */
    if (!f.server && connect(fd, (const struct sockaddr *)&h->peer_addr.ss, h->peer_addr.len) != 0)
        abort();
    struct ep ep;
    ep_setup(&ep, &w, &drv_udp, fd, 0, f.role);
    drain(h->peer);
    drain(h->stranger);
    bool may_answer = false;
    if (ep.drv->init(&ep) != 0 || ep.drv->start(&ep) != 0)
        abort();
    data += 6;
    size -= 6;
    uint8_t fl;
    const uint8_t *p;
    size_t len;
    for (int r = 0; r < MAX_RECORDS && !fuzz_data_closed &&
                    fuzz_data_record(&data, &size, MAX_DGRAM, &fl, &p, &len);
         r++) {
        may_answer |= send_record(h, &ep, &here, fl, p, len);
        if ((fl & 8) || size < 3)
            ep.drv->on_io(&ep, EPOLLIN);
        if (drain(h->stranger) > 0)
            abort(); /* sent to an address that is not the control peer's */
        if (f.server && !may_answer && drain(h->peer) > 0)
            abort(); /* sent without being asked by the control peer */
    }
    if (!fuzz_data_closed)
        ep.drv->finish(&ep);
    fuzz_data_close(&f);
    return 0;
}
