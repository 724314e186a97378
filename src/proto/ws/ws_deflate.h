#ifndef NETRIG_WS_DEFLATE_H
#define NETRIG_WS_DEFLATE_H
/* permessage-deflate's data path (RFC 7692 section 7.2): one endpoint's
 * compressor and decompressor (zlib, raw deflate), allocated once when the
 * extension is negotiated and reused for every message. A message is
 * compressed with a sync flush and the 00 00 ff ff that ends it removed;
 * received, the four bytes are put back before the last inflate. Context
 * takeover is kept unless negotiated away, then each side's stream is
 * reset after every message.
 *
 * Inflating is bounded: a message's inflated size over the caller's limit
 * stops it with 1009, so a small compressed message cannot make an
 * endpoint produce more than it would take uncompressed. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "ws_ext.h"
#include "ws_frame.h"

#define WS_DEFLATE_SCRATCH (16u * 1024u) /* inflate output per step */
/* A client's bound on a message once inflated: netrig's server's own
 * message limit (WS_SERVE_DEFAULT_MAX). */
#define WS_DEFLATE_MAX_MESSAGE ((uint64_t)16 << 20)

struct ws_deflate {
    z_stream def, inf;
    bool def_ok, inf_ok;
    bool def_reset, inf_reset; /* no context takeover: reset after each message */
    uint64_t in_msg;           /* inflated bytes of the message coming in */
    uint8_t *scratch;          /* WS_DEFLATE_SCRATCH bytes */
};

/* Called with each piece of an inflated message, in order; returns 0, or
 * a close code to stop with. */
typedef unsigned (*ws_deflate_emit)(void *arg, const uint8_t *p, size_t n);

/* Sets up both streams for the negotiated *e, seen from role (a client
 * compresses with client_max_window_bits and resets after each message
 * with client_no_context_takeover, a server with the server_ ones).
 * Returns 0, or -1 with the reason in err. */
int ws_deflate_init(struct ws_deflate *z, const struct ws_ext *e, enum ws_role role, char *err,
                    size_t errlen);

/* Frees what init allocated; z may be zeroed or already freed. */
void ws_deflate_free(struct ws_deflate *z);

/* Room that n payload bytes may take compressed (a bound, with the sync
 * flush's bytes). */
size_t ws_deflate_bound(size_t n);

/* Compresses in[0..n), a piece of the message going out, appending to
 * out[*len..cap); end: the message's last piece (flushed, its 00 00 ff ff
 * removed, the stream reset without context takeover). Returns 0, or -1
 * when out is full (*len says how far it got: grow out and call again with
 * the rest, n == 0) or zlib failed. */
int ws_deflate_put(struct ws_deflate *z, const uint8_t *in, size_t n, bool end, uint8_t *out,
                   size_t cap, size_t *len, size_t *used);

/* Abandons the message being compressed (a ws_deflate_put ran out of room
 * and the caller sends the message uncompressed instead): the compressor
 * starts afresh, with nothing of it pending; the peer's decompressor reads
 * what follows whatever its context. */
void ws_deflate_drop(struct ws_deflate *z);

/* Inflates in[0..n), a piece of a compressed message coming in, handing
 * the output to emit in pieces of at most WS_DEFLATE_SCRATCH bytes; end:
 * the message's last piece. Returns 0, 1009 when the message inflates to
 * more than limit bytes (0: no limit), 1007 when it is not valid deflate
 * data, or emit's code. */
unsigned ws_deflate_take(struct ws_deflate *z, const uint8_t *in, size_t n, bool end,
                         uint64_t limit, ws_deflate_emit emit, void *arg);

#endif
