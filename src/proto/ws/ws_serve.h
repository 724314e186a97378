#ifndef NETRIG_WS_SERVE_H
#define NETRIG_WS_SERVE_H
/* One server-side WebSocket connection after the 101, as a state machine
 * without sockets (the way http_serve is for HTTP/1.1): the connection
 * code hands it the bytes it read and asks it what to write.
 *
 * Echo: each data frame goes back as it came (same FIN, same opcode, same
 * length), so messages come back as sent, fragmented or not. A frame is
 * echoed once it is whole and checked: it is unmasked in place and its
 * unmasked header is written in place over the end of the masked one, so
 * the echo is a slice of the caller's buffer (no copy). Sink: frames are
 * checked and counted as they stream through, nothing is echoed.
 *
 * Ping gets a pong with its payload (and, sink, marks the start of what its
 * close frame will report: a sender's window opening); a close gets a close with the same
 * code; anything the rules refuse (ws_frame.h) gets a close with the code
 * owed, after which input is ignored. Memory: a frame, and so a message
 * fragment, is at most max_message bytes; a message (all its fragments) too.
 *
 * With permessage-deflate (ws_serve_deflate), a compressed message is
 * inflated as it comes (its inflated size bounded by max_message too, and
 * text checked as UTF-8 once inflated): the sink counts what it inflates
 * to; the echo compresses it again with its own stream, each frame's
 * output written after room for a header in a buffer of the connection's
 * (grown to the largest echo, at most max_message compressed), one such
 * frame per batch. Uncompressed messages stay as they are.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "ws_deflate.h"
#include "ws_frame.h"

#define WS_SERVE_IOV 32                           /* echoed frames per batch */
#define WS_SERVE_DEFAULT_MAX ((uint64_t)16 << 20) /* 16 MiB per message */

struct ws_serve {
    /* set by ws_serve_init */
    bool sink;
    uint64_t max_message;
    /* state */
    int state;
    struct ws_reader rd;
    struct ws_frame f; /* sink: the frame whose payload is streaming */
    uint64_t f_left;   /* sink: its payload bytes still to come */
    uint64_t f_off;    /* sink: its payload bytes seen so far */
    bool f_open;
    struct iovec out[WS_SERVE_IOV + 1];
    int nout, out_first;                         /* pending iovecs out[out_first..nout) */
    uint8_t ctl[WS_MAX_HEADER + WS_MAX_CONTROL]; /* a pong or our close */
    bool ctl_busy;
    unsigned close_code; /* the code we sent (0: none yet) */
    unsigned peer_code;  /* the code the peer sent (0: none yet) */
    const char *why;     /* why we closed, for a log line */
    /* counters */
    uint64_t msgs, frames, pings;
    uint64_t rx_payload, tx_payload;
    uint64_t mark_msgs, mark_payload; /* sink: msgs, rx_payload at the latest ping */
    uint64_t rx_wire;                 /* payload bytes as they came (compressed or not) */
    /* permessage-deflate */
    bool deflate;
    struct ws_deflate z;
    uint8_t *zout; /* a compressed echo frame: its header, then its payload */
    size_t zcap, zlen;
    bool z_busy; /* zout is pending: no other compressed echo in this batch */
};

/* sink: count and discard rather than echo; max_message: 0 takes
 * WS_SERVE_DEFAULT_MAX. */
void ws_serve_init(struct ws_serve *s, bool sink, uint64_t max_message);

/* Turns permessage-deflate on for this connection, with the parameters
 * negotiated in *e (set up before the first frame). Returns 0, or -1 with
 * the reason in err. */
int ws_serve_deflate(struct ws_serve *s, const struct ws_ext *e, char *err, size_t errlen);

/* Frees what ws_serve_deflate allocated (nothing otherwise). */
void ws_serve_free(struct ws_serve *s);

/* Takes frames from buf[0..len), which it may rewrite (unmasking, echo
 * headers). Returns how many bytes it used. The pending output may point
 * into buf[0..used): the caller keeps those bytes where they are until
 * ws_serve_pending returns 0, then drops them. Input is taken only while
 * nothing is pending, so call again after the output is written. */
size_t ws_serve_input(struct ws_serve *s, uint8_t *buf, size_t len);

/* Bytes the caller's buffer must hold from its start for the next frame
 * to be taken whole (echo: header and payload; sink: a header). */
size_t ws_serve_need(const struct ws_serve *s, const uint8_t *buf, size_t len);

/* Fills up to max iovecs with what to write now; returns their number. */
int ws_serve_pending(const struct ws_serve *s, struct iovec *iov, int max);

/* n bytes of the pending output were written. */
void ws_serve_sent(struct ws_serve *s, size_t n);

/* Our close frame is written: the connection may be closed. */
bool ws_serve_done(const struct ws_serve *s);

/* The peer began the close handshake (a TCP close after it is clean). */
static inline bool ws_serve_peer_closed(const struct ws_serve *s)
{
    return s->peer_code != 0;
}

#endif
