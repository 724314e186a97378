/* The connection slot of the HTTP-like client drivers (conn_slot.h):
 * connecting, the TLS handshake, closing and reconnecting, the timer
 * that retries a connect or issues scheduled requests, and the data
 * path's reads and writes. */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "clock.h"
#include "conn_slot.h"
#include "http_target.h"
#include "tls_cost.h"

#define RETRY_NS 10000000u /* after a failed connect */

static void retry_later(struct ep *ep)
{
    conn_slot_of(ep)->phase = CS_IDLE;
    loop_timer_set(ep->w->loop, &ep->timer, clock_now_ns() + RETRY_NS);
}

static void connect_start(struct ep *ep)
{
    if (ep_connect_start(ep) != 0) {
        retry_later(ep);
        return;
    }
    conn_slot_of(ep)->phase = CS_CONNECTING;
    if (loop_add(ep->w->loop, &ep->io, EPOLLOUT) != 0)
        conn_slot_close(ep, true);
}

/* The connection is ready: the session starts, its connect (and
 * handshake) time goes in its own histogram, then requests are due.
 * Returns -1 when the endpoint was closed. */
static int running(struct ep *ep)
{
    struct conn_slot *s = conn_slot_of(ep);
    if (s->ops->session_start != NULL && s->ops->session_start(ep) != 0) {
        ep->w->st->err[ERRC_OTHER]++;
        conn_slot_close(ep, true);
        return -1;
    }
    s->phase = CS_RUN;
    if (ep->conn_start_ns != 0 && wctx_measuring(ep->w) && ep_timed(ep))
        hist_record(&ep->w->st->connect, (int64_t)(clock_now_ns() - ep->conn_start_ns));
    s->ops->issue(ep, clock_now_ns());
    return 0;
}

/* The TCP connection is up: start TLS or go straight to running. Returns
 * -1 when the endpoint was closed. */
static int begin_session(struct ep *ep)
{
    struct conn_slot *s = conn_slot_of(ep);
    const struct http_target *t = ep->w->http;
    char err[256];
    net_set_nodelay(ep->io.fd);
    ep_busy_poll(ep);
    if (s->ops->fresh != NULL)
        s->ops->fresh(ep);
    if (!t->tls)
        return running(ep);
    s->ssl =
        tls_conn_new(&t->tls_ctx, ep->io.fd, t->host, t->resume ? s->sess : NULL, err, sizeof(err));
    if (s->ssl == NULL) {
        ep->w->st->err[ERRC_CONNECT]++;
        conn_slot_close(ep, true);
        return -1;
    }
    /* Read-ahead: one read() takes every record the socket holds, not a
     * 5-byte record header and then its body (two system calls per
     * record, and a server wake-up per small write of ours). Records it
     * took but the driver has not yet read are not seen by epoll: see
     * buffered(). */
    SSL_set_read_ahead(s->ssl, 1);
    s->phase = CS_HANDSHAKE;
    loop_mod(ep->w->loop, &ep->io, EPOLLOUT | EPOLLIN);
    return 0;
}

static void connected(struct ep *ep)
{
    if (ep_connect_done(ep) != 0) {
        retry_later(ep);
        return;
    }
    (void)begin_session(ep);
}

static void handshake(struct ep *ep)
{
    struct conn_slot *s = conn_slot_of(ep);
    enum tls_result r = tls_handshake(s->ssl);
    if (r == TLS_WANT_READ || r == TLS_WANT_WRITE) {
        loop_mod(ep->w->loop, &ep->io, r == TLS_WANT_READ ? EPOLLIN : EPOLLOUT);
        return;
    }
    if (r != TLS_OK) {
        struct stats *st = ep->w->st;
        st->err[ERRC_CONNECT]++;
        if (s->ops->verify_note && !st->note[0])
            tls_verify_note(s->ssl, st->note, sizeof(st->note));
        conn_slot_close(ep, false);
        return;
    }
    if (s->ops->tls_ok != NULL && !s->ops->tls_ok(s->ssl)) {
        ep->w->st->err[ERRC_PROTOCOL]++;
        conn_slot_close(ep, true);
        return;
    }
    tls_cost_note(s->ssl, &ep->w->st->tls_cipher, &ep->w->st->tls_version);
    if (wctx_measuring(ep->w) && tls_conn_resumed(s->ssl))
        ep->w->st->tls_resumed++;
    (void)running(ep);
}

/* TLS holds bytes epoll cannot see (read ahead, or decrypted and not yet
 * taken): a driver that stopped reading at its budget must come back on
 * the next round, which a writable socket's EPOLLOUT brings at once. */
static bool buffered(const struct conn_slot *s)
{
    return s->ssl != NULL && SSL_has_pending(s->ssl);
}

static void interest(struct ep *ep)
{
    bool out = ep->want_out || buffered(conn_slot_of(ep));
    loop_mod(ep->w->loop, &ep->io, EPOLLIN | (out ? EPOLLOUT : 0));
}

static void timer_cb(struct loop *l, struct loop_timer *t)
{
    (void)l;
    struct ep *ep = t->arg;
    struct conn_slot *s = conn_slot_of(ep);
    if (s->phase == CS_IDLE) {
        if (ep->state == EP_RUN)
            connect_start(ep);
        return;
    }
    if (s->phase != CS_RUN)
        return;
    s->ops->issue(ep, clock_now_ns());
    if (s->ops->write(ep) < 0)
        return;
    interest(ep);
}

void conn_slot_init(struct ep *ep, const struct conn_slot_ops *ops)
{
    if (ep->priv != NULL)
        conn_slot_of(ep)->ops = ops;
    ep->io.fn = ep_io_cb;
    ep->timer.fn = timer_cb;
}

