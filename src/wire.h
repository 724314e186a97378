#ifndef NETRIG_WIRE_H
#define NETRIG_WIRE_H
/* The small header at the start of every timed data message:
 *   flow (4) | sequence number (4, wrapping) | send time, ns (8)
 * big-endian. The send time is the sender's CLOCK_MONOTONIC (in rate mode
 * the transaction's intended start), so a receiver on the same host gets a
 * one-way delay and a receiver elsewhere still gets jitter. Messages
 * shorter than the header carry none and are not timed per message. */
#include <stdint.h>

#include "ctrl.h"

#define WIRE_HDR_LEN 16

struct wire_hdr {
    uint32_t flow;
    uint32_t seq;
    uint64_t send_ns;
};

static inline void wire_put(uint8_t *p, uint32_t flow, uint32_t seq, uint64_t send_ns)
{
    ctrl_put32(p, flow);
    ctrl_put32(p + 4, seq);
    ctrl_put64(p + 8, send_ns);
}

static inline struct wire_hdr wire_get(const uint8_t *p)
{
    struct wire_hdr h = {ctrl_get32(p), ctrl_get32(p + 4), ctrl_get64(p + 8)};
    return h;
}

#endif
