/* The TLS transport table. */
#include "transport_tls.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "tls.h"

static const struct tls_ctx *client_ctx;
static char client_host[256];
static bool client_resume;
static _Atomic(const void *) noted_cipher;
static _Atomic int noted_version;

/* Each thread keeps the session of its last connection for --resume; the
 * key's destructor frees it when the thread ends. */
static pthread_key_t session_key;
static pthread_once_t session_once = PTHREAD_ONCE_INIT;

static void session_free(void *s)
{
    SSL_SESSION_free(s);
}

static void session_key_init(void)
{
    pthread_key_create(&session_key, session_free);
}

void transport_tls_client(const struct tls_ctx *ctx, const char *host, bool resume)
{
    pthread_once(&session_once, session_key_init);
    client_ctx = ctx;
    snprintf(client_host, sizeof(client_host), "%s", host ? host : "");
    client_resume = resume;
    atomic_store(&noted_cipher, NULL);
}

void transport_tls_negotiated(const void **cipher, int *version)
{
    *cipher = atomic_load(&noted_cipher);
    *version = atomic_load(&noted_version);
}

static enum tp_status status_of(enum tls_result r)
{
    switch (r) {
    case TLS_OK: return TP_OK;
    case TLS_WANT_READ: return TP_WANT_READ;
    case TLS_WANT_WRITE: return TP_WANT_WRITE;
    case TLS_EOF: return TP_EOF;
    default:
        if (errno == 0 || errno == EAGAIN)
            errno = EPROTO;
        return TP_ERR;
    }
}

static int tp_open(void **ctx, int fd, bool server, char *err, size_t errlen)
{
    if (*ctx != NULL)
        return 0; /* the server's first-bytes check made it already */
    if (server || client_ctx == NULL) {
        snprintf(err, errlen, "TLS: no context for this side");
        return -1;
    }
    SSL_SESSION *resume = client_resume ? pthread_getspecific(session_key) : NULL;
    *ctx = tls_conn_new(client_ctx, fd, client_host, resume, err, errlen);
    return *ctx != NULL ? 0 : -1;
}

static enum tp_status tp_handshake(void *ctx, int fd)
{
    (void)fd;
    errno = 0;
    enum tls_result r = tls_handshake(ctx);
    if (r == TLS_OK && !SSL_is_server(ctx) && atomic_load(&noted_cipher) == NULL) {
        atomic_store(&noted_version, SSL_version(ctx));
        atomic_store(&noted_cipher, (const void *)SSL_get_current_cipher(ctx));
    }
    return status_of(r);
}

static enum tp_status tp_read(void *ctx, int fd, void *buf, size_t len, size_t *done)
{
    (void)fd;
    *done = 0;
    errno = 0;
    return status_of(tls_read(ctx, buf, len, done));
}

/* One record per call, from the first piece: the hello then travels in a
 * record of its own, so the server can take exactly the hello through TLS
 * and leave what follows in the socket, where epoll sees it. */
static enum tp_status tp_writev(void *ctx, int fd, const struct iovec *iov, int iovcnt,
                                size_t *done)
{
    (void)fd;
    (void)iovcnt;
    *done = 0;
    errno = 0;
    return status_of(tls_write(ctx, iov[0].iov_base, iov[0].iov_len, done));
}

static void tp_shutdown(void *ctx, int fd)
{
    tls_shutdown(ctx);
    shutdown(fd, SHUT_WR);
}

static void tp_close(void *ctx)
{
    if (ctx == NULL)
        return;
    if (client_resume && !SSL_is_server(ctx)) {
        SSL_SESSION *s = tls_conn_session(ctx);
        if (s != NULL) {
            SSL_SESSION_free(pthread_getspecific(session_key));
            pthread_setspecific(session_key, s);
        }
    }
    tls_conn_free(ctx);
}

static bool tp_resumed(void *ctx)
{
    return ctx != NULL && tls_conn_resumed(ctx);
}

const struct transport transport_tls = {
    .name = "tls",
    .open = tp_open,
    .handshake = tp_handshake,
    .read = tp_read,
    .writev = tp_writev,
    .shutdown = tp_shutdown,
    .close = tp_close,
    .resumed = tp_resumed,
};
