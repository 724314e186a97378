/* The netrig server's connections: closing them, a data connection
 * joining its test, and the per-thread slots that count a test's data
 * (accepting and handing a new connection over is srv_accept.c).
 * Two models: --model epoll runs N threads, each with its own loop and
 * listening socket (SO_REUSEPORT); --model threads gives
 * every connection (and every per-test UDP socket) a thread of its own
 * that waits on that one socket. Threads are in srv_thread.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "server_int.h"
#include "transport_tls.h"

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
    srv_guard_conn_gone(c);
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
        srv_session_unref(s, c->test);
        pthread_mutex_unlock(&s->mu);
        srv_wake_all(s);
    }
    free(c);
    srv_thread_maybe_exit(th);
}

int srv_conn_release(struct srv_conn *c)
{
    int fd = c->io.fd;
    conn_unlink(c);
    free(c);
    return fd;
}

int srv_join(struct srv_thread *th, int fd, const uint8_t *hello, size_t len,
             const struct transport *tp, void *tp_ctx)
{
    struct srv *s = th->srv;
    uint64_t id;
    uint32_t index;
    int want = tp ? PROTO_TLS : PROTO_TCP;
    pthread_mutex_lock(&s->mu);
    struct srv_session *t = NULL;
    if (ctrl_hello_decode(hello, len, &id, &index) == 0)
        t = srv_session_find(s, id);
    if (!t || t->ending || index >= t->req.conns || t->req.proto != want) {
        pthread_mutex_unlock(&s->mu);
        if (tp)
            tp->close(tp_ctx);
        close(fd);
        srv_guard_closed(s);
        return -1;
    }
    t->joined++; /* see the data deadline in srv_session.c */
    int rc = srv_attach(th, t, fd, index, false, tp, tp_ctx);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* --- slots and endpoints ------------------------------------------------ */

static void slot_ep_closed(struct ep *ep);

static void stall_hook(struct wctx *w)
{
    struct srv_slot *slot = w->owner;
    struct srv_session *t = slot->t;
    uint64_t at = atomic_load_explicit(&t->stall_at, memory_order_relaxed);
    if (!at || clock_now_ns() < at || atomic_exchange(&t->stalled, 1))
        return;
    uint64_t ns = t->req.stall_ns;
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

struct srv_slot *srv_slot_get(struct srv_thread *th, struct srv_session *t)
{
    for (struct srv_slot *sl = th->slots; sl; sl = sl->next)
        if (sl->t == t)
            return sl;
    struct srv_slot *sl = calloc(1, sizeof(*sl));
    bool timing = ep_roles(&t->req, true) & EP_RECV; /* only receivers time */
    if (!sl || (timing && stats_init(&sl->st) != 0)) {
        free(sl);
        return NULL;
    }
    if (!timing)
        stats_init_counters(&sl->st);
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
    w->peer = &t->ctrl_peer;
    w->nports = t->nports;
    w->rxbuf = th->rxbuf;
    w->rxcap = th->rxcap;
    w->ub = NULL; /* set by srv_attach for UDP: threads allocate it lazily */
    w->eps = t->req.conns / (th->srv->nth ? th->srv->nth : 1) + 1;
    w->closed = slot_ep_closed;
    w->serving = &th->serving;
    w->on_request = t->req.stall_ns ? stall_hook : NULL;
    w->owner = sl;
    sl->next = th->slots;
    th->slots = sl;
    t->refs++;
    t->live_slots++;
    return sl;
}

int srv_attach(struct srv_thread *th, struct srv_session *t, int fd, uint32_t index, bool udp,
               const struct transport *tp, void *tp_ctx)
{
    struct srv_slot *sl = srv_slot_get(th, t);
    struct ep *ep = sl ? calloc(1, sizeof(*ep)) : NULL;
    if (ep && udp && !th->ub)
        th->ub = calloc(1, sizeof(*th->ub));
    if (!ep || (udp && !th->ub)) {
        free(ep);
        if (tp)
            tp->close(tp_ctx);
        close(fd);
        if (!udp)
            srv_guard_closed(th->srv);
        return -1;
    }
    sl->w.ub = th->ub;
    if (t->start_on_attach) { /* under srv->mu, as every caller holds it */
        t->start_on_attach = false;
        t->mark_start_ns = clock_now_ns();
    }
    ep_setup(ep, &sl->w, udp ? &drv_udp : &drv_tcp, fd, index, ep_roles(&t->req, true));
    if (tp) { /* TLS: handshake done and hello read by srv_http */
        ep->tp = tp;
        ep->tp_ctx = tp_ctx;
    }
    if (!udp && t->req.mode != MODE_STREAM)
        net_set_nodelay(fd);
    if (!udp && t->req.cc[0]) { /* checked when the test was asked for */
        struct net_tune tune = {0};
        char why[160];
        memcpy(tune.cc, t->req.cc, sizeof(tune.cc));
        net_tune_apply(fd, &tune, why, sizeof(why));
    }
    /* Before start: a waiting endpoint must see it; one that waits
     * already must share the thread from now on. */
    if (++th->serving > 1)
        loop_end_wait(th->loop);
    ep->next = sl->eps;
    if (sl->eps)
        sl->eps->prev = ep;
    sl->eps = ep;
    srv_iv_arm(sl);
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
    struct srv_session *t = sl->t;
    struct srv_thread *th = sl->th;
    sl->merged = true; /* the closed hook must not merge again */
    while (sl->eps)
        sl->eps->drv->finish(sl->eps);
    srv_iv_merge(sl);
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
    srv_session_unref(th->srv, t);
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
    sl->th->serving--;
    free(ep);
    /* With a thread per connection the slot is the connection's: done. */
    if (!sl->merged && !sl->eps && sl->th->srv->cfg.model_threads) {
        struct srv_thread *th = sl->th;
        pthread_mutex_lock(&th->srv->mu);
        srv_slot_merge(sl);
        pthread_mutex_unlock(&th->srv->mu);
        srv_thread_maybe_exit(th);
    }
}
