#ifndef NETRIG_SRV_HTTP_H
#define NETRIG_SRV_HTTP_H
/* HTTP/1.1 (and HTTPS) on the server's listening port: a connection whose
 * first bytes are an HTTP method, or a TLS ClientHello when the server has
 * TLS on, is served here (GET /bytes/N, POST /sink) instead of joining a
 * test. The protocol is http_serve's; this file moves its bytes. */
#include <stdbool.h>
#include <stddef.h>

struct srv_thread;
struct srv_http;

/* What the first bytes of a connection say it is. */
enum srv_first { SRV_FIRST_WAIT, SRV_FIRST_NETRIG, SRV_FIRST_HTTP, SRV_FIRST_TLS };

/* Classifies the first n bytes (n may be short). */
enum srv_first srv_http_classify(const unsigned char *p, size_t n);

/* Serves fd (nothing consumed from it yet) on thread th, over TLS when
 * tls is set. Closes fd on failure. */
void srv_http_start(struct srv_thread *th, int fd, bool tls);

/* Closes every HTTP connection of th (server stop). */
void srv_http_close_all(struct srv_thread *th);

#endif
