/* libFuzzer harness for the TCP data path: stream bytes from a peer, fed
 * through a socket pair into the real read and write code (the driver's
 * on_io: tcp_io_read, tcp_io_write) of an endpoint set up as the server
 * (after the hello) or the client sets it up, in every mode and
 * direction. A byte that is never consumed would loop: the test's
 * timeout catches it.
 *
 * Input: 5 bytes that choose the test, then chunks of bytes.
 *   0: bit 0 server side; bits 1-2 mode (stream, rr, rate, crr: the
 *      client's crr connects by itself, so it plays rr there); bit 3
 *      reverse; bit 4 bidir; bit 5 no timing; bit 6 measuring
 *   1-2: size, 3-4: resp_size (big-endian; the server's checks decide)
 *   chunk: flags (1), length (2), bytes. Flags: bit 0 the peer shuts its
 *   sending side after the chunk; bit 1 the endpoint starts draining. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "ep.h"
#include "tcp_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TEST_ID 0x0123456789abcdefull
#define MAX_CHUNKS 64
#define RXCAP (64u * 1024u)

static struct loop *the_loop(void)
{
    static struct loop *l;
    char err[160];
    if (!l && !(l = loop_new(err, sizeof(err))))
        abort();
    return l;
}

static bool closed_flag;
static void on_closed(struct ep *ep)
{
    (void)ep;
    closed_flag = true;
}

static bool request_of(const uint8_t *d, bool server, struct ctrl_request *q)
{
    static const uint8_t modes[4] = {MODE_STREAM, MODE_RR, MODE_RATE, MODE_CRR};
    char err[200];
    memset(q, 0, sizeof(*q));
    q->proto = PROTO_TCP;
    q->mode = modes[(d[0] >> 1) & 3];
    if (!server && q->mode == MODE_CRR)
        q->mode = MODE_RR;
    q->flags = (uint8_t)((d[0] >> 3) & 7); /* reverse, bidir, no timing */
    q->conns = 1;
    q->threads = 1;
    q->pipeline = 2;
    q->size = (uint64_t)d[1] << 8 | d[2];
    q->resp_size = (uint64_t)d[3] << 8 | d[4];
    q->duration_ns = 1000000000u;
    q->timeout_ns = 1000000000u;
    /* Paced, so that a sender writes a little per call. */
    q->rate_bps = q->mode == MODE_STREAM ? 1e6 : 0;
    q->rate_per_s = q->mode == MODE_RATE ? 1000 : 0;
    return ctrl_request_check(q, err, sizeof(err)) == 0;
}

/* Reads and drops what the endpoint wrote. */
static void drain(int fd)
{
    static uint8_t buf[RXCAP];
    while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
        ;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t rxbuf[RXCAP];
    if (size < 5)
        return 0;
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
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
        abort();
    uint32_t serving = 2; /* never sleeps in recv */
    struct wctx w = {.loop = the_loop(),
                     .req = &q,
                     .server = server,
                     .st = &st,
                     .phase = &phase,
                     .test_id = TEST_ID,
                     .rxbuf = rxbuf,
                     .rxcap = RXCAP,
                     .serving = &serving,
                     .eps = 2,
                     .closed = on_closed};
    struct ep ep;
    ep_setup(&ep, &w, &drv_tcp, sv[0], 0, role);
    closed_flag = false;
    if (ep.drv->init(&ep) != 0 || ep.drv->start(&ep) != 0)
        abort();
    data += 5;
    size -= 5;
    for (int c = 0; c < MAX_CHUNKS && size >= 3 && !closed_flag; c++) {
        uint8_t fl = data[0];
        size_t len = (size_t)data[1] << 8 | data[2];
        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        ssize_t n = len ? send(sv[1], data, len, MSG_DONTWAIT | MSG_NOSIGNAL) : 0;
        (void)n; /* a full pair drops the rest of the chunk: the peer is lossy */
        data += len;
        size -= len;
        if (fl & 1)
            shutdown(sv[1], SHUT_WR);
        if (fl & 2)
            ep.drv->drain(&ep);
        if (!closed_flag)
            ep.drv->on_io(&ep, EPOLLIN | EPOLLOUT);
        drain(sv[1]);
    }
    if (!closed_flag)
        ep.drv->finish(&ep);
    close(sv[1]);
    stats_close(&st);
    return 0;
}
