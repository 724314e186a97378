#ifndef NETRIG_TLS_H
#define NETRIG_TLS_H
/* TLS over nonblocking sockets with OpenSSL 3: server and client contexts
 * built from netrig's options, and the per-connection calls of a transport
 * (handshake, read, write, shutdown) reporting OK / WANT_READ / WANT_WRITE /
 * EOF / ERR instead of OpenSSL's error codes. A connection is a plain SSL
 * pointer: OpenSSL allocates it anyway, netrig adds nothing to it. */
#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "config.h"

enum tls_result {
    TLS_OK = 0,
    TLS_WANT_READ,  /* wait until the socket is readable, then call again */
    TLS_WANT_WRITE, /* wait until the socket is writable, then call again */
    TLS_EOF,        /* the peer closed (close_notify or a bare FIN) */
    TLS_ERR         /* protocol or socket error: count it and close */
};

/* What a context is built from; NULL or empty strings take OpenSSL's
 * defaults. */
struct tls_opts {
    const char *version;    /* "1.2" or "1.3": pin that version; NULL = negotiate */
    const char *ciphers;    /* TLS_* names go to the 1.3 suites, others to the 1.2 list */
    const char *groups;     /* "X25519:P-256" */
    const char *alpn;       /* comma list: client offers it, server accepts from it */
    const char *cert, *key; /* server: PEM files; NULL = ephemeral P-256 certificate */
    bool verify;            /* client: check the peer's certificate and name */
    const char *cafile;     /* client: CA bundle for verify */
};

/* A context; it must stay at the same address while connections use it
 * (the server's ALPN callback reads alpn from it). */
struct tls_ctx {
    SSL_CTX *ctx;
    bool server;
    bool verify;
    unsigned char alpn[256]; /* server: length byte, then the wire list */
};

/* Builds a server context. Without cert/key it makes a fresh self-signed
 * EC P-256 certificate (CN and SAN localhost, 127.0.0.1, ::1) valid for a
 * day. Returns 0 or -1 with a message naming the option or file at fault. */
int tls_server_init(struct tls_ctx *t, const struct tls_opts *o, char *err, size_t errlen);

/* The client's TLS settings from the options (--tls-version, --ciphers,
 * --groups, --alpn, --verify, --cafile): what --proto tls and HTTPS both
 * use. alpn_default is offered when --alpn is not given (NULL: none). The
 * strings stay cfg's. */
void tls_client_opts(struct tls_opts *o, const struct netrig_config *cfg, const char *alpn_default);

/* Builds a client context: verification off unless o->verify. Returns 0
 * or -1 with a message. */
int tls_client_init(struct tls_ctx *t, const struct tls_opts *o, char *err, size_t errlen);

/* Frees the context. Safe on a zeroed or closed one. */
void tls_close(struct tls_ctx *t);

/* A new connection over the connected nonblocking socket fd (not owned:
 * the caller closes it). Client only: host is sent as SNI and checked when
 * verifying (may be NULL); resume, when not NULL, is offered for
 * resumption. Returns NULL with a message on failure. */
SSL *tls_conn_new(const struct tls_ctx *t, int fd, const char *host, SSL_SESSION *resume, char *err,
                  size_t errlen);

/* Advances the handshake; TLS_OK once it is complete. */
enum tls_result tls_handshake(SSL *ssl);

/* After a failed handshake: "certificate verify failed: REASON" (OpenSSL's
 * words for the verification result) into buf and 1, or 0 when the
 * certificate was not the cause. */
int tls_verify_note(const SSL *ssl, char *buf, size_t len);

/* Reads up to len bytes; *got is set on TLS_OK (never 0). */
enum tls_result tls_read(SSL *ssl, void *buf, size_t len, size_t *got);

/* Writes up to len bytes (at least one record's worth when OK); *put is
 * set on TLS_OK. After WANT_*, call again with the same buffer. */
enum tls_result tls_write(SSL *ssl, const void *buf, size_t len, size_t *put);

/* Sends close_notify without waiting for the peer's (TLS_OK when sent). */
enum tls_result tls_shutdown(SSL *ssl);

/* Frees a connection (NULL ok). Does not close the socket. A connection
 * whose handshake completed keeps its session resumable even if no
 * close_notify was sent. */
void tls_conn_free(SSL *ssl);

/* The session to offer on the next connection to the same server (caller
 * frees it with SSL_SESSION_free), or NULL if the server gave none yet. In
 * TLS 1.3 the ticket arrives after the handshake, so ask after reading. */
SSL_SESSION *tls_conn_session(SSL *ssl);

/* True when the handshake resumed a session instead of a full one. */
bool tls_conn_resumed(const SSL *ssl);

/* Writes OpenSSL's queued error text (or `what` alone) into err and clears
 * the queue. */
void tls_error(char *err, size_t errlen, const char *what);

#endif
