#ifndef NETRIG_EP_H
#define NETRIG_EP_H
/* Endpoints: one data socket of one test (a TCP connection, a UDP flow on
 * the client, a per-test UDP socket on the server), driven by the driver
 * table of its protocol. The client's workers and the server's threads
 * both run endpoints; what differs is who owns them (the owner hook). */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ctrl.h"
#include "loop.h"
#include "net.h"
#include "stats.h"
#include "transport.h"
#include "wire.h"

struct ep;
struct http_target;

/* Roles an endpoint plays (a bit set: a bidir stream sends and receives). */
enum ep_role {
    EP_SEND = 1,      /* stream sender */
    EP_RECV = 2,      /* stream receiver */
    EP_RR_CLIENT = 4, /* sends requests, times responses */
    EP_RR_SERVER = 8, /* answers requests */
    EP_RATE = 16,     /* with EP_RR_CLIENT: open loop on a schedule */
    EP_CRR = 32,      /* with EP_RR_CLIENT: a new connection per transaction */
};

enum ep_state { EP_IDLE, EP_CONNECTING, EP_HANDSHAKE, EP_RUN, EP_DRAIN, EP_CLOSED };

/* One worker thread's part of one test: parameters, counters, scratch. */
struct wctx {
    struct loop *loop;
    const struct ctrl_request *req;
    bool server;
    bool echo; /* client of a plain echo server: no hello, no control */
    struct stats *st;
    const _Atomic int *phase; /* enum ctrl_phase */
    uint64_t origin_ns;       /* client: when the schedule starts */
    uint64_t test_id;
    /* Client: the data address. Server: the control connection's peer,
     * the only host its UDP sockets answer or send to. */
    const struct net_addr *peer;
    const struct net_tune *tune; /* client: TCP settings of its connections */
    uint16_t udp_ports[CTRL_MAX_PORTS];
    uint16_t nports;
    uint8_t *rxbuf; /* scratch receive buffer, rxcap bytes */
    size_t rxcap;
    struct udp_batch *ub;       /* UDP: mmsg arrays of this thread */
    const struct transport *tp; /* TCP byte transport; NULL = plain */
    /* Server: data endpoints and HTTP connections its thread serves now
     * (an endpoint waits in recv only while it is alone); NULL = client. */
    const uint32_t *serving;
    uint32_t eps; /* endpoints of this test in this thread (buffer sizing) */
    /* The owner's hooks: an endpoint closed for good; a request arrived
     * (server; the test-only stall). */
    void (*closed)(struct ep *ep);
    void (*on_request)(struct wctx *w);
    void (*quota_done)(struct ep *ep);
    void *owner;
    const struct http_target *http; /* client HTTP/HTTPS: what to ask for */
};

static inline bool wctx_measuring(const struct wctx *w)
{
    return atomic_load_explicit(w->phase, memory_order_relaxed) == CTRL_PHASE_MEASURE;
}

struct drv_ops {
    const char *name;
    /* Allocates the endpoint's state for its roles. Returns 0 or -1. */
    int (*init)(struct ep *ep);
    /* Starts the endpoint: registers it and begins sending. */
    int (*start)(struct ep *ep);
    void (*on_io)(struct ep *ep, uint32_t events);
    /* Stops starting new work; the endpoint closes itself when what is
     * outstanding is done (or when the owner gives up and closes it). */
    void (*drain)(struct ep *ep);
    /* Collects final figures (TCP_INFO, UDP flows), closes the socket and
     * frees the state; the owner's closed hook runs last. */
    void (*finish)(struct ep *ep);
    /* The data path's end of a connection (EOF, an error, a crr
     * transaction done): a driver that reconnects (crr, HTTP) opens the
     * next connection unless for_good or the endpoint is done; otherwise
     * it finishes. Called once per connection, never per message. NULL
     * for a driver whose data path never closes (UDP). */
    void (*close)(struct ep *ep, bool for_good);
};

