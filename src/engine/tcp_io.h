#ifndef NETRIG_TCP_IO_H
#define NETRIG_TCP_IO_H
/* The TCP data path (tcp_io.c) as the TCP driver (drv_tcp.c) uses it. The
 * read and write functions return -1 when the endpoint was closed (or,
 * crr, recycled) inside them, through the driver table's close: the
 * caller must not touch it further. */
#include "ep.h"

/* Reads what the socket has (a bounded number of times) and handles every
 * whole message, request or response. Returns 1 if it read anything, 0 if
 * not, -1 when the endpoint was closed. With wait (an endpoint with
 * wait_answer), the first read sleeps in recv for the answer, up to the
 * socket's receive timeout: one system call where epoll and a read would
 * be two. */
int tcp_io_read(struct ep *ep, bool wait);
/* A request/response client that is alone in its thread, on plain TCP:
 * its socket is made blocking (every other call passes MSG_DONTWAIT) with
 * a short receive timeout, so that it can sleep in recv for its answers.
 * Returns 0 or -1 (the endpoint keeps using epoll). */
int tcp_io_wait_setup(struct ep *ep);
/* Whether to read again at once, without epoll (see ep_spec_try): a
 * request/response endpoint with everything sent and an answer (client)
 * or the next request (server) to come. */
bool tcp_io_spec(struct ep *ep);
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

static inline bool tcp_io_timed(const struct ep *ep)
{
    return ep_timed(ep);
}

#endif
