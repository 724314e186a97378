/* The HTTP/2 client driver (drv_h2 in ep.h). Each endpoint is one
 * connection slot with up to --streams requests in flight as streams of
 * one nghttp2 session: rr keeps them all busy, crr makes a connection per
 * request, rate opens a stream for each scheduled request (latency from
 * its intended start). h2 is TLS with ALPN "h2"; h2c is plain TCP with
 * prior knowledge. A connection that ends (server close, GOAWAY, stream
 * ids used up) is reopened and its unanswered requests are asked again
 * with their start times kept, as the HTTP/1.1 driver does. This file
 * holds the table and what HTTP/2 adds to the connection slot
 * (conn_slot.c: connect, TLS, close and reconnect); the data path is in
 * h2_io.c. */
#include <string.h>

#include "conn_slot.h"
#include "h2_io.h"

static struct h2ep *H(const struct ep *ep)
{
    return h2_io_hep(ep);
}

/* The server must have chosen h2: one that speaks only HTTP/1.1 over TLS
 * would take our frames for garbage. */
static bool alpn_h2(SSL *ssl)
{
    const unsigned char *p = NULL;
    unsigned int n = 0;
    SSL_get0_alpn_selected(ssl, &p, &n);
    return n == 2 && memcmp(p, "h2", 2) == 0;
}

/* Requests not yet opened as streams stay unasked; answers are due on
 * the open streams. */
static bool drain(struct ep *ep)
{
    ep->ring_n = 0;
    return H(ep)->open != 0;
}

static const struct conn_slot_ops h2_slot = {
    .tls_ok = alpn_h2,
    .session_start = h2_io_session,
    .session_end = h2_io_session_end,
    .release = h2_io_free,
    .drain = drain,
    .issue = h2_io_issue,
    .read = h2_io_read,
    .write = h2_io_write,
    .verify_note = true, /* a failed verification names OpenSSL's reason, as for HTTP/1.1 */
};

/* --- the table --------------------------------------------------------- */

static int h2_init(struct ep *ep)
{
    /* A stream test over HTTP/2 is back-to-back responses on every
     * stream: the closed loop. */
    if (!(ep->role & EP_RR_CLIENT))
        ep->role = EP_RR_CLIENT;
    int rc = h2_io_init(ep);
    conn_slot_init(ep, &h2_slot);
    return rc;
}

const struct drv_ops drv_h2 = CONN_SLOT_DRV("h2", h2_init);
