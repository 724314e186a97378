#ifndef NETRIG_CONN_SLOT_H
#define NETRIG_CONN_SLOT_H
/* A client connection slot as the HTTP-like drivers (drv_http, drv_h2,
 * drv_ws) keep it: one endpoint, one connection at a time, reopened when it ends.
 * The slot goes idle -> connecting -> TLS handshake (if any) -> running;
 * a connection that ends is closed and the next one started, unless the
 * end is for good, the endpoint drains or its quota is used up. The
 * connect (and handshake) time of each connection goes in the connect
 * histogram. What differs between protocols is a small table of hooks
 * (struct conn_slot_ops); the calls a driver made directly on its data
 * path become one indirect call each, nothing is added per request.
 *
 * The driver's ep->priv begins with a struct conn_slot (its first
 * member), so that the slot's functions find it from the endpoint. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ep.h"
#include "tls.h"

/* Where a slot stands: no connection (a connect is due or retried on the
 * timer), connecting, in the TLS handshake, or running. */
enum { CS_IDLE, CS_CONNECTING, CS_HANDSHAKE, CS_RUN };

/* What a protocol adds to the slot. The hooks marked optional may be
 * NULL. */
struct conn_slot_ops {
    /* Optional: the TCP connection is up (before TLS): reset what the
     * data path keeps per connection. */
    void (*fresh)(struct ep *ep);
    /* Optional: the TLS handshake is done: may the connection go on (the
     * ALPN the server chose)? false counts ERRC_PROTOCOL and ends the
     * endpoint. */
    bool (*tls_ok)(SSL *ssl);
    /* Optional: the connection is ready (TLS done, if any): start the
     * protocol's session. Returns 0, or -1: counted as ERRC_OTHER, and the
     * endpoint ends. */
    int (*session_start)(struct ep *ep);
    /* Optional: the connection is closed and another follows: end its
     * session (unanswered requests back to the ring). */
    void (*session_end)(struct ep *ep);
    /* Optional: the endpoint finishes: free what the data path
     * allocated (ep->priv itself is freed by the slot). */
    void (*release)(struct ep *ep);
    /* The endpoint drains: drop what is queued but not to be asked any
     * more, and say whether answers are still due (the slot then waits
     * for them, if running, instead of finishing at once). */
    bool (*drain)(struct ep *ep);
    /* Queues requests that are due (and sends nothing). */
    void (*issue)(struct ep *ep, uint64_t now);
    /* Read and write what the connection has; 0, or -1 when the
     * connection was closed inside (the slot then stops there). */
    int (*read)(struct ep *ep);
    int (*write)(struct ep *ep);
    /* Optional: an event's input and output through ep_io_rounds
     * (speculative reads, a waiter sleeping in recv) in place of one read
     * and one write; read above is then not used. */
    const struct ep_rounds *rounds;
    /* Optional: a connected socket that may wait in recv (ep_may_wait) is
     * set up for it by this (ep_loop_add), and becomes the loop's waiter. */
    int (*wait_setup)(struct ep *ep);
    /* A failed handshake leaves the certificate's verdict in the stats'
     * note (the first one only). */
    bool verify_note;
};

/* The slot's state: the first member of the driver's ep->priv. */
struct conn_slot {
    const struct conn_slot_ops *ops;
    int phase;
    SSL *ssl;          /* NULL without TLS or without a connection */
    SSL_SESSION *sess; /* crr --resume: offered on the next connection */
};

static inline struct conn_slot *conn_slot_of(const struct ep *ep)
{
    return ep->priv;
}

/* Sets the endpoint's I/O and timer callbacks to the slot's and, when
 * ep->priv is allocated, its table. Call from the driver's init right
 * after allocating ep->priv, also when something else failed (finish
 * then frees through the table). */
void conn_slot_init(struct ep *ep, const struct conn_slot_ops *ops);

/* The driver table's entries: start (a connection per request for crr,
 * else the connected socket's session, whose first bytes go out at once),
 * on_io (the phase's step, then
 * read and write), drain (finish now, or when the answers due are in),
 * close (reconnect or finish, as struct drv_ops says) and finish
 * (TCP_INFO, TLS, socket and state freed, ep_finished). */
int conn_slot_start(struct ep *ep);
void conn_slot_on_io(struct ep *ep, uint32_t events);
void conn_slot_drain(struct ep *ep);
void conn_slot_close(struct ep *ep, bool for_good);
void conn_slot_finish(struct ep *ep);

/* The data path's system calls, plain or TLS as the connection is: recv
 * (with wait, sleeping as a socket set up to wait does, ep_waits) and
 * send, as tls_read and tls_write say (TLS_OK, TLS_WANT_READ,
 * TLS_WANT_WRITE, TLS_EOF, TLS_ERR with errno). */
enum tls_result conn_slot_recv(struct ep *ep, void *buf, size_t len, size_t *got, bool wait);
enum tls_result conn_slot_send(struct ep *ep, const void *buf, size_t len, size_t *done);

/* After a read of got bytes into a buffer of cap: whether another may
 * find more at once (the buffer filled, or TLS holds records it read
 * ahead). A short read drained the socket: epoll says when there is
 * more, which saves a read that would only say EAGAIN. */
static inline bool conn_slot_more(const struct ep *ep, size_t got, size_t cap)
{
    const struct conn_slot *s = conn_slot_of(ep);
    return got >= cap || (s->ssl != NULL && SSL_has_pending(s->ssl));
}

/* The connection has done its work (crr's request, the server's or a
 * draining endpoint's end): with --resume its TLS session is kept, to be
 * offered on the next connection, and it is closed (and another opened,
 * as conn_slot_close decides). Returns -1. */
int conn_slot_done(struct ep *ep);

/* A read failed (TLS_ERR): counted (ERRC_RESET or ERRC_READ, by errno)
 * and the connection closed. Returns -1. */
int conn_slot_read_fail(struct ep *ep);

/* A driver table (struct drv_ops) made of the slot's entries, with the
 * driver's name and init (which calls conn_slot_init). */
#define CONN_SLOT_DRV(NAME, INIT)                                                                  \
    {                                                                                              \
        .name = (NAME), .init = (INIT), .start = conn_slot_start, .on_io = conn_slot_on_io,        \
        .drain = conn_slot_drain, .finish = conn_slot_finish, .close = conn_slot_close,            \
    }

#endif
