#ifndef NETRIG_TRANSPORT_H
#define NETRIG_TRANSPORT_H
/* How a stream driver moves bytes: plain sockets here; a TLS transport
 * plugs in with the same table. A transport never blocks; it says what it
 * is waiting for, because TLS may need to write in order to read and the
 * other way round.
 *
 * The TCP driver calls open and then handshake (again on each readiness
 * it asks for) when an endpoint starts, before any payload; crr times the
 * connect and the handshake together. The owner picks the transport for
 * all its endpoints with wctx.tp. The client's 16-byte data hello travels
 * through the transport as the first bytes; the server reads it before
 * attaching the connection (a TLS server must handshake first). */
#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

enum tp_status {
    TP_OK,         /* *done bytes moved (> 0) */
    TP_WANT_READ,  /* nothing moved; retry when readable */
    TP_WANT_WRITE, /* nothing moved; retry when writable */
    TP_EOF,        /* the peer closed its sending side */
    TP_ERR         /* failed; errno says why (ECONNRESET, ...) */
};

struct transport {
    const char *name;
    /* Sets up per-connection state for fd (client or server side), with
     * a message in err on failure. ctx may stay NULL (plain). */
    int (*open)(void **ctx, int fd, bool server, char *err, size_t errlen);
    /* Progresses a handshake; TP_OK when done (plain: at once). */
    enum tp_status (*handshake)(void *ctx, int fd);
    enum tp_status (*read)(void *ctx, int fd, void *buf, size_t len, size_t *done);
    enum tp_status (*writev)(void *ctx, int fd, const struct iovec *iov, int iovcnt, size_t *done);
    /* Ends the sending side (FIN, or close_notify then FIN). */
    void (*shutdown)(void *ctx, int fd);
    /* Frees ctx; the caller closes fd. NULL ctx ok. */
    void (*close)(void *ctx);
    /* After a handshake: true when it resumed a session (NULL: never). */
    bool (*resumed)(void *ctx);
};

/* Plain TCP: recv/sendmsg, no state. Every call is non-blocking
 * (MSG_DONTWAIT), whatever the socket's own mode. */
extern const struct transport transport_plain;

#endif