extern const struct drv_ops drv_tcp;
extern const struct drv_ops drv_udp;
extern const struct drv_ops drv_http; /* client side of HTTP and HTTPS */
extern const struct drv_ops drv_ws;   /* client side of WebSocket (ws, wss) */
extern const struct drv_ops drv_h2;   /* client side of HTTP/2: h2 and h2c */

struct udp_slot {
    uint64_t seq; /* extended sequence number, UINT64_MAX = free */
    uint64_t sent_ns;
};

struct ep {
    struct loop_io io;
    struct loop_timer timer;
    struct wctx *w;
    const struct drv_ops *drv;
    const struct transport *tp;
    void *tp_ctx;
    struct ep *next, *prev; /* the owner's list */
    uint32_t index;         /* connection / flow index */
    uint32_t role;
    enum ep_state state;
    bool shut;      /* our sending side is shut */
    bool shut_rd;   /* the peer's sending side is shut (EOF seen) */
    bool want_out;  /* the last write was cut short */
    uint64_t quota; /* messages still to complete in the window (count) */
    /* stream sender */
    uint8_t *txbuf;
    size_t txcap, tx_len, tx_off;
    uint64_t tx_msg_off; /* bytes of the current message queued */
    uint64_t tx_seq;     /* messages started */
    double pace_ns;      /* ns between messages; 0 = unpaced */
    /* receivers */
    uint64_t rx_unit; /* bytes per message / response / request */
    uint64_t rx_pos;  /* position in the current one */
    uint8_t hdr[WIRE_HDR_LEN];
    /* request/response */
    uint64_t *ring; /* start times of outstanding transactions */
    uint32_t ring_mask, ring_head, ring_n;
    uint64_t owed;               /* bytes still to write */
    uint8_t pre[CTRL_HELLO_LEN]; /* written before owed (crr hello) */
    uint32_t pre_len, pre_off;
    uint64_t sched_k;       /* rate: transactions scheduled so far */
    double period_ns;       /* rate: ns between transactions on this endpoint */
    uint64_t shift_ns;      /* stream pacing: schedule moved on after a stall */
    uint64_t conn_start_ns; /* crr, HTTP: when the connect started */
    uint64_t until_ns;      /* draining: give up at this time */
    uint16_t spec_skip;     /* speculative reads: attempts still to skip */
    uint8_t spec_miss;      /* speculative reads: misses in a row */
    bool wait_answer;       /* alone in its thread: may sleep in recv (see ep_waits) */
    /* UDP */
    struct seqtrack *seq; /* per flow (server: all flows of the test) */
    uint32_t nflows;
    struct udp_slot *slots;     /* rr: outstanding, by seq % pipeline */
    struct net_addr *flow_addr; /* server: where each flow is */
    uint8_t *flow_known;
    uint32_t next_flow;           /* server reverse: round robin */
    uint32_t flow_tag, flow_mask; /* the test's tag in flow words, the index bits (wire.h) */
    uint64_t win_first, win_last; /* rate: sequence numbers of the window */
    /* rate client: a bit per measured request not yet answered, at
     * seq & pend_mask, so that a reply matches its request once */
    uint64_t *pending;
    uint32_t pend_mask;
    bool win_open, win_closed;
    void *priv; /* a driver's own per-endpoint state */
};

/* Sets the common fields; the driver's init allocates the rest. */
void ep_setup(struct ep *ep, struct wctx *w, const struct drv_ops *drv, int fd, uint32_t index,
              uint32_t role);
/* Roles of a client or server endpoint for request q. */
uint32_t ep_roles(const struct ctrl_request *q, bool server);
/* Messages per second one endpoint should send (stream pacing) or start
 * (rate), given the test's total rate; 0 = unpaced. */
double ep_rate_share(const struct ctrl_request *q, uint32_t nendpoints);
/* Frees what init allocated (drivers call it from finish). */
void ep_free_state(struct ep *ep);
/* With busy polling on (--busy-poll), SO_BUSY_POLL on the endpoint's
 * socket too (helps on network devices; best effort). */
