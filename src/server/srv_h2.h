#ifndef NETRIG_SRV_H2_H
#define NETRIG_SRV_H2_H
/* HTTP/2 on the server's port (srv_h2.c): a connection srv_http.c found
 * to speak h2 (ALPN "h2" on TLS) or h2c (the connection preface on plain
 * TCP) is served here with the same answers as HTTP/1.1 (GET|HEAD
 * /bytes/N, POST /sink, http_answer.c's routing). nghttp2 keeps the
 * framing, HPACK and streams; this file moves the bytes and bounds what a
 * peer may make the server hold: --h2-max-streams streams at once (at
 * most SRV_H2_MAX_STREAMS), a header list of at most the server's HTTP
 * head limit, and a budget of frames that do no work (SETTINGS, PING,
 * resets, refused streams). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

/* The most --h2-max-streams may say; 128 by default (server_opts.c). */
#define SRV_H2_MAX_STREAMS 1024u
/* The connection preface's first bytes, enough to tell h2c apart from an
 * HTTP/1.1 method (there is no method PRI). */
#define SRV_H2_PREFACE "PRI "

struct srv_h2;

/* What one session allows its peer (the server's limits). */
struct srv_h2_bounds {
    uint32_t max_head;    /* a request's header list, bytes (RFC 9113's measure) */
    uint64_t max_body;    /* /bytes/N and /sink bodies */
    uint32_t max_streams; /* SETTINGS_MAX_CONCURRENT_STREAMS, 1..SRV_H2_MAX_STREAMS */
    uint32_t window;      /* SETTINGS_INITIAL_WINDOW_SIZE: a stream's receive window */
};

/* Whether the first n bytes of a plain connection are h2c's preface: 1
 * yes, 0 no, -1 too few bytes to tell. */
int srv_h2_sniff(const unsigned char *p, size_t n);

/* Whether a TLS connection's client and server agreed on ALPN "h2". */
bool srv_h2_alpn(SSL *ssl);

/* A session for one connection. pattern (plen bytes) is the body data
 * and date the thread's current IMF-fixdate; both outlive it. b bounds
 * what the peer may ask (copied; max_streams above SRV_H2_MAX_STREAMS is
 * taken as that). Returns NULL when out of memory. */
struct srv_h2 *srv_h2_new(const char *pattern, size_t plen, const char *date,
                          const struct srv_h2_bounds *b);
void srv_h2_free(struct srv_h2 *h);

/* Reads what fd (through ssl when not NULL) has, answers it, writes what
 * the session has to send, a bounded number of times. buf is scratch of
 * cap bytes. *want_out says to come back when writable. Returns 0 to keep
 * the connection, -1 to close it (the session is over or failed). */
int srv_h2_io(struct srv_h2 *h, int fd, SSL *ssl, uint8_t *buf, size_t cap, bool *want_out);

/* Feeds n bytes of peer input to the session and lets it produce up to a
 * bounded amount of output, which is dropped (the fuzz harness's entry:
 * no socket). Returns 0, or -1 once the session failed or is over. */
int srv_h2_feed(struct srv_h2 *h, const uint8_t *p, size_t n);

/* Streams the session holds now (at most its max_streams). */
uint32_t srv_h2_streams(const struct srv_h2 *h);

/* Requests, body bytes in and out so far: the connection's progress. */
uint64_t srv_h2_progress(const struct srv_h2 *h);

/* The server gives up on the connection (idle deadline): one try at a
 * GOAWAY, ENHANCE_YOUR_CALM when streams wait on the peer's closed
 * flow-control window, else NO_ERROR. */
void srv_h2_goaway(struct srv_h2 *h, int fd, SSL *ssl);

/* A keyed server's answer to an h2 client without --open-http: SETTINGS
 * and a GOAWAY saying why, written once, best effort. */
void srv_h2_refuse(int fd, SSL *ssl);

#endif
