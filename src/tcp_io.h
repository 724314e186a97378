#ifndef NETRIG_TCP_IO_H
#define NETRIG_TCP_IO_H
/* The TCP data path (tcp_io.c) as the TCP driver (drv_tcp.c) uses it. The
 * read and write functions return -1 when the endpoint was closed (or,
 * crr, recycled) inside them: the caller must not touch it further. */
#include "ep.h"

/* Reads what the socket has (a bounded number of times) and handles every
 * whole message, request or response. */
int tcp_io_read(struct ep *ep);
/* Writes what is pending: stamped stream batches, owed request/response
 * bytes; shuts a draining endpoint down once it has nothing left. */
int tcp_io_write(struct ep *ep);
/* Once a draining endpoint has nothing left: the client shuts its sending
 * side, the server closes. */
int tcp_io_maybe_shut(struct ep *ep);
/* Sets the epoll interest from the endpoint's state. */
void tcp_io_interest(struct ep *ep);
/* Queues requests: closed loop up to the pipeline, or (rate) the due ones. */
void tcp_io_rr_issue(struct ep *ep, uint64_t now);
/* Records the start time of a transaction now outstanding. */
void tcp_io_ring_push(struct ep *ep, uint64_t t);

static inline bool tcp_io_timed(const struct ep *ep)
{
    return !(ep->w->req->flags & CTRL_F_NO_TIMING);
}

/* drv_tcp.c: closes the endpoint (crr: recycles it into a new
 * connection while transactions remain). */
void drv_tcp_close(struct ep *ep);

#endif