void ep_busy_poll(struct ep *ep);
/* Records a count of TCP_INFO for a sending socket. */
void ep_tcp_info(struct ep *ep);
/* Only the congestion control in use, for an endpoint that does not send
 * (its TCP_INFO says nothing of the transfer), when none is noted yet. */
void ep_tcp_cc(struct ep *ep);
/* Registers a starting endpoint with its loop: as the loop's waiter when
 * it may wait (ep_may_wait) and wait_setup made its socket ready for that
 * (0), else with epoll; busy polling is set first. Returns 0 or -1. */
int ep_loop_add(struct ep *ep, int (*wait_setup)(struct ep *ep));
/* Makes a plain socket ready to wait in recv (ep_waits): blocking, with a
 * receive timeout of EP_WAIT_ANSWER_US; notes wait_answer. The TCP, UDP
 * and WebSocket drivers' wait_setup end here. Returns 0 or -1. */
int ep_wait_setup(struct ep *ep);
/* The blocking read of an endpoint set up to wait: recv sleeps up to the
 * socket's receive timeout (EAGAIN then). As recv returns. */
ssize_t ep_recv_wait(struct ep *ep, void *buf, size_t len);
/* How an endpoint's data path reads, writes and guesses (see ep_io_rounds). */
struct ep_rounds {
    /* Returns 1 if it read anything, 0 if not, -1 when the endpoint was
     * closed; with wait, the first read may sleep in recv (ep_waits). */
    int (*read)(struct ep *ep, bool wait);
    /* Returns 0, or -1 when the endpoint was closed. */
    int (*write)(struct ep *ep);
    /* Whether to read again at once: everything sent, an answer owed. */
    bool (*spec)(struct ep *ep);
};
/* A request/response endpoint's input and output after an event: read,
 * write, and while spec says so (up to EP_SPEC_ROUNDS) read the answer at
 * once instead of in epoll, backing off on misses (ep_spec_note); the
 * loop's waiter sleeps in recv from its first read. Returns 0 (the caller
 * sets its epoll interest), or -1 when the endpoint was closed. */
int ep_io_rounds(struct ep *ep, uint32_t events, const struct ep_rounds *r);
/* The loop's callback of a TCP or HTTP endpoint: the driver's on_io. */
void ep_io_cb(struct loop *l, struct loop_io *io, uint32_t events);
/* A request/response client's ring of start times: the pipeline depth,
 * or (rate, whose period it sets) four seconds of backlog, as a power of
 * two. Returns 0 or -1. */
int ep_ring_init(struct ep *ep);
/* Queues a start time at the tail of the ring (room checked by the caller). */
static inline void ep_ring_push(struct ep *ep, uint64_t t)
{
    ep->ring[(ep->ring_head + ep->ring_n++) & ep->ring_mask] = t;
}
/* Takes the oldest start time off the ring (not empty). */
static inline uint64_t ep_ring_pop(struct ep *ep)
{
    uint64_t t = ep->ring[ep->ring_head++ & ep->ring_mask];
    ep->ring_n--;
    return t;
}
/* Starts a non-blocking connect to the peer (crr, HTTP reconnects) and
 * notes when (conn_start_ns). Returns 0, or -1 with the failure counted. */
int ep_connect_start(struct ep *ep);
/* The connect has ended: 0 when it worked, else -1 with the failure
 * counted and the socket closed. */
int ep_connect_done(struct ep *ep);
/* Takes the endpoint's socket out of its loop and closes it, with an RST
 * when reset (no TIME_WAIT left behind); nothing when it has none. The
 * driver frees its transport state first. */
void ep_close_socket(struct ep *ep, bool reset);
/* The end of every driver's finish: frees what init allocated, marks the
 * endpoint closed and runs the owner's closed hook, which may free it. */
void ep_finished(struct ep *ep);

/* UDP: the mmsg arrays of one thread. Headers land in hdr[], the rest of
 * each datagram in one shared discard area (its bytes are never read). */
