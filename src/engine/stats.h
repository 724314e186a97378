#ifndef NETRIG_STATS_H
#define NETRIG_STATS_H
/* Counters and histograms of one worker thread for one test. Each thread
 * owns its own; they are merged after the threads are done (or, on the
 * server, handed over once under the test's lock). Nothing here locks. */
#include <stdbool.h>
#include <stdint.h>

#include "ctrl.h"
#include "hist.h"

/* Error classes, counted instead of aborting a run. */
enum stats_err {
    ERRC_CONNECT,  /* connect failed or timed out */
    ERRC_READ,     /* read failed (other than a reset) */
    ERRC_WRITE,    /* write failed */
    ERRC_RESET,    /* connection reset by the peer mid-test */
    ERRC_TIMEOUT,  /* no answer in time (TCP rr at the end, UDP hello) */
    ERRC_PROTOCOL, /* unexpected bytes: bad hello, short message, ... */
    ERRC_REFUSED,  /* the server refused a data connection */
    ERRC_OTHER,
    ERRC_PARSE,      /* HTTP: malformed response */
    ERRC_STATUS_4XX, /* HTTP: 4xx status */
    ERRC_STATUS_5XX, /* HTTP: 5xx status */
    ERRC_COUNT
};
_Static_assert(ERRC_COUNT == CTRL_NERR, "error classes travel in the control result");

const char *stats_err_name(int cls);

/* HTTP/2 stream and connection errors by class, counted apart from the
 * classes above (those travel in the control result; these arise only in
 * the client's own HTTP/2 connections). */
enum stats_h2err {
    H2E_RST_REFUSED, /* RST_STREAM REFUSED_STREAM: the server did not process it */
    H2E_RST_CANCEL,  /* RST_STREAM CANCEL */
    H2E_RST_OTHER,   /* RST_STREAM with any other code */
    H2E_GOAWAY,      /* GOAWAY with an error code (NO_ERROR is a clean end) */
    H2E_FLOW_STALL,  /* a request body waited on a closed flow-control window */
    H2E_COUNT
};
const char *stats_h2err_name(int cls);

struct stats {
    /* in the measured window */
    uint64_t rx_bytes, rx_msgs, tx_bytes, tx_msgs;
    uint64_t txn; /* transactions completed (rr, crr, rate) */
    /* whole test, warm-up included: conservation checks */
    uint64_t rx_total, tx_total;
    /* UDP receiver (stream) or requester (rr: lost = timed out) */
    uint64_t lost, expected, reorder, dup;
    double jitter_sum_ns; /* final jitter of each flow, summed */
    uint64_t jitter_flows;
    uint64_t err[ERRC_COUNT];
    /* TCP_INFO of the sending sockets, summed over sockets */
    uint64_t retrans, rtt_us_sum, cwnd_sum, mss, tcpinfo_n;
    char cc[16];            /* congestion control of the first connection read */
    struct hist lat;        /* current interval, ns */
    struct hist total;      /* everything before the current interval */
    struct hist connect;    /* crr connect time, ns */
    struct hist upgrade;    /* WebSocket: upgrade request to 101, ns */
    uint64_t hdr_bytes;     /* HTTP: response head bytes in the window */
    const void *tls_cipher; /* TLS: the SSL_CIPHER of a completed handshake */
    int tls_version;
    /* TLS: handshakes done in the window that resumed a session */
    uint64_t tls_resumed;
    uint64_t body_done; /* HTTP: body bytes of the responses completed in the window */
    /* HTTP/2, in the window: frames both ways, request HEADERS frames as
     * sent (HPACK-compressed, with their 9-byte frame headers), errors */
    uint64_t h2_frames, req_hdr_bytes;
    uint64_t h2err[H2E_COUNT];
    /* WebSocket stream: what netrig's sink received from each connection's
     * window mark to its close, and that time as the client saw it */
    uint64_t ws_peer_msgs, ws_peer_bytes, ws_peer_ns, ws_peer_conns;
    /* WebSocket with --ws-deflate: upgrades where the server took
     * permessage-deflate or declined it, and the messages' bytes in the
     * window both ways as they went on the wire (compressed) and as
     * payload (inflated), counted together */
    uint64_t ws_deflate_on, ws_deflate_declined;
    uint64_t ws_wire_bytes, ws_wire_payload;
    /* The first error's cause in words, for a test that fails: an HTTP
     * status line, a certificate verification failure. "" when none. */
    char note[128];
};

/* Returns 0 or -1 (no memory). */
int stats_init(struct stats *s);
/* Counters only: the histograms stay empty and unallocated, so nothing
 * may be recorded into them (a server answering requests times nothing).
 * Saves the allocation where a slot lives for one short connection. */
void stats_init_counters(struct stats *s);
void stats_close(struct stats *s);
/* Adds src into dst (counters and every histogram). */
void stats_add(struct stats *dst, const struct stats *src);
/* Moves the interval histogram into the total. */
void stats_fold_interval(struct stats *s);
/* "connect=1 read=0 ..." of the non-zero classes, or "" when none. */
void stats_err_format(const uint64_t err[ERRC_COUNT], char *buf, size_t len);
uint64_t stats_err_sum(const uint64_t err[ERRC_COUNT]);

/* Per-flow sequence tracking for UDP receivers: loss, reordering,
 * duplicates and RFC 3550 interarrival jitter. */
#define SEQ_WINDOW 1024
struct seqtrack {
    bool started;
    uint64_t first, max; /* extended (64-bit) sequence numbers */
    uint64_t received;   /* unique datagrams */
    uint64_t reorder, dup;
    int64_t last_transit;
    double jitter_ns;
    uint64_t seen[SEQ_WINDOW / 64]; /* bit per sequence number in (max-WINDOW, max] */
};

/* Records datagram seq (32-bit, wrapping) that took transit_ns
 * (arrival - send time, any clock offset cancels in the jitter). */
void seqtrack_add(struct seqtrack *t, uint32_t seq, int64_t transit_ns);
/* Adds the flow's figures into s and resets the tracker. */
void seqtrack_flush(struct seqtrack *t, struct stats *s);

#endif
