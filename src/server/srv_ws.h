#ifndef NETRIG_SRV_WS_H
#define NETRIG_SRV_WS_H
/* WebSocket on the server's port: an HTTP connection (srv_http.c) whose
 * request asks for /ws/... is handed here. GET /ws/echo sends every
 * message back as it came; GET /ws/sink counts and drops them (and says
 * in its close frame what it counted). The opening handshake is checked
 * with ws_handshake, the frames by ws_serve; this file moves their bytes
 * over the connection's socket or TLS. One buffer per connection, grown
 * to the largest frame echoed (at most WS_SERVE_DEFAULT_MAX and a header);
 * nothing per message. */
#include <stdbool.h>
#include <stddef.h>
#include <openssl/ssl.h>

struct srv_ws;

/* Takes over from HTTP at the upgrade request in in[0..len) (a whole head,
 * perhaps with frames behind it): queues the 101 answer, or a 4xx and the
 * close. Returns NULL when out of memory. */
struct srv_ws *srv_ws_new(const char *in, size_t len);

/* Moves bytes (ssl NULL: plain fd), a bounded number of times. Returns 0
 * to wait (*want_out: for writability too), -1 when the connection is to
 * be closed. *progress: a message or frame was taken. With wait (a plain
 * socket set up to wait, the loop's waiter alone in its thread), a read
 * for the next message sleeps in recv up to the socket's receive timeout. */
int srv_ws_io(struct srv_ws *c, int fd, SSL *ssl, bool wait, bool *want_out, bool *progress);
/* Whether the connection is echoing (upgraded to /ws/echo, not closing):
 * a request/response peer, worth waiting for in recv when alone. */
bool srv_ws_echoing(const struct srv_ws *c);

/* Frees the state (NULL ok); the caller closes the socket. */
void srv_ws_free(struct srv_ws *c);

#endif
