#ifndef NETRIG_WS_IO_H
#define NETRIG_WS_IO_H
/* The WebSocket client's data path (ws_io.c) as its driver (drv_ws.c) uses
 * it, and the per-endpoint state they share. Messages are built into the
 * endpoint's send buffer frame by frame (a fresh mask key per frame, the
 * payload masked a word at a time on its way in, ws_mask_copy); frames
 * from the server are followed with ws_parse_header and ws_reader without
 * copying their payload. The read and write functions return -1 when the
 * connection was closed inside them (and perhaps reopened): the caller
 * must not go on with it. */
#include <stdbool.h>
#include <stdint.h>

#include "conn_slot.h"
#include "ep.h"
#include "tls.h"
#include "ws_deflate.h"
#include "ws_frame.h"
#include "ws_handshake.h"

/* The message being queued into the send buffer. */
struct ws_gen {
    bool active, first, fin;
    uint64_t msg_left;   /* payload of the message not yet in a frame */
    uint64_t frame_left; /* payload of the current frame not yet queued */
    uint64_t frame_off;  /* payload of the current frame queued so far */
    bool zsrc;           /* the message is compressed: its bytes come from zmsg */
    size_t src_off;      /* zmsg bytes queued so far */
    uint8_t key[4];
};

/* A WebSocket endpoint's own state (ep->priv). */
struct wsep {
    struct conn_slot cs; /* first: the connection (conn_slot.h) */
    bool upgraded;       /* the server's 101 came: frames follow */
    uint64_t up_start;   /* when the upgrade request was queued */
    char key[WS_KEY_LEN + 1];
    /* sending */
    uint8_t *tx;
    size_t tx_cap, tx_len, tx_off;
    struct ws_gen g;
    uint32_t to_send; /* messages due and not yet queued */
    uint64_t rng;     /* mask keys */
    bool close_due, close_queued;
    bool pong_due;
    bool mark_sent;   /* stream: the ping that opens the sink's count */
    uint64_t mark_ns; /* when its pong came back (0: not yet) */
    uint8_t pong[WS_MAX_CONTROL];
    size_t pong_len;
    /* receiving */
    uint8_t hdr[WS_MAX_HEADER];
    unsigned hlen;
    bool in_frame;
    struct ws_frame f;
    uint64_t f_left;
    struct ws_reader rd;
    uint8_t ctl[WS_MAX_CONTROL]; /* a control frame's payload */
    size_t ctl_len;
    uint64_t msg_hdr; /* frame header bytes of the message coming in */
    uint64_t crr_hdr; /* crr: those of the message before the close */
    size_t held;      /* the 101 answer so far */
    char hold[4096];
    /* permessage-deflate (--ws-deflate): negotiated on this connection,
     * the streams (set up at each 101 that takes it), and the message
     * being sent, compressed whole before its first frame */
    bool deflate;
    struct ws_deflate z;
    uint8_t *zmsg;
    size_t zcap, zlen;
    uint64_t z_msg; /* bytes the compressed message coming in inflated to so far */
};

static inline struct wsep *ws_io_wsep(const struct ep *ep)
{
    return ep->priv;
}

/* Queues messages: closed loop up to the pipeline depth (one for crr),
 * each due one (rate), or back to back (stream). */
void ws_io_issue(struct ep *ep, uint64_t now);
/* The connection is up (after TLS): queues the upgrade request (the
 * slot's session_start; ws_upgrade.c). Returns 0 or -1. */
int ws_upgrade_request(struct ep *ep);
/* Takes the server's answer to the upgrade from p (n bytes): held until
 * its head is whole, then checked (status, accept key, extension) and
 * timed; s->upgraded is set then. Returns the bytes of p that were the
 * answer's (what follows is frames), or -1 when the connection failed
 * and was closed (ws_upgrade.c). */
long ws_upgrade_answer(struct ep *ep, const uint8_t *p, size_t n);
/* Counts an error of class cls and closes the connection. Returns -1. */
int ws_io_fail(struct ep *ep, int cls);
/* Writes what is queued, queueing more frames as room frees (a bounded
 * number of times). Returns 0, or -1 when the connection was closed. */
int ws_io_write(struct ep *ep);
/* Reads and handles the 101 and then frames (a bounded number of
 * times). Returns 1 if it read anything, 0 if not, -1 when the connection
 * was closed. With wait (and ep_waits), the first read sleeps in recv for
 * the answer, up to the socket's receive timeout. */
int ws_io_read(struct ep *ep, bool wait);
/* A closed-loop client alone in its thread, over plain TCP: its socket is
 * set up to wait in recv (ep_wait_setup). Returns 0 or -1 (then epoll). */
int ws_io_wait_setup(struct ep *ep);
/* Whether to read again at once, without epoll (ep_spec_try): a requester
 * with every message written and an echo to come. */
bool ws_io_spec(struct ep *ep);
/* Starts the close handshake (code 1000) once what is outstanding is in. */
void ws_io_close(struct ep *ep);

#endif
