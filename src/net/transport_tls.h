#ifndef NETRIG_TRANSPORT_TLS_H
#define NETRIG_TRANSPORT_TLS_H
/* TLS for the TCP driver (--proto tls): the transport table over an SSL
 * connection. A client data connection opens TLS first and says its hello
 * inside it; the server's first-bytes check sees a ClientHello, completes
 * the handshake, reads the hello through TLS and attaches the connection
 * with its SSL already open (open then adopts it). */
#include <stdbool.h>

#include "transport.h"

struct tls_ctx;

/* The transport; ctx is the connection's SSL. */
extern const struct transport transport_tls;

/* The client side's context, the name to send (SNI) and to check, and
 * whether crr offers each thread's last session again. Set before the
 * worker threads start; read-only while they run. */
void transport_tls_client(const struct tls_ctx *ctx, const char *host, bool resume);

/* What the first completed client handshake negotiated (an SSL_CIPHER
 * and a protocol version), NULL if none completed. */
void transport_tls_negotiated(const void **cipher, int *version);

#endif
