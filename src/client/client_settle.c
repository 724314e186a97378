/* The adaptive warm-up of a TCP, TLS or HTTP stream: the measuring window
 * waits until every connection has left its start-up. Slow start ends in
 * a burst of losses at the bottleneck; until their recovery is over the
 * receiver holds data behind a hole, and what it then reads at once had
 * crossed the path before. A window that opens during that recovery
 * counts those bytes in it, and the receiver's goodput beats the link.
 *
 * Each worker looks at its own connections (their owner's thread: no fd
 * is shared) every SETTLE_LOOK_NS from just before the planned window and
 * publishes one flag; client_run's thread opens the window once every
 * flag is up, or at the bound, and hands the new times to the workers
 * through their loops' wake-up. Nothing runs per message. */
#include <stdlib.h>
#include <unistd.h>

#include "clock.h"
#include "client_int.h"

#define SETTLE_LOOK_NS 10000000ull        /* between two looks of a worker */
#define SETTLE_LEAD_NS 5000000ull         /* the first look, before the planned window */
#define SETTLE_EXTRA_MAX_NS 5000000000ull /* at most 5 s more ... */
#define SETTLE_EXTRA_TIMES 3u             /* ... and at most 4x the warm-up in all */

void client_settle_plan(struct client *cl)
{
    const struct ctrl_request *q = &cl->req;
    cl->warmup_ns = q->warmup_ns;
    cl->settle_max_ns = 0;
    bool tcp = cl->http || q->proto == PROTO_TCP || q->proto == PROTO_TLS;
    if (!tcp || q->mode != MODE_STREAM || q->warmup_ns == 0 || cl->cfg->warmup_fixed ||
        cl->cfg->echo)
        return;
    uint64_t extra = q->warmup_ns * SETTLE_EXTRA_TIMES;
    cl->settle_max_ns = extra < SETTLE_EXTRA_MAX_NS ? extra : SETTLE_EXTRA_MAX_NS;
    cl->req.warmup_ns += cl->settle_max_ns; /* the server's deadline allows for it */
    atomic_store(&cl->hold, true);
}

int client_settle_init(struct cworker *wk)
{
    if (!atomic_load(&wk->cl->hold))
        return 0;
    wk->looks = calloc(wk->neps ? wk->neps : 1, sizeof(*wk->looks));
    return wk->looks ? 0 : -1;
}

/* What an endpoint of this test does: sends, receives, or both. */
static void directions(const struct client *cl, const struct ep *ep, bool *sends, bool *recvs)
{
    if (cl->http) {
        *sends = cl->http->body_len > 0;
        *recvs = !cl->http->head_method;
        return;
    }
    *sends = ep->role & EP_SEND;
    *recvs = ep->role & EP_RECV;
}

/* One look at every open connection of the worker: settled when each
 * direction it carries is. */
static bool look(struct cworker *wk, uint64_t now)
{
    bool all = true;
    uint64_t dt_us = wk->look_ns && now > wk->look_ns ? (now - wk->look_ns) / 1000u : 0;
    for (uint32_t i = 0; i < wk->neps; i++) {
        struct ep *ep = &wk->eps[i];
        struct tcp_state s;
        if (ep->state == EP_CLOSED || ep->io.fd < 0 || tcp_state_read(ep->io.fd, &s) != 0)
            continue;
        bool sends, recvs;
        directions(wk->cl, ep, &sends, &recvs);
        if (sends && !tcp_state_sender_settled(dt_us ? &wk->looks[i] : NULL, &s, dt_us))
            all = false;
        if (recvs && !tcp_state_receiver_settled(&s))
            all = false;
        wk->looks[i] = s;
    }
    wk->look_ns = now;
    return all;
}

static void on_look(struct loop *l, struct loop_timer *t)
{
    struct cworker *wk = t->arg;
    if (!atomic_load(&wk->cl->hold))
        return;
    uint64_t now = clock_now_ns();
    bool settled = look(wk, now);
    bool was = atomic_exchange(&wk->settled, settled);
    if (settled && !was && wk->cl->wake_fd >= 0) {
        uint64_t one = 1;
        ssize_t r = write(wk->cl->wake_fd, &one, sizeof(one));
        (void)r;
    }
    loop_timer_set(l, t, now + SETTLE_LOOK_NS);
}

void client_settle_arm(struct cworker *wk)
{
    struct client *cl = wk->cl;
    wk->t_look.fn = on_look;
    wk->t_look.arg = wk;
    if (!atomic_load(&cl->hold))
        return;
    uint64_t planned = cl->t_start + cl->warmup_ns;
    uint64_t first =
        planned > cl->t_start + SETTLE_LEAD_NS ? planned - SETTLE_LEAD_NS : cl->t_start;
    loop_timer_set(wk->loop, &wk->t_look, first);
}

void client_settle_release(struct cworker *wk)
{
    if (wk->released || !wk->looks || atomic_load(&wk->cl->hold))
        return;
    wk->released = true;
    loop_timer_cancel(wk->loop, &wk->t_look);
    /* The planned window's timer may have opened it already, at the
     * released time (on_measure), or the test has stopped. */
    if (atomic_load(&wk->phase) == CTRL_PHASE_DONE)
        return;
    loop_timer_set(wk->loop, &wk->t_measure, wk->cl->t_measure);
    loop_timer_set(wk->loop, &wk->t_end, wk->cl->t_end);
}

/* A worker that does not run (its setup failed) or has stopped waits on
 * nothing. */
static bool all_settled(struct client *cl)
{
    for (uint32_t i = 0; i < cl->nw; i++) {
        struct cworker *wk = &cl->w[i];
        if (wk->rc == 0 && !atomic_load(&wk->ended) && !atomic_load(&wk->settled))
            return false;
    }
    return true;
}

uint64_t client_settle_check(struct client *cl, uint64_t now)
{
    if (!atomic_load(&cl->hold))
        return 0;
    uint64_t planned = cl->t_start + cl->warmup_ns;
    uint64_t bound = planned + cl->settle_max_ns;
    if (now + SETTLE_LEAD_NS / 2 < planned)
        return planned - SETTLE_LEAD_NS / 2;
    bool settled = all_settled(cl);
    if (!settled && now < bound)
        return now + SETTLE_LOOK_NS < bound ? now + SETTLE_LOOK_NS : bound;
    /* A moment ahead, so that the workers' timers open it on time. */
    uint64_t t = now + 1000000u > planned ? now + 1000000u : planned;
    cl->settle_capped = !settled;
    atomic_store(&cl->t_measure, t);
    atomic_store(&cl->t_end, t + cl->req.duration_ns);
    atomic_store(&cl->hold, false);
    for (uint32_t i = 0; i < cl->nw; i++)
        if (cl->w[i].rc == 0)
            loop_wake(cl->w[i].loop);
    return 0;
}
