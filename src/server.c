/* The netrig server: threads, accepting, and handing each new connection
 * to what its first bytes ask for (a control connection or a data
 * connection of a running test). Two models: --model epoll runs N
 * threads, each with its own loop and listening socket (SO_REUSEPORT);
 * --model threads gives every connection (and every per-test UDP socket)
 * a thread of its own that waits on that one socket. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "server_int.h"

#define SRV_RXBUF (256u * 1024u)

void server_config_defaults(struct server_config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1:7878");
    c->threads = 1;
    server_limits_defaults(&c->lim);
}

static void conn_cb(struct loop *l, struct loop_io *io, uint32_t events);
static void spawn_conn_thread(struct srv *s, int fd);

static void maybe_thread_exit(struct srv_thread *th)
{
    if (th->srv->cfg.model_threads && th->lfd < 0 && !th->conns && !th->slots && !th->udp_test)
        loop_stop(th->loop);
}

void srv_thread_idle(struct srv_thread *th)
{
    maybe_thread_exit(th);
}

static void wake_cb(struct loop *l, void *arg)
{
    (void)l;
    srv_thread_chores(arg);
}

static void conn_new(struct srv_thread *th, int fd)
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
    c->next = th->conns;
    if (th->conns)
        th->conns->prev = c;
    th->conns = c;
    if (loop_add(th->loop, &c->io, EPOLLIN) != 0)
        srv_conn_close(c);
    else
        srv_guard_conn_open(c);
}

static void conn_unlink(struct srv_conn *c)
{
    struct srv_thread *th = c->th;
    if (c->prev)
        c->prev->next = c->next;
    else
        th->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    loop_del(th->loop, &c->io);
    loop_timer_cancel(th->loop, &c->guard);
}

void srv_conn_close(struct srv_conn *c)
{
    struct srv_thread *th = c->th;
    struct srv *s = th->srv;
    conn_unlink(c);
    close(c->io.fd);
    srv_guard_closed(s);
    if (c->test) {
        pthread_mutex_lock(&s->mu);
        c->test->ending = true; /* the client is gone: tear its test down */
        c->test->ctrl_th = NULL;
        srv_test_unref(s, c->test);
        pthread_mutex_unlock(&s->mu);
        srv_wake_all(s);
    }
    free(c);
    maybe_thread_exit(th);
}

/* A new connection: a control frame, or a 16-byte hello that joins a
 * test. Reads no further than the hello, so data stays in the socket. */
static void conn_pending(struct srv_conn *c)
{
    struct srv *s = c->th->srv;
    ssize_t n = recv(c->io.fd, c->in + c->inlen, CTRL_HELLO_LEN - c->inlen, 0);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        srv_conn_close(c);
        return;
    }
    c->inlen += (size_t)n;
    if (auth_is_auth(c->in, c->inlen)) {
        srv_auth_input(c);
        return;
    }
    if (c->inlen >= 4 && ctrl_get32(c->in) == CTRL_MAGIC && s->psk) {
        srv_guard_refuse(c->io.fd, "authentication failed: the server requires --psk");
        srv_conn_close(c);
        return;
    }
    if (c->inlen >= 4 && ctrl_get32(c->in) == CTRL_MAGIC) {
        c->ctrl = true;
        srv_ctrl_input(c);
        return;
    }
    if (c->inlen >= 4 && ctrl_get32(c->in) != CTRL_HELLO_MAGIC) {
        srv_conn_close(c);
        return;
    }
    if (c->inlen < CTRL_HELLO_LEN)
        return;
    uint64_t id;
    uint32_t index;
    pthread_mutex_lock(&s->mu);
    struct srv_test *t = NULL;
    if (ctrl_hello_decode(c->in, c->inlen, &id, &index) == 0)
        t = srv_test_find(s, id);
    if (!t || t->ending || index >= t->req.conns || t->req.proto != PROTO_TCP) {
        pthread_mutex_unlock(&s->mu);
        srv_conn_close(c);
        return;
    }
    int fd = c->io.fd;
    struct srv_thread *th = c->th;
    conn_unlink(c);
    free(c);
    srv_attach(th, t, fd, index, false);
    pthread_mutex_unlock(&s->mu);
    maybe_thread_exit(th);
}

