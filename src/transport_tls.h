#ifndef NETRIG_TRANSPORT_TLS_H
#define NETRIG_TRANSPORT_TLS_H
/* TLS for the TCP driver (--proto tls): the transport table over an SSL
 * connection, and the handshake step an endpoint goes through before its
 * data flows. A data connection says its 16-byte hello in the clear (so
 * the server knows which test it joins), then runs TLS: the client
 * connects, the server accepts, and the transport carries the test's
 * bytes from then on. */
#include "ep.h"
#include "transport.h"

/* The transport; ctx is the connection's SSL. */
extern const struct transport transport_tls;

/* Starts the handshake on ep's socket (client or server side by
 * ep->w->server) with ep->w->tls; the endpoint's transport becomes TLS
 * and its state EP_HANDSHAKE. Returns 0, or -1 (counted as a connect
 * error) when no connection could be made. */
int tls_ep_begin(struct ep *ep);

/* Advances the handshake on an I/O event: 1 when done (connect time
 * recorded for crr), 0 while in progress (interest set), -1 when it failed
 * (counted; the caller closes the endpoint). */
int tls_ep_handshake(struct ep *ep);

/* Before the socket closes: keeps the session for the next crr connection
 * when resuming, frees the SSL and goes back to the plain transport. */
void tls_ep_end(struct ep *ep);

/* Frees what the endpoint kept across connections (its session). */
void tls_ep_free(struct ep *ep);

#endif
