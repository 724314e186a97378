/* libFuzzer harness for the HTTP/2 client (drv_h2 over h2_io.c and
 * nghttp2): a hostile server's bytes, fed through a socket pair into a
 * real h2c endpoint, its driver's on_io reading and writing as it would
 * on a connection. No crash or over-read (ASan), and what the endpoint
 * counts stays within what it was sent: never more streams in flight
 * than --streams, never more answers than streams it opened, never more
 * body bytes than the server's bytes, and a connection the client ends
 * (not on the server's close) is counted as an error of a class, unless
 * the server's GOAWAY or crr's one answer ended it. A connection that ends is not reopened
 * here (the endpoint's address is none): the input is over.
 *
 * Input: 1 byte that chooses the test, then chunks of bytes.
 *   0: bits 0-1 mode (rr, rate, crr; 3 plays rr); bits 2-4 streams - 1
 *      (1..8); bit 5 POST with a 100-byte body (else GET); bit 6
 *      measuring; bit 7 a --header line
 *   chunk: flags (1), length (2, big-endian), bytes. Flags: bit 0 the
 *   server shuts its sending side after the chunk; bit 1 the endpoint
 *   starts draining. */
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
#include "h2_io.h"
#include "http_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CHUNKS 64
#define RXCAP (64u * 1024u)

static void check(int cond)
{
    if (!cond)
        abort();
}

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

/* Why the driver closed its connection, seen through its own table (the
 * data path closes through ep->drv->close): the peer's EOF, a fault
 * counted as an error, or an end the protocol allows. */
static struct drv_ops ops;
static bool peer_shut;
static uint64_t errors(const struct stats *st);
static uint64_t err_before;

static void close_seen(struct ep *ep, bool for_good)
{
    const struct h2ep *h = h2_io_hep(ep);
    bool crr_done = (ep->role & EP_CRR) && h->completed > 0;
    bool allowed = h->closing || crr_done || ep->state != EP_RUN || peer_shut;
    check(allowed || errors(ep->w->st) > err_before);
    drv_h2.close(ep, for_good);
}

static void request_of(uint8_t b, struct ctrl_request *q)
{
    static const uint8_t modes[4] = {MODE_RR, MODE_RATE, MODE_CRR, MODE_RR};
    memset(q, 0, sizeof(*q));
    q->proto = PROTO_HTTP;
    q->mode = modes[b & 3];
    q->conns = 1;
    q->threads = 1;
    q->duration_ns = 1000000000u;
    q->timeout_ns = 1000000000u;
    q->rate_per_s = q->mode == MODE_RATE ? 1e6 : 0; /* every request is due at once */
}

/* The target a test would build from --http2 [--streams N] [--size 100
 * --method POST] [--header]; the endpoint's address is none, so a
 * connection that ends is not made again. */
static void target_of(uint8_t b, struct http_target *t)
{
    static struct netrig_config cfg;
    char err[200];
    memset(&cfg, 0, sizeof(cfg));
    memset(t, 0, sizeof(*t));
    cfg.streams = ((b >> 2) & 7) + 1u;
    bool post = b & 0x20;
    snprintf(cfg.method, sizeof(cfg.method), "%s", post ? "POST" : "GET");
    if (b & 0x80) {
        snprintf(cfg.headers[0], sizeof(cfg.headers[0]), "X-Fuzz: %s", "a value");
        cfg.nheaders = 1;
    }
    t->body_len = post ? 100 : 0;
    snprintf(t->addr, sizeof(t->addr), "%s", "127.0.0.1:1");
    check(h2_target_init(&t->h2, &cfg, post ? "/sink" : "/bytes/1000", "127.0.0.1:1", false,
                         t->body_len, err, sizeof(err)) == 0);
}

/* Reads and drops what the endpoint wrote. */
static void drain(int fd)
{
    static uint8_t buf[RXCAP];
    while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
        ;
}

static uint64_t errors(const struct stats *st)
{
    uint64_t n = 0;
    for (int i = 0; i < ERRC_COUNT; i++)
        n += st->err[i];
    return n;
}

/* What the endpoint counted stays within what it did and was sent. */
static void check_counts(const struct ep *ep, const struct stats *st, uint64_t fed,
                         uint32_t streams)
{
    const struct h2ep *h = h2_io_hep(ep);
    if (h != NULL && h->ns != NULL) {
        check(h->open <= streams && h->open <= h->nslots);
        /* client stream ids are odd: 1, 3, ...; the next one says how
         * many were opened on this connection */
        uint32_t opened = (nghttp2_session_get_next_stream_id(h->ns) - 1) / 2;
        check(h->completed <= opened);
    }
    check(st->rx_bytes <= fed && st->rx_total <= fed);
    check(st->body_done <= fed);
    check(st->txn <= st->rx_msgs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t rxbuf[RXCAP];
    static struct http_target t;
    static const struct net_addr none; /* AF_UNSPEC: a reconnect fails at once */
    if (size < 1)
        return 0;
    struct ctrl_request q;
    request_of(data[0], &q);
    target_of(data[0], &t);
    static _Atomic int phase;
    atomic_store(&phase, (data[0] & 0x40) ? CTRL_PHASE_MEASURE : CTRL_PHASE_WARMUP);
    struct stats st;
    check(stats_init(&st) == 0);
    int sv[2];
    check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
    struct wctx w = {.loop = the_loop(),
                     .req = &q,
                     .st = &st,
                     .phase = &phase,
                     .peer = &none,
                     .rxbuf = rxbuf,
                     .rxcap = RXCAP,
                     .eps = 1,
                     .closed = on_closed,
                     .http = &t};
    struct ep ep;
    ops = drv_h2;
    ops.close = close_seen;
    ep_setup(&ep, &w, &ops, sv[0], 0, ep_roles(&q, false));
    closed_flag = peer_shut = false;
    check(ep.drv->init(&ep) == 0 && ep.drv->start(&ep) == 0);
    data++;
    size--;
    uint64_t fed = 0;
    for (int c = 0; c < MAX_CHUNKS && size >= 3 && !closed_flag && ep.io.fd == sv[0]; c++) {
        uint8_t fl = data[0];
        size_t len = (size_t)data[1] << 8 | data[2];
        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        /* The client writes first (its preface, requests, acks), as it
         * would before a server could answer them. */
        if (!closed_flag && ep.io.fd == sv[0])
            ep.drv->on_io(&ep, EPOLLOUT);
        if (closed_flag || ep.io.fd != sv[0])
            break;
        ssize_t n = len ? send(sv[1], data, len, MSG_DONTWAIT | MSG_NOSIGNAL) : 0;
        fed += n > 0 ? (uint64_t)n : 0; /* a full pair drops the rest: a lossy peer */
        data += len;
        size -= len;
        if (fl & 1)
            shutdown(sv[1], SHUT_WR);
        if (fl & 2)
            ep.drv->drain(&ep);
        peer_shut = peer_shut || (fl & 1);
        err_before = errors(&st);
        if (!closed_flag)
            ep.drv->on_io(&ep, EPOLLIN | EPOLLOUT);
        if (!closed_flag)
            check_counts(&ep, &st, fed, t.h2.streams);
        drain(sv[1]);
    }
    if (!closed_flag)
        ep.drv->finish(&ep);
    check(closed_flag);
    close(sv[1]);
    stats_close(&st);
    return 0;
}
