#ifndef NETRIG_CTRL_H
#define NETRIG_CTRL_H
/* The control protocol between client and server: versioned,
 * length-prefixed frames, big-endian. It is outside input, so decoding
 * checks every length and range and never reads past the buffer.
 *
 * frame  = magic "NRGC" (4) | version (2) | type (2) | payload length (4)
 *          | payload (at most CTRL_MAX_PAYLOAD bytes)
 * A data connection instead starts with a 16-byte hello: magic "NRGD",
 * connection index (4), test id (8); UDP flows send the same hello as a
 * datagram and the server echoes it as the acknowledgement.
 *
 * A test: client REQUEST -> server ACCEPT (test id, UDP ports) or ERROR;
 * client MARK 1 (measuring starts), MARK 2 (measuring ends), END; server
 * RESULT (its counters and latency histogram), then both close.
 * A request with CTRL_F_INTERVALS carries the interval length after the
 * congestion control name; the server then follows its RESULT with
 * INTERVALS frames (its counters and histogram per interval of its
 * window, as the receiving end saw them), the last one flagged. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTRL_MAGIC 0x4e524743u       /* "NRGC" */
#define CTRL_HELLO_MAGIC 0x4e524744u /* "NRGD" */
#define CTRL_VERSION 1
#define CTRL_HDR_LEN 12
#define CTRL_HELLO_LEN 16
#define CTRL_MAX_PAYLOAD (1u << 20)
#define CTRL_MAX_PORTS 64
#define CTRL_MAX_CONNS 100000
#define CTRL_NERR 11

enum ctrl_type {
    CTRL_REQUEST = 1,
    CTRL_ACCEPT,
    CTRL_ERROR,
    CTRL_MARK,
    CTRL_END,
    CTRL_RESULT,
    CTRL_INTERVALS,
    CTRL_TYPE_END
};

enum ctrl_phase { CTRL_PHASE_WARMUP = 0, CTRL_PHASE_MEASURE = 1, CTRL_PHASE_DONE = 2 };

#define CTRL_F_REVERSE 1u
#define CTRL_F_BIDIR 2u
#define CTRL_F_NO_TIMING 4u
#define CTRL_F_INTERVALS 8u /* interval_ns follows; the server reports intervals */

struct ctrl_request {
    uint8_t proto; /* enum proto */
    uint8_t mode;  /* enum mode */
    uint8_t flags; /* CTRL_F_* */
    uint32_t conns, threads, pipeline;
    uint64_t size, resp_size;
    double rate_bps, rate_per_s; /* per test, as the client asked */
    uint64_t duration_ns, warmup_ns, timeout_ns, count;
    uint64_t stall_ns;    /* testing: the server stalls once this long */
    char cc[16];          /* TCP congestion control of the server's data sockets, "" = default */
    uint64_t interval_ns; /* with CTRL_F_INTERVALS: the intervals' length */
};

/* Payload bytes of one response of request q (resp_size 0 means the same
 * as the request). Inline: the data path asks once per request. */
static inline uint64_t ctrl_resp_size(const struct ctrl_request *q)
{
    return q->resp_size ? q->resp_size : q->size;
}

struct ctrl_accept {
    uint64_t test_id;
    uint32_t server_threads;
    uint16_t nports; /* UDP: per-test data ports; flow i uses ports[i % n] */
    uint16_t ports[CTRL_MAX_PORTS];
};

struct ctrl_result {
    uint64_t window_ns;                            /* the server's measured window */
    uint64_t rx_bytes, rx_msgs, tx_bytes, tx_msgs; /* in the window */
    uint64_t rx_total, tx_total;                   /* whole test, payload bytes */
    uint64_t cpu_ns;                               /* server CPU in the window */
    uint64_t lost, expected, reorder, dup;         /* UDP, as receiver */
    uint64_t jitter_ns;                            /* RFC 3550, mean over flows */
    uint32_t errors[CTRL_NERR];                    /* by class, see stats.h */
    uint32_t retrans, rtt_us, cwnd, mss;           /* TCP_INFO of one data socket */
    uint32_t hist_len;
    const uint8_t *hist; /* compressed V2 histogram (ns); decode: points into the frame */
};

/* One interval of the server's window: times from the window's start. */
struct ctrl_iv {
    uint64_t t0_ns, t1_ns;
    uint64_t rx_bytes, rx_msgs;
    uint32_t hist_len;
    const uint8_t *hist; /* compressed V2 histogram (ns), may be empty */
};

/* A run of intervals: index of the first, count, and the encoded items
 * (ctrl_iv_put's format; decode checks them, ctrl_iv_get reads them). */
struct ctrl_intervals {
    uint8_t last; /* 1: no INTERVALS frame follows */
    uint32_t first;
    uint16_t n;
    size_t len;
    const uint8_t *items;
};

struct ctrl_msg {
    uint16_t type;
    union {
        struct ctrl_request req;
        struct ctrl_accept acc;
        char error[256];
        uint8_t phase;
        struct ctrl_result res;
        struct ctrl_intervals ivs;
    } u;
};

/* Encodes one interval item into buf. Returns its length, or 0 if cap is
 * too small. */
size_t ctrl_iv_put(const struct ctrl_iv *iv, uint8_t *buf, size_t cap);

/* Reads the item at *off of a decoded INTERVALS message and moves *off
 * past it. Returns 0, or -1 at the end. */
int ctrl_iv_get(const struct ctrl_intervals *v, size_t *off, struct ctrl_iv *iv);

/* Encodes m as one frame into buf. Returns its length, or 0 if cap is too
 * small or m is invalid. */
size_t ctrl_encode(const struct ctrl_msg *m, uint8_t *buf, size_t cap);

/* Decodes the frame at the start of buf. Returns the frame length (> 0),
 * 0 if more bytes are needed (after at least the header, *need says how
 * many in total), or -1 for an invalid frame with a message in err. */
long ctrl_decode(const uint8_t *buf, size_t len, struct ctrl_msg *m, size_t *need, char *err,
                 size_t errlen);

/* Checks a request's ranges (also done by ctrl_decode). Returns 0 or -1. */
int ctrl_request_check(const struct ctrl_request *r, char *err, size_t errlen);

void ctrl_hello_encode(uint8_t out[CTRL_HELLO_LEN], uint64_t test_id, uint32_t index);
/* Returns 0 if buf holds a hello, -1 otherwise. */
int ctrl_hello_decode(const uint8_t *buf, size_t len, uint64_t *test_id, uint32_t *index);

#endif