#define UDP_BATCH 32
#define UDP_MAX 65536
/* Set in the flow field of a request sent inside the measured window. */
#define UDP_FLOW_MEASURED WIRE_FLOW_MEASURED
struct udp_batch {
    struct mmsghdr msg[UDP_BATCH];
    struct iovec iov[UDP_BATCH][2];
    struct sockaddr_storage name[UDP_BATCH];
    uint8_t hdr[UDP_BATCH][WIRE_HDR_LEN];
    uint8_t discard[UDP_MAX];
};

/* A shared read-only run of zero bytes to write payload from. */
#define EP_ZERO_LEN (256u * 1024u)
extern const uint8_t ep_zero[EP_ZERO_LEN];

/* When an endpoint has used up its message quota (--count). */
void ep_quota_done(struct ep *ep);

/* Absolute time of scheduled message / transaction k on this endpoint. */
static inline uint64_t ep_sched(const struct ep *ep, uint64_t k)
{
    double conns = ep->w->req->conns ? ep->w->req->conns : 1;
    return ep->w->origin_ns + ep->shift_ns +
           (uint64_t)((double)k * ep->period_ns + ep->period_ns * (double)ep->index / conns);
}

/* Speculative reads (request/response). Once a request or response has
 * gone out, the answer is often there already (the peer ran while this
 * thread was sending, both on one CPU), and reading it at once saves a
 * sleep in epoll. When it is not there, the read was a system call for
 * nothing: an endpoint whose guesses miss backs off (1, 3, 7 ... up to
 * 255 chances skipped) and a hit makes it guess every time again. */
#define EP_SPEC_ROUNDS 8 /* answers handled in a row without epoll */

/* How long an endpoint set up to wait sleeps in recv before it goes back
 * to its loop (timers, wake-ups). */
#define EP_WAIT_ANSWER_US 2000u

/* Whether an endpoint set up to wait (tcp_io_wait_setup, udp_io_wait_setup)
 * sleeps in recv for its next message now instead of in epoll. A server's
 * endpoint stops while its thread has anything else to serve: the other
 * party would wait for the receive timeout. */
static inline bool ep_waits(const struct ep *ep)
{
    return ep->wait_answer && (!ep->w->serving || *ep->w->serving == 1);
}

/* Whether a request/response endpoint should be set up to wait: a
 * closed-loop client alone in its thread, or a server endpoint answering
 * a closed-loop test (it waits only while alone, see ep_waits); never
 * while busy polling (that spins instead). */
bool ep_may_wait(const struct ep *ep);
static inline bool ep_spec_try(struct ep *ep)
{
    if (ep->spec_skip == 0)
        return true;
    ep->spec_skip--;
    return false;
}

static inline void ep_spec_note(struct ep *ep, bool hit)
{
    if (hit) {
        ep->spec_miss = 0;
        return;
    }
    if (ep->spec_miss < 8)
        ep->spec_miss++;
    ep->spec_skip = (uint16_t)((1u << ep->spec_miss) - 1);
}

/* Per-message timing: off with --no-timing, or compiled out altogether
 * with the NETRIG_NO_TIMING build option (the instrument-cost baseline). */
static inline bool ep_timed(const struct ep *ep)
{
#ifdef NETRIG_NO_TIMING
    (void)ep;
    return false;
#else
    return !(ep->w->req->flags & CTRL_F_NO_TIMING);
#endif
}

/* Paced streams catch up after a stall of up to this long (a descheduled
 * sender under other load, a host's steal: tens of ms), so that the rate
 * holds over the test as iperf3's does; after a longer one the schedule
 * moves on instead of bursting for the whole gap. The open-loop rate mode
 * never moves on: its latency counts from the intended starts. */
#define EP_PACE_SLACK_NS 100000000u
static inline void ep_pace_slack(struct ep *ep, uint64_t k, uint64_t now)
{
    uint64_t due = ep_sched(ep, k);
    if (now > due + EP_PACE_SLACK_NS)
        ep->shift_ns += now - due;
}

#endif
