#ifndef NETRIG_H2_IO_H
#define NETRIG_H2_IO_H
/* The HTTP/2 client's data path (h2_io.c) as its driver (drv_h2.c) uses
 * it, and the per-endpoint state they share. nghttp2 keeps the framing,
 * HPACK and stream state of a connection; netrig moves its bytes through
 * plain sockets or TLS, decides when each request starts and times it.
 *
 * Requests wait in the endpoint's ring of start times (closed loop: up to
 * --streams; rate: each scheduled one, stamped with its intended start)
 * and become streams while fewer than min(--streams, the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS) are open. A stream's start time rides
 * in its slot; slots are allocated once per endpoint. The read and write
 * functions return -1 when the connection was closed inside them (and
 * perhaps reopened): the caller must not go on with it. */
#include <stdbool.h>
#include <stdint.h>

#include <nghttp2/nghttp2.h>

#include "conn_slot.h"
#include "ep.h"
#include "tls.h"

/* One stream in flight. */
struct h2slot {
    uint64_t t0;        /* start time (intended, in rate mode) */
    uint64_t body_left; /* request body bytes still to hand to nghttp2 */
    uint64_t body;      /* response body bytes received */
    int status;         /* :status, 0 until it arrived */
    bool used, done;    /* done: END_STREAM seen from the server */
};

#define H2_OUT_CAP (64u * 1024u)

/* An HTTP/2 endpoint's own state (ep->priv). */
struct h2ep {
    struct conn_slot cs; /* first: the connection (conn_slot.h) */
    nghttp2_session *ns;
    struct h2slot *slot;
    uint32_t *free_slots;
    uint32_t nslots, nfree, open; /* open = streams submitted and not closed */
    uint64_t completed;           /* responses done on this connection (crr: 1 ends it) */
    bool closing;                 /* GOAWAY seen or stream ids used up: no new streams */
    bool stalled;                 /* a body waits on a closed flow-control window */
    bool fatal;                   /* the session failed: close once its callbacks returned */
    bool settings;                /* the server's SETTINGS arrived: its stream limit is known */
    const uint8_t *left;          /* the part of nghttp2's last chunk not yet in out */
    size_t left_len;
    uint8_t *out; /* coalesced frames to write */
    size_t out_len, out_off;
};

static inline struct h2ep *h2_io_hep(const struct ep *ep)
{
    return ep->priv;
}

/* Allocates the endpoint's slots, output buffer and ring (--streams, or
 * four seconds of backlog in rate mode). Returns 0 or -1. */
int h2_io_init(struct ep *ep);
/* Frees what h2_io_init and the session allocated. */
void h2_io_free(struct ep *ep);
/* A new HTTP/2 session on the connection just made (preface and SETTINGS
 * queued). Returns 0 or -1. */
int h2_io_session(struct ep *ep);
/* Ends the connection's session: streams still open go back to the ring,
 * their start times kept, to be asked again on the next connection. */
void h2_io_session_end(struct ep *ep);
/* Queues requests (closed loop up to --streams, one for crr; rate: every
 * one due) and opens streams for those that may start. */
void h2_io_issue(struct ep *ep, uint64_t now);
/* Writes what the session has to send. Returns 0, or -1 when closed. */
int h2_io_write(struct ep *ep);
/* Reads what the connection has and feeds it to the session. Returns 0,
 * or -1 when the connection was closed. */
int h2_io_read(struct ep *ep);

#endif