static void conn_cb(struct loop *l, struct loop_io *io, uint32_t events)
{
    (void)l;
    (void)events;
    struct srv_conn *c = io->arg;
    if (c->ctrl)
        srv_ctrl_input(c);
    else if (c->auth_started)
        srv_auth_input(c);
    else
        conn_pending(c);
}

static void accept_cb(struct loop *l, struct loop_io *io, uint32_t events)
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
            spawn_conn_thread(th->srv, fd);
        else
            conn_new(th, fd);
    }
}

/* --- slots and endpoints ------------------------------------------------ */

static void slot_ep_closed(struct ep *ep);

static void stall_hook(struct wctx *w)
{
    struct srv_slot *slot = w->owner;
    struct srv_test *t = slot->t;
    uint64_t at = atomic_load_explicit(&t->stall_at, memory_order_relaxed);
    if (!at || clock_now_ns() < at || atomic_exchange(&t->stalled, 1))
        return;
    uint64_t ns = t->req.stall_ns;
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

struct srv_slot *srv_slot_get(struct srv_thread *th, struct srv_test *t)
{
    for (struct srv_slot *sl = th->slots; sl; sl = sl->next)
        if (sl->t == t)
            return sl;
    struct srv_slot *sl = calloc(1, sizeof(*sl));
    if (!sl || stats_init(&sl->st) != 0) {
        free(sl);
        return NULL;
    }
    sl->t = t;
    sl->th = th;
    struct wctx *w = &sl->w;
    w->loop = th->loop;
    w->req = &t->req;
    w->server = true;
    w->st = &sl->st;
    w->phase = &t->phase;
    w->origin_ns = clock_now_ns();
    w->test_id = t->id;
    w->nports = t->nports;
    w->rxbuf = th->rxbuf;
    w->rxcap = SRV_RXBUF;
    w->ub = th->ub;
    w->eps = t->req.conns / (th->srv->nth ? th->srv->nth : 1) + 1;
    w->closed = slot_ep_closed;
    w->on_request = t->req.stall_ns ? stall_hook : NULL;
    w->owner = sl;
    sl->next = th->slots;
    th->slots = sl;
    t->refs++;
    t->live_slots++;
    return sl;
}

int srv_attach(struct srv_thread *th, struct srv_test *t, int fd, uint32_t index, bool udp)
{
    struct srv_slot *sl = srv_slot_get(th, t);
    struct ep *ep = sl ? calloc(1, sizeof(*ep)) : NULL;
    if (!ep) {
        close(fd);
        if (!udp)
            srv_guard_closed(th->srv);
        return -1;
    }
    ep_setup(ep, &sl->w, udp ? &drv_udp : &drv_tcp, fd, index, ep_roles(&t->req, true));
    if (!udp && t->req.mode != MODE_STREAM)
        net_set_nodelay(fd);
    ep->next = sl->eps;
    if (sl->eps)
        sl->eps->prev = ep;
    sl->eps = ep;
    if (ep->drv->init(ep) != 0 || ep->drv->start(ep) != 0) {
        sl->st.err[ERRC_OTHER]++;
        ep->drv->finish(ep);
        return -1;
    }
    return 0;
}

/* Hands a slot's counters to its test, once. Under srv->mu. */
void srv_slot_merge(struct srv_slot *sl)
{
    struct srv_test *t = sl->t;
    struct srv_thread *th = sl->th;
    sl->merged = true; /* the closed hook must not merge again */
    while (sl->eps)
        sl->eps->drv->finish(sl->eps);
    stats_fold_interval(&sl->st);
    stats_add(&t->total, &sl->st);
    for (struct srv_slot **pp = &th->slots; *pp; pp = &(*pp)->next)
        if (*pp == sl) {
            *pp = sl->next;
            break;
        }
    stats_close(&sl->st);
    free(sl);
    if (--t->live_slots == 0 && t->ctrl_th)
        loop_wake(t->ctrl_th->loop);
    srv_test_unref(th->srv, t);
}

static void slot_ep_closed(struct ep *ep)
{
    struct srv_slot *sl = ep->w->owner;
    if (ep->drv == &drv_tcp)
        srv_guard_closed(sl->th->srv);
    if (ep->prev)
        ep->prev->next = ep->next;
    else
        sl->eps = ep->next;
    if (ep->next)
        ep->next->prev = ep->prev;
    free(ep);
    /* With a thread per connection the slot is the connection's: done. */
    if (!sl->merged && !sl->eps && sl->th->srv->cfg.model_threads) {
        struct srv_thread *th = sl->th;
        pthread_mutex_lock(&th->srv->mu);
        srv_slot_merge(sl);
        pthread_mutex_unlock(&th->srv->mu);
        maybe_thread_exit(th);
    }
}

/* --- threads ------------------------------------------------------------ */

static int thread_setup(struct srv *s, struct srv_thread *th, uint32_t idx, bool listen, char *err,
                        size_t errlen)
{
    th->srv = s;
    th->idx = idx;
    th->lfd = -1;
    th->loop = loop_new(err, errlen);
    th->rxbuf = malloc(SRV_RXBUF);
    th->ub = calloc(1, sizeof(*th->ub));
    if (!th->loop || !th->rxbuf || !th->ub) {
        snprintf(err, errlen, "server: out of memory");
        return -1;
    }
    loop_on_wake(th->loop, wake_cb, th);
    if (!listen)
        return 0;
    th->lfd = net_listen(&s->addr, SOCK_STREAM, !s->cfg.model_threads, err, errlen);
    if (th->lfd < 0)
        return -1;
    th->lio = (struct loop_io){.fd = th->lfd, .fn = accept_cb, .arg = th};
    return loop_add(th->loop, &th->lio, EPOLLIN);
}

static void thread_teardown(struct srv_thread *th)
{
    struct srv *s = th->srv;
    if (!th->loop)
        return;
    while (th->conns)
        srv_conn_close(th->conns);
    pthread_mutex_lock(&s->mu);
    while (th->slots)
        srv_slot_merge(th->slots);
    pthread_mutex_unlock(&s->mu);
    if (th->lfd >= 0)
        close(th->lfd);
    loop_free(th->loop);
    free(th->rxbuf);
    free(th->ub);
    th->loop = NULL;
}

static void *thread_main(void *arg)
{
    struct srv_thread *th = arg;
    loop_run(th->loop);
    if (th->srv->cfg.model_threads && th->lfd < 0) {
        /* A connection's own thread cleans up after itself. */
        struct srv *s = th->srv;
        while (th->conns)
            srv_conn_close(th->conns);
        pthread_mutex_lock(&s->mu);
        while (th->slots)
            srv_slot_merge(th->slots);
        pthread_mutex_unlock(&s->mu);
        atomic_store(&th->done, true);
    }
    return NULL;
}

/* Joins connection threads that have ended. */
static void reap_threads(struct srv *s, bool all)
{
    for (;;) {
        struct srv_thread *th = NULL;
        pthread_mutex_lock(&s->mu);
        for (struct srv_thread **pp = &s->conn_threads; *pp; pp = &(*pp)->next)
            if (all || atomic_load(&(*pp)->done)) {
                th = *pp;
                *pp = th->next;
                break;
            }
        pthread_mutex_unlock(&s->mu);
        if (!th)
            return;
        if (all)
            loop_wake(th->loop);
        if (th->started)
            pthread_join(th->th, NULL);
        thread_teardown(th);
        free(th);
    }
}

static uint32_t next_thread_idx(struct srv *s)
{
    static _Atomic uint32_t counter;
    return s->nth + atomic_fetch_add(&counter, 1);
}

int srv_spawn(struct srv *s, int fd, struct srv_test *udp_test, uint32_t udp_i)
{
    char err[128];
    reap_threads(s, false);
    struct srv_thread *th = calloc(1, sizeof(*th));
    if (!th || thread_setup(s, th, next_thread_idx(s), false, err, sizeof(err)) != 0) {
        if (th && th->loop)
            thread_teardown(th);
        free(th);
        if (fd >= 0) {
            close(fd);
            srv_guard_closed(s);
        }
        if (udp_test) {
            pthread_mutex_lock(&s->mu);
            srv_test_unref(s, udp_test);
            pthread_mutex_unlock(&s->mu);
        }
        return -1;
    }
    if (fd >= 0)
        conn_new(th, fd);
    th->udp_test = udp_test;
    th->udp_i = udp_i;
    if (udp_test)
        loop_wake(th->loop); /* picks the socket up in its first chores */
    pthread_mutex_lock(&s->mu);
    th->next = s->conn_threads;
    s->conn_threads = th;
    pthread_mutex_unlock(&s->mu);
    if (pthread_create(&th->th, NULL, thread_main, th) != 0) {
        atomic_store(&th->done, true); /* reaped without a join */
        return -1;
    }
    th->started = true;
    return 0;
}

static void spawn_conn_thread(struct srv *s, int fd)
{
    srv_spawn(s, fd, NULL, 0);
}

void srv_wake_all(struct srv *s)
{
    for (uint32_t i = 0; i < s->nth; i++)
        loop_wake(s->th[i].loop);
    pthread_mutex_lock(&s->mu);
    for (struct srv_thread *th = s->conn_threads; th; th = th->next)
        loop_wake(th->loop);
    pthread_mutex_unlock(&s->mu);
}

struct server *server_start(const struct server_config *c, char *bound, size_t boundlen, char *err,
                            size_t errlen)
{
    struct srv *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "server: out of memory");
        return NULL;
    }
    s->cfg = *c;
    pthread_mutex_init(&s->mu, NULL);
    if (net_parse_addr(c->listen, 7878, &s->addr, err, errlen) != 0 ||
        srv_auth_setup(s, err, errlen) != 0)
        goto fail;
    s->nth = c->model_threads ? 1 : (c->threads ? c->threads : 1);
    s->th = calloc(s->nth, sizeof(*s->th));
    if (!s->th)
        goto fail;
    for (uint32_t i = 0; i < s->nth; i++) {
        if (thread_setup(s, &s->th[i], i, true, err, errlen) != 0)
            goto fail;
        if (i == 0 && net_local_addr(s->th[0].lfd, &s->addr) != 0)
            goto fail; /* port 0: the others join the port the kernel chose */
    }
    net_format_addr(&s->addr, bound, boundlen);
    for (uint32_t i = 0; i < s->nth; i++) {
        if (pthread_create(&s->th[i].th, NULL, thread_main, &s->th[i]) != 0) {
            snprintf(err, errlen, "server: cannot start threads");
            goto fail;
        }
        s->th[i].started = true;
    }
    return (struct server *)s;
fail:
    server_stop((struct server *)s);
    return NULL;
}

void server_stop(struct server *srv)
{
    struct srv *s = (struct srv *)srv;
    if (!s)
        return;
    atomic_store(&s->stopping, true);
    for (uint32_t i = 0; s->th && i < s->nth; i++) {
        if (s->th[i].started) {
            loop_wake(s->th[i].loop);
            pthread_join(s->th[i].th, NULL);
        }
    }
    reap_threads(s, true);
    for (uint32_t i = 0; s->th && i < s->nth; i++)
        if (s->th[i].loop)
            thread_teardown(&s->th[i]);
    pthread_mutex_lock(&s->mu);
    while (s->tests) {
        s->tests->refs = 1; /* every thread is gone: nobody else holds it */
        srv_test_unref(s, s->tests);
    }
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_destroy(&s->mu);
    auth_key_wipe(s->psk);
    free(s->psk);
    free(s->th);
    free(s);
}
