/* The HTTP/1.1 client driver. Each endpoint is one connection slot: it
 * keeps its outstanding requests' start times in the ring, writes request
 * heads (and POST bodies from ep_zero), and follows the responses with
 * http_reader. A connection the server closes (keep-alive limits, errors)
 * is reopened and its unanswered requests are sent again, their start
 * times kept, so a reconnect shows in the latency instead of hiding. This
 * file holds the table and what HTTP/1.1 adds to the connection slot
 * (conn_slot.c: connect, TLS, close and reconnect); the data path is in
 * http_io.c. */
#include <stdlib.h>
#include <string.h>

#include "conn_slot.h"
#include "drv_http.h"
#include "http_io.h"

static struct hep *H(const struct ep *ep)
{
    return http_io_hep(ep);
}

/* A new connection starts with no response in progress; its unanswered
 * requests go out again. */
static void fresh(struct ep *ep)
{
    struct hep *h = H(ep);
    memset(&h->rd, 0, sizeof(h->rd));
    h->credited = 0;
    h->rd.head_request = ep->w->http->head_method;
    h->held = 0;
    h->tx_pos = 0;
    h->to_send = ep->ring_n;
}

/* Answers are due while requests are in the ring. */
static bool drain(struct ep *ep)
{
    return ep->ring_n != 0;
}

static const struct conn_slot_ops http_slot = {
    .fresh = fresh,
    .drain = drain,
    .issue = http_io_issue,
    .read = http_io_read,
    .write = http_io_write,
    .verify_note = true,
};

/* --- the table --------------------------------------------------------- */

static int http_init(struct ep *ep)
{
    int rc = ep_ring_init(ep);
    ep->priv = calloc(1, sizeof(struct hep));
    conn_slot_init(ep, &http_slot);
    if (rc != 0 || !ep->priv)
        return -1;
    return 0;
}

const struct drv_ops drv_http = CONN_SLOT_DRV("http", http_init);
