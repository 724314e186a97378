#ifndef NETRIG_FUZZ_DATA_H
#define NETRIG_FUZZ_DATA_H
/* What the TCP and UDP data path harnesses share (included, not a harness
 * of its own): the test their first input byte chooses (side, mode,
 * direction, timing, phase), the endpoint's counters as the server's slot
 * or the client keeps them, its context, and the records of bytes that
 * follow: flags (1), length (2, big-endian), bytes. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ep.h"

#define FUZZ_TEST_ID 0x0123456789abcdefull

/* One input's test: the request, the side, the endpoint's roles and
 * counters. */
struct fuzz_data {
    struct ctrl_request q;
    bool server;
    uint32_t role;
    _Atomic int phase;
    struct stats st;
    uint32_t serving;
};

static bool fuzz_data_closed; /* the endpoint of this input has closed */

static inline void fuzz_data_on_closed(struct ep *ep)
{
    (void)ep;
    fuzz_data_closed = true;
}

/* The test of input byte b0 (bit 0 server side; bits 1-2 index modes[];
 * bits 3-5 reverse, bidir, no timing; bit 6 measuring), with the sizes,
 * conns and pipeline given, paced so that a sender writes a little per
 * call. False when the server's checks refuse it (it never reaches a
 * data path); else the counters are made (close with fuzz_data_close). */
static inline bool fuzz_data_open(struct fuzz_data *f, uint8_t proto, const uint8_t modes[4],
                                  uint8_t b0, uint32_t conns, uint32_t pipeline, uint64_t size,
                                  uint64_t resp_size)
{
    char err[200];
    memset(f, 0, sizeof(*f));
    f->server = b0 & 1;
    f->q.proto = proto;
    f->q.mode = modes[(b0 >> 1) & 3];
    f->q.flags = (uint8_t)((b0 >> 3) & 7); /* reverse, bidir, no timing */
    f->q.conns = conns;
    f->q.threads = 1;
    f->q.pipeline = pipeline;
    f->q.size = size;
    f->q.resp_size = resp_size;
    f->q.duration_ns = 1000000000u;
    f->q.timeout_ns = 1000000000u;
    f->q.rate_bps = f->q.mode == MODE_STREAM ? 1e6 : 0;
    f->q.rate_per_s = f->q.mode == MODE_RATE ? 1000 : 0;
    if (ctrl_request_check(&f->q, err, sizeof(err)) != 0)
        return false;
    atomic_store(&f->phase, (b0 & 0x40) ? CTRL_PHASE_MEASURE : CTRL_PHASE_WARMUP);
    f->role = ep_roles(&f->q, f->server);
    /* As the server's slot: only a receiver has histograms. */
    if (!f->server || (f->role & EP_RECV)) {
        if (stats_init(&f->st) != 0)
            abort();
    } else {
        stats_init_counters(&f->st);
    }
    f->serving = 2; /* never sleeps in recv */
    fuzz_data_closed = false;
    return true;
}

/* The endpoint's context: the harness adds its transport's fields. */
static inline struct wctx fuzz_data_wctx(struct fuzz_data *f, struct loop *l)
{
    return (struct wctx){.loop = l,
                         .req = &f->q,
                         .server = f->server,
                         .st = &f->st,
                         .phase = &f->phase,
                         .test_id = FUZZ_TEST_ID,
                         .serving = &f->serving,
                         .closed = fuzz_data_on_closed};
}

/* The next record of [*d, *d + *n): its flags, and its bytes (length cut
 * to what is left, and to max; what lies beyond max begins the next
 * record) at *p, *len. False when fewer than 3 bytes are left. */
static inline bool fuzz_data_record(const uint8_t **d, size_t *n, size_t max, uint8_t *flags,
                                    const uint8_t **p, size_t *len)
{
    if (*n < 3)
        return false;
    *flags = (*d)[0];
    *len = (size_t)(*d)[1] << 8 | (*d)[2];
    *d += 3;
    *n -= 3;
    if (*len > *n)
        *len = *n;
    if (*len > max)
        *len = max;
    *p = *d;
    *d += *len;
    *n -= *len;
    return true;
}

static inline void fuzz_data_close(struct fuzz_data *f)
{
    stats_close(&f->st);
}

#endif
