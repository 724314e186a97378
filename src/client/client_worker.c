/* A client worker thread: opens its share of the connections (or UDP
 * flows), then runs them on its own loop on the schedule client_run set:
 * start, warm-up, measuring, drain. Intervals are handed to client_run's
 * thread through a small ring, so nothing is shared while running. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "client_int.h"
#include "transport_tls.h"

#define RXBUF_LEN (256u * 1024u)
#define CTRL_TIMEOUT_NS (3ull * 1000000000ull)

/* Tells client_run's thread that a worker has news (an interval, the
 * end): its eventfd, or nothing when it could not make one (it polls). */
static void wake_supervisor(struct client *cl)
{
    uint64_t one = 1;
    if (cl->wake_fd < 0)
        return;
    ssize_t r = write(cl->wake_fd, &one, sizeof(one));
    (void)r; /* a full counter already means "woken" */
}

static void wk_ep_closed(struct ep *ep)
{
    struct cworker *wk = ep->w->owner;
    if (--wk->nopen == 0)
        loop_stop(wk->loop);
}

/* Deferred to a timer: the endpoint that used up its quota is inside
 * its own I/O handler right now. */
static void wk_quota_done(struct ep *ep)
{
    struct cworker *wk = ep->w->owner;
    if (--wk->quota_left == 0)
        loop_timer_set(wk->loop, &wk->t_end, clock_now_ns());
}

/* Hands the interval that ends at t1 to client_run's thread. If that
 * thread is behind by a whole ring, the interval stays open and is handed
 * over, longer, next time. */
static void publish(struct cworker *wk, uint64_t t1)
{
    uint64_t k = wk->iv_k;
    if (k - atomic_load_explicit(&wk->consumed, memory_order_acquire) >= CLIENT_IV_RING)
        return;
    struct civ_slot *sl = &wk->ring[k % CLIENT_IV_RING];
    const struct stats *s = &wk->st;
    bool rr = wk->cl->req.mode != MODE_STREAM;
    uint64_t msgs = rr ? s->txn : s->rx_msgs; /* a stream's: what arrived here */
    sl->t0_ns = wk->iv_t0;
    sl->t1_ns = t1;
    sl->rx_bytes = s->rx_bytes - wk->iv_rx;
    sl->tx_bytes = s->tx_bytes - wk->iv_tx;
    sl->msgs = msgs - wk->iv_msgs;
    uint64_t errs = 0;
    for (int c = 0; c < ERRC_COUNT; c++)
        errs += s->err[c];
    sl->errors = errs - wk->iv_err;
    wk->iv_err = errs;
    hist_reset(&sl->lat);
    hist_add(&sl->lat, &s->lat);
    stats_fold_interval(&wk->st);
    wk->iv_rx = s->rx_bytes;
    wk->iv_tx = s->tx_bytes;
    wk->iv_msgs = msgs;
    wk->iv_t0 = t1;
    wk->iv_k = k + 1;
    atomic_store_explicit(&wk->published, k + 1, memory_order_release);
    wake_supervisor(wk->cl);
}

/* The window's last interval, ending with the window, once the worker is
 * done; client_run's thread consumes until every worker has finished, so
 * waiting for room in the ring is short (and bounded). */
