/* The receiving end's intervals on the server. A client that sends a
 * stream sees only what it wrote; what arrived, interval by interval, is
 * counted here: each slot closes an interval on its own thread's timer at
 * the boundaries the client asked for (window start + k * interval), and
 * the test adds the slots' intervals by index when they hand in their
 * counters. Nothing is shared while running: one copy of the counters and
 * the histogram per interval, per slot. */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "net.h"
#include "server_int.h"

#define IV_FRAME_MAX (512u * 1024u) /* item bytes per INTERVALS frame */

static bool wants(const struct srv_session *t)
{
    return (t->req.flags & CTRL_F_INTERVALS) && t->req.interval_ns &&
           (ep_roles(&t->req, true) & EP_RECV);
}

/* Appends [iv->t0_ns, t1] with what the slot counted since; the open
 * interval starts again at t1. Returns the new interval or NULL. */
static struct srv_iv *close_open(struct srv_slot *sl, uint64_t t1)
{
    struct srv_ivs *s = &sl->iv;
    struct srv_iv *grown = realloc(s->v, (s->n + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    s->v = grown;
    struct srv_iv *iv = &s->v[s->n];
    if (hist_init_default(&iv->lat) != 0)
        return NULL;
    s->n++;
    iv->t0_ns = s->t0_ns;
    iv->t1_ns = t1;
    iv->rx_bytes = sl->st.rx_bytes - s->rx_bytes;
    iv->rx_msgs = sl->st.rx_msgs - s->rx_msgs;
    hist_add(&iv->lat, &sl->st.lat);
    stats_fold_interval(&sl->st);
    s->t0_ns = t1;
    s->rx_bytes = sl->st.rx_bytes;
    s->rx_msgs = sl->st.rx_msgs;
    return iv;
}

/* The next boundary, or 0 when it would leave less than half an interval
 * before the planned end: the last interval then runs to the end instead
 * of ending in a sliver. */
static uint64_t next_boundary(const struct srv_slot *sl)
{
    const struct ctrl_request *q = &sl->t->req;
    uint64_t next = sl->iv.origin_ns + (sl->iv.n + 1) * q->interval_ns;
    if (!q->count && next + q->interval_ns / 2 > sl->iv.origin_ns + q->duration_ns)
        return 0;
    return next;
}

static void on_timer(struct loop *l, struct loop_timer *tm)
{
    struct srv_slot *sl = tm->arg;
    if (atomic_load(&sl->t->phase) != CTRL_PHASE_MEASURE)
        return; /* ended: the rest is the last interval (srv_iv_merge) */
    close_open(sl, clock_now_ns());
    uint64_t next = next_boundary(sl);
    if (next)
        loop_timer_set(l, tm, next);
}

void srv_iv_arm(struct srv_slot *sl)
{
    struct srv_session *t = sl->t;
    if (sl->iv.started || !wants(t) || !t->mark_start_ns || t->mark_end_ns ||
        atomic_load(&t->phase) != CTRL_PHASE_MEASURE)
        return;
    sl->iv.started = true;
    sl->iv.origin_ns = sl->iv.t0_ns = t->mark_start_ns;
    /* The slot counts only in the window, so all it has counted is the
     * window's, also what it read between the mark and this arming (its
     * thread woken late): the first interval starts from zero, not from
     * the counters as they stand now, or the intervals miss those. */
    sl->iv.rx_bytes = 0;
    sl->iv.rx_msgs = 0;
    sl->iv.timer.fn = on_timer;
    sl->iv.timer.arg = sl;
    uint64_t next = next_boundary(sl);
    if (next)
        loop_timer_set(sl->th->loop, &sl->iv.timer, next);
}

/* Adds interval src into the test's interval k. */
static int add_to_test(struct srv_session *t, size_t k, const struct srv_iv *src)
{
    if (k >= t->nivs) {
        struct srv_iv *grown = realloc(t->ivs, (k + 1) * sizeof(*grown));
        if (!grown)
            return -1;
        t->ivs = grown;
        for (size_t i = t->nivs; i <= k; i++) {
            memset(&t->ivs[i], 0, sizeof(t->ivs[i]));
            if (hist_init_default(&t->ivs[i].lat) != 0)
                return -1;
            t->nivs = i + 1;
        }
    }
    struct srv_iv *d = &t->ivs[k];
    bool fresh = d->t1_ns == 0;
    d->t0_ns = fresh || src->t0_ns < d->t0_ns ? src->t0_ns : d->t0_ns;
    d->t1_ns = src->t1_ns > d->t1_ns ? src->t1_ns : d->t1_ns;
    d->rx_bytes += src->rx_bytes;
    d->rx_msgs += src->rx_msgs;
    return hist_add(&d->lat, &src->lat);
}

void srv_iv_merge(struct srv_slot *sl)
{
    struct srv_ivs *s = &sl->iv;
    struct srv_session *t = sl->t;
    loop_timer_cancel(sl->th->loop, &s->timer);
    if (s->started) {
        uint64_t end = t->mark_end_ns ? t->mark_end_ns : clock_now_ns();
        if (end < s->t0_ns)
            end = s->t0_ns;
        struct srv_iv *last = s->n ? &s->v[s->n - 1] : NULL;
        if (last && end - s->t0_ns < t->req.interval_ns / 2) {
            /* A sliver after the last boundary belongs to the interval
             * before it (a late timer, a window a little longer). */
            last->t1_ns = end;
            last->rx_bytes += sl->st.rx_bytes - s->rx_bytes;
            last->rx_msgs += sl->st.rx_msgs - s->rx_msgs;
            hist_add(&last->lat, &sl->st.lat);
            stats_fold_interval(&sl->st);
        } else {
            close_open(sl, end);
        }
    }
    for (size_t k = 0; k < s->n; k++) {
        add_to_test(t, k, &s->v[k]);
        hist_close(&s->v[k].lat);
    }
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

static int send_frame(int fd, uint8_t *buf, size_t cap, size_t items, uint32_t first, uint16_t n,
                      bool last, uint64_t deadline_ns)
{
    struct ctrl_msg m = {.type = CTRL_INTERVALS};
    m.u.ivs.last = last;
    m.u.ivs.first = first;
    m.u.ivs.n = n;
    m.u.ivs.items = buf + cap; /* the items sit after the frame's room */
    m.u.ivs.len = items;
    size_t len = ctrl_encode(&m, buf, cap);
    return len ? net_send_all(fd, buf, len, deadline_ns) : -1;
}

int srv_iv_send(int fd, const struct srv_session *t, uint64_t deadline_ns)
{
    if (!(t->req.flags & CTRL_F_INTERVALS))
        return 0;
    /* One buffer: the frame is built in front, the items gathered
     * behind; ctrl_encode copies them forward. */
    const size_t room = IV_FRAME_MAX + 64;
    uint8_t *buf = malloc(2 * room);
    if (!buf)
        return -1;
    size_t items = 0;
    uint32_t first = 0;
    uint16_t n = 0;
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < t->nivs; k++) {
        const struct srv_iv *iv = &t->ivs[k];
        uint8_t *h = NULL;
        size_t hlen = 0;
        if (iv->lat.total_count > 0 && hist_encode_compressed(&iv->lat, &h, &hlen) != 0)
            hlen = 0;
        uint64_t base = t->mark_start_ns;
        struct ctrl_iv c = {.t0_ns = iv->t0_ns > base ? iv->t0_ns - base : 0,
                            .t1_ns = iv->t1_ns > base ? iv->t1_ns - base : 0,
                            .rx_bytes = iv->rx_bytes,
                            .rx_msgs = iv->rx_msgs,
                            .hist_len = (uint32_t)hlen,
                            .hist = h};
        if (c.t1_ns < c.t0_ns)
            c.t1_ns = c.t0_ns;
        size_t len = ctrl_iv_put(&c, buf + room + items, IV_FRAME_MAX - items);
        if ((len == 0 || n == UINT16_MAX) && n > 0) { /* full: send, start again */
            rc = send_frame(fd, buf, room, items, first, n, false, deadline_ns);
            first += n;
            items = n = 0;
            len = ctrl_iv_put(&c, buf + room, IV_FRAME_MAX);
        }
        free(h);
        if (len == 0) {
            rc = -1;
            break;
        }
        items += len;
        n++;
    }
    if (rc == 0)
        rc = send_frame(fd, buf, room, items, first, n, true, deadline_ns);
    free(buf);
    return rc;
}

void srv_iv_free(struct srv_session *t)
{
    for (size_t k = 0; k < t->nivs; k++)
        hist_close(&t->ivs[k].lat);
    free(t->ivs);
    t->ivs = NULL;
    t->nivs = 0;
}
