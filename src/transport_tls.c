/* The TLS transport table and the TLS step of TCP endpoints. */
#include "transport_tls.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "clock.h"
#include "config.h"
#include "tls.h"
#include "tls_cost.h"

static enum tp_status status_of(enum tls_result r)
{
    switch (r) {
    case TLS_OK: return TP_OK;
    case TLS_WANT_READ: return TP_WANT_READ;
    case TLS_WANT_WRITE: return TP_WANT_WRITE;
    case TLS_EOF: return TP_EOF;
    default:
        if (errno == 0)
            errno = EPROTO;
        return TP_ERR;
    }
}

static int tp_open(void **ctx, int fd, bool server, char *err, size_t errlen)
{
    (void)fd;
    (void)server;
    /* Endpoints get their SSL from tls_ep_begin, which knows the context. */
    *ctx = NULL;
    snprintf(err, errlen, "TLS connections start with tls_ep_begin");
    return -1;
}

static enum tp_status tp_handshake(void *ctx, int fd)
{
    (void)fd;
    return status_of(tls_handshake(ctx));
}

static enum tp_status tp_read(void *ctx, int fd, void *buf, size_t len, size_t *done)
{
    (void)fd;
    *done = 0;
    errno = 0;
    return status_of(tls_read(ctx, buf, len, done));
}

/* Small pieces (a hello and a short message) go out as one record; a
 * large one is written from where it is, a record at a time. */
static enum tp_status tp_writev(void *ctx, int fd, const struct iovec *iov, int iovcnt,
                                size_t *done)
{
    (void)fd;
    char buf[4096];
    size_t len = 0;
    int i = 0;
    *done = 0;
    errno = 0;
    for (; i < iovcnt && len + iov[i].iov_len <= sizeof(buf); i++) {
        memcpy(buf + len, iov[i].iov_base, iov[i].iov_len);
        len += iov[i].iov_len;
    }
    if (len > 0)
        return status_of(tls_write(ctx, buf, len, done));
    return status_of(tls_write(ctx, iov[0].iov_base, iov[0].iov_len, done));
}

static void tp_shutdown(void *ctx, int fd)
{
    tls_shutdown(ctx);
    shutdown(fd, SHUT_WR);
}

static void tp_close(void *ctx)
{
    tls_conn_free(ctx);
}

const struct transport transport_tls = {
    .name = "tls",
    .open = tp_open,
    .handshake = tp_handshake,
    .read = tp_read,
    .writev = tp_writev,
    .shutdown = tp_shutdown,
    .close = tp_close,
};

int tls_ep_begin(struct ep *ep)
{
    char err[256];
    struct wctx *w = ep->w;
    SSL_SESSION *resume = w->tls_resume ? ep->priv : NULL;
    SSL *ssl =
        tls_conn_new(w->tls, ep->io.fd, w->server ? NULL : w->tls_host, resume, err, sizeof(err));
    if (ssl == NULL) {
        w->st->err[ERRC_CONNECT]++;
        return -1;
    }
    ep->tp = &transport_tls;
    ep->tp_ctx = ssl;
    ep->state = EP_HANDSHAKE;
    return loop_mod(w->loop, &ep->io, EPOLLIN | EPOLLOUT);
}

int tls_ep_handshake(struct ep *ep)
{
    enum tls_result r = tls_handshake(ep->tp_ctx);
    if (r == TLS_WANT_READ || r == TLS_WANT_WRITE) {
        loop_mod(ep->w->loop, &ep->io, r == TLS_WANT_READ ? EPOLLIN : EPOLLOUT);
        return 0;
    }
    if (r != TLS_OK) {
        /* A crr client may abandon a handshake when its test ends; the
         * server does not count what the client chose to drop. */
        if (!(ep->w->server && ep->w->req->mode == MODE_CRR))
            ep->w->st->err[ERRC_CONNECT]++;
        return -1;
    }
    if (!ep->w->server)
        tls_cost_note(ep->tp_ctx, &ep->w->st->tls_cipher, &ep->w->st->tls_version);
    if ((ep->role & EP_CRR) && wctx_measuring(ep->w) && !(ep->w->req->flags & CTRL_F_NO_TIMING))
        hist_record(&ep->w->st->connect, (int64_t)(clock_now_ns() - ep->conn_start_ns));
    return 1;
}

void tls_ep_end(struct ep *ep)
{
    if (ep->tp != &transport_tls)
        return;
    if (ep->w->tls_resume && ep->priv == NULL && ep->tp_ctx != NULL)
        ep->priv = tls_conn_session(ep->tp_ctx);
    tls_conn_free(ep->tp_ctx);
    ep->tp_ctx = NULL;
    ep->tp = &transport_plain;
}

void tls_ep_free(struct ep *ep)
{
    if (ep->w->tls != NULL && ep->priv != NULL) {
        SSL_SESSION_free(ep->priv);
        ep->priv = NULL;
    }
}
