#ifndef NETRIG_WIRE_H
#define NETRIG_WIRE_H
/* The small header at the start of every timed data message:
 *   flow (4) | sequence number (4, wrapping) | send time, ns (8)
 * big-endian. The send time is the sender's CLOCK_MONOTONIC (in rate mode
 * the transaction's intended start), so a receiver on the same host gets a
 * one-way delay and a receiver elsewhere still gets jitter. Messages
 * shorter than the header carry none and are not timed per message. */
#include <stdint.h>

#include "bytes.h"

#define WIRE_HDR_LEN 16
#define WIRE_UDP_MAX 65507 /* the largest UDP payload over IPv4 */

/* UDP: the flow word also carries the test's tag, so that a datagram
 * that does not belong to the test (a stray, a spoofed or a replayed one
 * from an earlier test) is told apart by one compare and dropped unread:
 *   bit 31       measured (a request sent in the measured window)
 *   bits 30..k   tag: bits of the test id (wire_flow_tag)
 *   bits k-1..0  flow index, k = the bits conns - 1 needs (0 for one flow)
 * A test of one flow has 31 bits of tag, of 100000 flows 14. Both ends
 * know the test id (ACCEPT) and conns (REQUEST); an echo server (no
 * control, id 0) gives back what it got. */
#define WIRE_FLOW_MEASURED 0x80000000u

/* The flow index bits of a test of conns flows. */
static inline uint32_t wire_flow_mask(uint32_t conns)
{
    uint32_t m = 0;
    while (m < conns - 1 && m < 0x7fffffffu)
        m = m << 1 | 1;
    return m;
}

/* The tag bits (already in place) of test id's flow words. */
static inline uint32_t wire_flow_tag(uint64_t test_id, uint32_t conns)
{
    uint32_t fold = (uint32_t)(test_id ^ (test_id >> 32));
    return fold & ~WIRE_FLOW_MEASURED & ~wire_flow_mask(conns);
}

struct wire_hdr {
    uint32_t flow;
    uint32_t seq;
    uint64_t send_ns;
};

static inline void wire_put(uint8_t *p, uint32_t flow, uint32_t seq, uint64_t send_ns)
{
    bytes_put32(p, flow);
    bytes_put32(p + 4, seq);
    bytes_put64(p + 8, send_ns);
}

static inline struct wire_hdr wire_get(const uint8_t *p)
{
    struct wire_hdr h = {bytes_get32(p), bytes_get32(p + 4), bytes_get64(p + 8)};
    return h;
}

#endif
