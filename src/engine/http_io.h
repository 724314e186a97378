#ifndef NETRIG_HTTP_IO_H
#define NETRIG_HTTP_IO_H
/* The HTTP client's data path (http_io.c) as its driver (drv_http.c) uses
 * it, and the per-endpoint state they share. The read and write functions
 * return -1 when the connection was closed inside them (and perhaps
 * reopened): the caller must not go on with it. */
#include <stdbool.h>
#include <stdint.h>

#include "conn_slot.h"
#include "ep.h"
#include "http_client.h"
#include "stats.h"
#include "tls.h"

/* An HTTP endpoint's own state (ep->priv). */
struct hep {
    struct conn_slot cs; /* first: the connection (conn_slot.h) */
    uint32_t to_send;    /* requests in the ring not fully written yet */
    uint64_t tx_pos;     /* bytes of the first of them already written */
    struct http_reader rd;
    uint64_t credited; /* body bytes of the response in progress counted so far */
    size_t held;       /* start of an unfinished response head, kept in hold */
    char hold[HTTP_DEFAULT_MAX_HEAD];
};

static inline struct hep *http_io_hep(const struct ep *ep)
{
    return ep->priv;
}

/* Queues requests: closed loop up to the pipeline depth (one for crr), or
 * (rate) each scheduled one that is due, stamped with its intended start. */
void http_io_issue(struct ep *ep, uint64_t now);
/* Writes queued request heads and bodies (a bounded number of times).
 * Returns 0, or -1 when the connection was closed. */
int http_io_write(struct ep *ep);
/* Reads what the connection has (a bounded number of times) and handles
 * every whole response, and the server's close. Returns 0, or -1 when the
 * connection was closed. */
int http_io_read(struct ep *ep);
/* Keeps the worker's first 4xx or 5xx status line in st->note ("status 404
 * (HTTP/1.1 404 Not Found)"), for the test's verdict; r was parsed from
 * buf[0..len) (its reason is named only if it still lies there). Any HTTP/1.1
 * answer may be noted this way: a response, a refused WebSocket upgrade. */
void http_io_note_status(struct stats *st, const struct http_response *r, const char *buf,
                         size_t len);

#endif