static void publish_last(struct cworker *wk)
{
    if (!wk->iv_last)
        return;
    wk->iv_last = false;
    for (int tries = 0; tries < 1000; tries++) {
        if (wk->iv_k - atomic_load_explicit(&wk->consumed, memory_order_acquire) < CLIENT_IV_RING) {
            publish(wk, wk->t_done_ns);
            return;
        }
        wake_supervisor(wk->cl);
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

/* The CPU time of the calling thread: a worker's own, whatever else runs
 * in the process (an embedded server, other tests). */
static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void on_measure(struct loop *l, struct loop_timer *t)
{
    (void)l;
    struct cworker *wk = t->arg;
    if (atomic_load(&wk->phase) != CTRL_PHASE_WARMUP || atomic_load(&wk->cl->hold))
        return;                               /* a held window opens when client_run releases it */
    if (clock_now_ns() < wk->cl->t_measure) { /* released, to a later time */
        loop_timer_set(wk->loop, &wk->t_measure, wk->cl->t_measure);
        return;
    }
    atomic_store(&wk->phase, CTRL_PHASE_MEASURE);
    wk->cpu0_ns = thread_cpu_ns();
    wk->iv_t0 = wk->cl->t_measure; /* the row's window starts there, late timer or not */
    if (wk->cl->iv_ns)
        loop_timer_set(wk->loop, &wk->t_iv, wk->cl->t_measure + wk->cl->iv_ns);
}

static void on_start(struct loop *l, struct loop_timer *t)
{
    struct cworker *wk = t->arg;
    if (clock_now_ns() >= wk->cl->t_measure)
        on_measure(l, &wk->t_measure);
    for (uint32_t i = 0; i < wk->neps; i++) {
        struct ep *ep = &wk->eps[i];
        if (ep->state == EP_IDLE && ep->drv->start(ep) != 0) {
            wk->st.err[ERRC_OTHER]++;
            ep->drv->finish(ep);
        }
    }
}

static void on_interval(struct loop *l, struct loop_timer *t)
{
    (void)l;
    struct cworker *wk = t->arg;
    uint64_t now = clock_now_ns();
    publish(wk, now);
    const struct client *cl = wk->cl;
    uint64_t next = cl->t_measure + (wk->iv_k + 1) * cl->iv_ns;
    if (next <= now)
        next = now + cl->iv_ns;
    /* Less than half an interval before the end: the last interval runs
     * to the end (on_end) instead of ending in a sliver of nothing. */
    if (!cl->cfg->count && next + cl->iv_ns / 2 > cl->t_end)
        return;
    loop_timer_set(wk->loop, &wk->t_iv, next);
}

static void on_give_up(struct loop *l, struct loop_timer *t)
{
    (void)l;
    struct cworker *wk = t->arg;
    for (uint32_t i = 0; i < wk->neps; i++) {
        struct ep *ep = &wk->eps[i];
        if (ep->state == EP_CLOSED)
            continue;
        if (ep->ring_n > 0)
            wk->st.err[ERRC_TIMEOUT]++;
        ep->drv->finish(ep);
    }
}

static void on_end(struct loop *l, struct loop_timer *t)
{
    (void)l;
    struct cworker *wk = t->arg;
    if (atomic_load(&wk->ended))
        return;
    uint64_t now = clock_now_ns();
    /* The last interval closes when the worker is done: answers to
     * requests sent in the window still count (as in the row). */
    wk->iv_last = atomic_load(&wk->phase) == CTRL_PHASE_MEASURE && wk->cl->iv_ns;
    atomic_store(&wk->phase, CTRL_PHASE_DONE);
    wk->t_done_ns = now;
    wk->cpu1_ns = thread_cpu_ns();
    atomic_store(&wk->ended, true);
    wake_supervisor(wk->cl);
    loop_timer_cancel(wk->loop, &wk->t_iv);
    loop_timer_cancel(wk->loop, &wk->t_start);
    uint64_t grace = wk->cl->req.timeout_ns + 1000000000ull;
    loop_timer_set(wk->loop, &wk->t_give_up, now + grace);
    for (uint32_t i = 0; i < wk->neps; i++) {
        struct ep *ep = &wk->eps[i];
        if (ep->state == EP_IDLE)
            ep->drv->finish(ep);
        else if (ep->state != EP_CLOSED)
            ep->drv->drain(ep);
    }
}

static void on_wake(struct loop *l, void *arg)
{
    struct cworker *wk = arg;
    if (atomic_load(&wk->cl->stop_now))
        on_end(l, &wk->t_end);
    else
        client_settle_release(wk);
}

void client_worker_stop(struct cworker *wk)
{
    loop_wake(wk->loop);
}

/* UDP: says hello until the server echoes it (it learns the flow's
 * address that way). Returns 0 or -1. */
static int udp_hello(int fd, uint64_t id, uint32_t index)
{
    uint8_t h[CTRL_HELLO_LEN], r[CTRL_HELLO_LEN + 1];
    ctrl_hello_encode(h, id, index);
    for (int tries = 0; tries < 10; tries++) {
        if (send(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) && errno != EAGAIN)
            return -1;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        while (poll(&p, 1, 200) > 0) {
            ssize_t n = recv(fd, r, sizeof(r), 0);
            if (n == (ssize_t)sizeof(h) && memcmp(r, h, sizeof(h)) == 0)
                return 0;
            if (n < 0 && errno != EAGAIN)
                return -1;
        }
    }
    errno = ETIMEDOUT;
    return -1;
}

/* Opens data socket number i (not for crr: that connects per
 * transaction). Returns the fd or -1 with a message. */
static int open_data(struct cworker *wk, uint32_t i, char *err, size_t errlen)
{
    struct client *cl = wk->cl;
    struct net_addr a = cl->addr;
    bool udp = cl->req.proto == PROTO_UDP;
    if (udp && !wk->w.echo)
        net_addr_set_port(&a, cl->ports[i % cl->nports]);
    int fd = net_connect_wait(&a, udp ? SOCK_DGRAM : SOCK_STREAM, &cl->tune, CTRL_TIMEOUT_NS, err,
                              errlen);
    if (fd < 0)
        return -1;
    if (udp) {
        net_set_bufs(fd, 4 << 20, 4 << 20);
        if (!wk->w.echo && udp_hello(fd, cl->test_id, i) != 0) {
            snprintf(err, errlen, "UDP flow %u: no answer to hello from the server", i);
            close(fd);
            return -1;
        }
        return fd;
    }
    if (cl->req.mode != MODE_STREAM)
        net_set_nodelay(fd);
    return fd; /* the hello goes first through the transport, at start */
}

static int setup(struct cworker *wk)
{
    struct client *cl = wk->cl;
    const struct ctrl_request *q = &cl->req;
    wk->loop = loop_new(wk->err, sizeof(wk->err));
    wk->rxbuf = malloc(RXBUF_LEN);
    wk->ub = calloc(1, sizeof(*wk->ub));
    uint32_t n = q->conns / cl->nw + (wk->idx < q->conns % cl->nw);
    wk->eps = calloc(n ? n : 1, sizeof(*wk->eps));
    if (!wk->loop || !wk->rxbuf || !wk->ub || !wk->eps || stats_init(&wk->st) != 0)
        return snprintf(wk->err, sizeof(wk->err), "client: out of memory"), -1;
    for (int i = 0; i < CLIENT_IV_RING; i++)
        if (hist_init_default(&wk->ring[i].lat) != 0)
            return snprintf(wk->err, sizeof(wk->err), "client: out of memory"), -1;
    loop_set_busy_poll(wk->loop, (uint64_t)cl->cfg->busy_poll_us * 1000u);
    loop_set_coalesce(wk->loop, http_coalesce_ns(cl->cfg, n));
    struct wctx *w = &wk->w;
    *w = (struct wctx){.loop = wk->loop,
                       .req = q,
                       .echo = cl->cfg->echo,
                       .st = &wk->st,
                       .phase = &wk->phase,
                       .test_id = cl->test_id,
                       .peer = &cl->addr,
                       .tune = &cl->tune,
                       .rxbuf = wk->rxbuf,
                       .rxcap = RXBUF_LEN,
                       .ub = wk->ub,
                       .eps = n,
                       .closed = wk_ep_closed,
                       .quota_done = wk_quota_done,
                       .owner = wk,
                       .tp = cl->tls ? &transport_tls : NULL,
                       .http = cl->http};
    uint32_t role = ep_roles(q, false);
    const struct drv_ops *drv = q->proto == PROTO_UDP ? &drv_udp : &drv_tcp;
    if (cl->http)
        drv = cl->http->ws ? &drv_ws : cl->http->h2.on ? &drv_h2 : &drv_http;
    for (uint32_t j = 0, i = wk->idx; j < n; j++, i += cl->nw) {
        int fd = -1;
        char e[256];
        if (!(role & EP_CRR) && (fd = open_data(wk, i, e, sizeof(e))) < 0) {
            wk->st.err[ERRC_CONNECT]++;
            snprintf(wk->err, sizeof(wk->err), "%s", e);
            continue;
        }
        struct ep *ep = &wk->eps[wk->neps++];
        ep_setup(ep, w, drv, fd, i, role);
        if (drv == &drv_tcp && !(role & EP_CRR) && !w->echo) {
            ctrl_hello_encode(ep->pre, cl->test_id, i);
            ep->pre_len = CTRL_HELLO_LEN;
        }
        if (q->count)
            ep->quota = q->count / q->conns + (i < q->count % q->conns);
        if (drv->init(ep) != 0) {
            close(fd);
            ep->io.fd = -1;
            ep_free_state(ep);
            ep->state = EP_CLOSED;
            return snprintf(wk->err, sizeof(wk->err), "client: out of memory"), -1;
        }
        wk->nopen++;
        if (ep->quota > 0)
            wk->quota_left++;
    }
    if (client_settle_init(wk) != 0)
        return snprintf(wk->err, sizeof(wk->err), "client: out of memory"), -1;
    return wk->nopen > 0 ? 0 : -1;
}

static void arm(struct cworker *wk, struct loop_timer *t,
                void (*fn)(struct loop *, struct loop_timer *), uint64_t when)
{
    t->fn = fn;
    t->arg = wk;
    if (when)
        loop_timer_set(wk->loop, t, when);
}

void *client_worker_main(void *arg)
{
    struct cworker *wk = arg;
    struct client *cl = wk->cl;
    /* Pinned first, so that what setup allocates is near that CPU. */
    wk->rc = cpulist_pin_self(&cl->cpus, wk->idx, false, wk->err, sizeof(wk->err));
    if (wk->rc == 0)
        wk->rc = setup(wk);
    pthread_barrier_wait(&cl->ready);
    pthread_barrier_wait(&cl->go); /* client_run has set the schedule */
    if (wk->rc == 0 && !atomic_load(&cl->stop_now)) {
        wk->w.origin_ns = cl->t_start;
        loop_on_wake(wk->loop, on_wake, wk);
        arm(wk, &wk->t_start, on_start, cl->t_start);
        arm(wk, &wk->t_measure, on_measure, cl->t_measure);
        arm(wk, &wk->t_end, on_end, atomic_load(&cl->hold) ? 0 : cl->t_end);
        client_settle_arm(wk);
        arm(wk, &wk->t_iv, on_interval, 0);
        arm(wk, &wk->t_give_up, on_give_up, 0);
        if (wk->quota_left == 0 && cl->req.count)
            loop_timer_set(wk->loop, &wk->t_end, cl->t_start);
        if (atomic_load(&cl->stop_now))
            loop_wake(wk->loop);
        loop_run(wk->loop);
    }
    for (uint32_t i = 0; i < wk->neps; i++)
        if (wk->eps[i].state != EP_CLOSED)
            wk->eps[i].drv->finish(&wk->eps[i]);
    if (!wk->t_done_ns) {
        wk->t_done_ns = clock_now_ns();
        wk->cpu1_ns = thread_cpu_ns();
    }
    atomic_store(&wk->ended, true);
    publish_last(wk);
    stats_fold_interval(&wk->st);
    atomic_store(&wk->finished, true);
    wake_supervisor(cl);
    return NULL;
}
