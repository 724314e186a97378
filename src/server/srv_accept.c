/* The server's front door: accepting, and handing each new connection to
 * what its first bytes ask for: a control connection (srv_session.c),
 * the PSK exchange before one (srv_auth.c), a data connection joining
 * its test (server.c), or HTTP and TLS (srv_http.c). This file owns a
 * pending or control connection's events and its guard timer: the parts
 * it calls return a verdict, and it closes the connection when told. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bytes.h"
#include "clock.h"
#include "server_int.h"
#include "srv_http.h"

static void conn_cb(struct loop *l, struct loop_io *io, uint32_t events);

/* The guard's deadline passed (hello, test, idle): it says why, this
 * closes. */
static void conn_expired(struct loop *l, struct loop_timer *t)
{
    (void)l;
    struct srv_conn *c = t->arg;
    if (srv_guard_expired(c) == SRV_CLOSE)
        srv_conn_close(c);
}

void srv_conn_new(struct srv_thread *th, int fd)
{
    struct srv_conn *c = calloc(1, sizeof(*c));
    if (!c) {
        close(fd);
        return;
    }
    c->th = th;
    c->io.fd = fd;
    c->io.fn = conn_cb;
    c->io.arg = c;
    c->guard.fn = conn_expired;
    c->guard.arg = c;
    c->opened_ns = clock_now_ns();
    c->next = th->conns;
    if (th->conns)
        th->conns->prev = c;
    th->conns = c;
    if (loop_add(th->loop, &c->io, EPOLLIN) != 0 || !srv_guard_conn_open(c))
        srv_conn_close(c);
}

/* HTTP, or TLS (HTTPS, or a --proto tls data connection whose hello comes
 * inside TLS), is told apart from netrig's own control frames and plain
 * hello by the first bytes, peeked so that nothing is taken from the
 * stream the next handler reads. Returns true when c was handed over. */
static bool hand_over(struct srv_conn *c)
{
    unsigned char p[4];
    ssize_t n = recv(c->io.fd, p, sizeof(p), MSG_PEEK);
    enum srv_first k = srv_http_classify(p, n > 0 ? (size_t)n : 0);
    if (n <= 0 || k == SRV_FIRST_NETRIG || k == SRV_FIRST_WAIT)
        return false;
    struct srv_thread *th = c->th;
    srv_http_start(th, srv_conn_release(c), k == SRV_FIRST_TLS);
    srv_thread_maybe_exit(th);
    return true;
}

/* A new connection: a control frame, or a 16-byte hello that joins a
 * test. Reads no further than the hello, so data stays in the socket. */
static enum srv_verdict conn_pending(struct srv_conn *c)
{
    struct srv *s = c->th->srv;
    if (c->inlen == 0 && hand_over(c))
        return SRV_KEEP; /* c is gone: the handler took its socket */
    ssize_t n = recv(c->io.fd, c->in + c->inlen, CTRL_HELLO_LEN - c->inlen, 0);
    if (n <= 0)
        return n < 0 && (errno == EAGAIN || errno == EINTR) ? SRV_KEEP : SRV_CLOSE;
    c->inlen += (size_t)n;
    if (auth_is_auth(c->in, c->inlen))
        return srv_auth_input(c);
    if (c->inlen >= 4 && bytes_get32(c->in) == CTRL_MAGIC && s->psk) {
        srv_guard_refuse(c->io.fd, "authentication failed: the server requires --psk");
        return SRV_CLOSE;
    }
    if (c->inlen >= 4 && bytes_get32(c->in) == CTRL_MAGIC) {
        c->ctrl = true;
        return srv_session_input(c);
    }
    if (c->inlen >= 4 && bytes_get32(c->in) != CTRL_HELLO_MAGIC)
        return SRV_CLOSE;
    if (c->inlen < CTRL_HELLO_LEN)
        return SRV_KEEP;
    uint8_t hello[CTRL_HELLO_LEN];
    memcpy(hello, c->in, sizeof(hello));
    struct srv_thread *th = c->th;
    srv_join(th, srv_conn_release(c), hello, sizeof(hello), NULL, NULL);
    srv_thread_maybe_exit(th);
    return SRV_KEEP; /* c is gone: the test took its socket */
}

static void conn_cb(struct loop *l, struct loop_io *io, uint32_t events)
{
    (void)l;
    (void)events;
    struct srv_conn *c = io->arg;
    enum srv_verdict v = c->ctrl           ? srv_session_input(c)
                         : c->auth_started ? srv_auth_input(c)
                                           : conn_pending(c);
    if (v == SRV_CLOSE)
        srv_conn_close(c);
}

void srv_conn_send_results(struct srv_thread *th)
{
    for (struct srv_conn *c = th->conns, *next; c; c = next) {
        next = c->next;
        if (srv_session_result_due(c) == SRV_CLOSE)
            srv_conn_close(c);
    }
}

void srv_accept_cb(struct loop *l, struct loop_io *io, uint32_t events)
{
    (void)l;
    (void)events;
    struct srv_thread *th = io->arg;
    for (int i = 0; i < 64; i++) {
        int fd = accept4(th->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            srv_guard_accept_failed(th, errno);
            return;
        }
        if (!srv_guard_admit(th, fd))
            continue;
        if (th->srv->cfg.model_threads)
            srv_spawn(th->srv, fd, NULL, 0);
        else
            srv_conn_new(th, fd);
    }
}