int conn_slot_start(struct ep *ep)
{
    ep->state = EP_RUN;
    if (ep->io.fd < 0) { /* crr: a connection per request */
        conn_slot_of(ep)->ops->issue(ep, clock_now_ns());
        connect_start(ep);
        return 0;
    }
    const struct conn_slot_ops *ops = conn_slot_of(ep)->ops;
    int rc = ops->wait_setup != NULL ? ep_loop_add(ep, ops->wait_setup)
                                     : loop_add(ep->w->loop, &ep->io, EPOLLIN | EPOLLOUT);
    if (rc != 0)
        return -1;
    if (begin_session(ep) != 0)
        return 0; /* it has closed the endpoint */
    /* Plain: what the session queued goes out now, not on an EPOLLOUT a
     * waiter (sleeping in recv, not in epoll) would never get. */
    if (conn_slot_of(ep)->phase == CS_RUN && ops->write(ep) == 0)
        interest(ep);
    return 0;
}

void conn_slot_on_io(struct ep *ep, uint32_t events)
{
    struct conn_slot *s = conn_slot_of(ep);
    if (s->phase == CS_CONNECTING) {
        connected(ep);
        if (s->phase != CS_HANDSHAKE && s->phase != CS_RUN)
            return;
    }
    if (s->phase == CS_HANDSHAKE) {
        handshake(ep);
        if (s->phase != CS_RUN)
            return;
    }
    if (buffered(s))
        events |= EPOLLIN;
    if (s->ops->rounds != NULL) {
        if (ep_io_rounds(ep, events, s->ops->rounds) < 0)
            return;
    } else {
        if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && s->ops->read(ep) < 0)
            return;
        if (s->ops->write(ep) < 0)
            return;
    }
    interest(ep);
}

void conn_slot_drain(struct ep *ep)
{
    if (ep->state == EP_CLOSED)
        return;
    struct conn_slot *s = conn_slot_of(ep);
    ep->state = EP_DRAIN;
    bool due = s->ops->drain(ep);
    if (s->phase != CS_RUN || !due) {
        ep->drv->finish(ep);
        return;
    }
    loop_timer_cancel(ep->w->loop, &ep->timer);
    /* What the drain queued (a close handshake) goes out now. */
    if (s->ops->write(ep) == 0)
        interest(ep);
}

/* Requests a closing server left unanswered while draining fall outside
 * the window. finish reads TCP_INFO, then closes. */
void conn_slot_close(struct ep *ep, bool for_good)
{
    struct conn_slot *s = conn_slot_of(ep);
    if (for_good || ep->state != EP_RUN || ep->quota == 0) {
        ep->drv->finish(ep);
        return;
    }
    if (s->ops->session_end != NULL)
        s->ops->session_end(ep);
    tls_conn_free(s->ssl); /* NULL without a connection */
    s->ssl = NULL;
    ep_close_socket(ep, true);
    ep->wait_answer = false; /* the next socket goes through epoll */
    s->phase = CS_IDLE;
    if (ep->role & EP_CRR)
        s->ops->issue(ep, clock_now_ns());
    connect_start(ep);
}

void conn_slot_finish(struct ep *ep)
{
    if (ep->state == EP_CLOSED)
        return;
    struct conn_slot *s = conn_slot_of(ep);
    loop_timer_cancel(ep->w->loop, &ep->timer);
    if (!(ep->role & EP_CRR))
        ep_tcp_info(ep);
    if (s != NULL) {
        if (s->ops != NULL && s->ops->release != NULL)
            s->ops->release(ep);
        tls_conn_free(s->ssl); /* NULL without a connection */
        s->ssl = NULL;
        if (s->sess != NULL)
            SSL_SESSION_free(s->sess);
    }
    ep_close_socket(ep, true);
    free(ep->priv);
    ep->priv = NULL;
    ep_finished(ep);
}

enum tls_result conn_slot_recv(struct ep *ep, void *buf, size_t len, size_t *got, bool wait)
{
    SSL *ssl = conn_slot_of(ep)->ssl;
    if (ssl != NULL)
        return tls_read(ssl, buf, len, got);
    ssize_t n = wait ? ep_recv_wait(ep, buf, len) : recv(ep->io.fd, buf, len, MSG_DONTWAIT);
    if (n > 0) {
        *got = (size_t)n;
        return TLS_OK;
    }
    if (n == 0)
        return TLS_EOF;
    return errno == EAGAIN || errno == EINTR ? TLS_WANT_READ : TLS_ERR;
}

enum tls_result conn_slot_send(struct ep *ep, const void *buf, size_t len, size_t *done)
{
    SSL *ssl = conn_slot_of(ep)->ssl;
    if (ssl != NULL)
        return tls_write(ssl, buf, len, done);
    ssize_t w = send(ep->io.fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w >= 0) {
        *done = (size_t)w;
        return TLS_OK;
    }
    return errno == EAGAIN || errno == EINTR ? TLS_WANT_WRITE : TLS_ERR;
}

int conn_slot_done(struct ep *ep)
{
    struct conn_slot *s = conn_slot_of(ep);
    if (s->ssl != NULL && ep->w->http->resume) {
        /* The newest session: a TLS 1.3 server may take each ticket only
         * once (RFC 8446 asks clients not to offer one twice), and sends
         * a new one on every connection, resumed or not. */
        SSL_SESSION *newest = tls_conn_session(s->ssl);
        if (newest != NULL) {
            if (s->sess != NULL)
                SSL_SESSION_free(s->sess);
            s->sess = newest;
        }
    }
    ep->drv->close(ep, false);
    return -1;
}

int conn_slot_read_fail(struct ep *ep)
{
    ep->w->st->err[errno == ECONNRESET ? ERRC_RESET : ERRC_READ]++;
    ep->drv->close(ep, false);
    return -1;
}
