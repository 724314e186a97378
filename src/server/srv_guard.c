/* The server's guard over its connections: how many may be open, how long
 * a peer may take to say what it wants, how long a test may overrun, and
 * what happens when descriptors run out. A peer that is slow, silent,
 * half-open or gone is cut off by a timer, never waited for. */
#include <errno.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "server_int.h"

/* How long accepting rests when the process is out of descriptors. */
#define GUARD_ACCEPT_PAUSE_NS (100ull * 1000000ull)

void srv_guard_refuse(int fd, const char *msg)
{
    struct ctrl_msg m = {.type = CTRL_ERROR};
    uint8_t buf[512];
    snprintf(m.u.error, sizeof(m.u.error), "%s", msg);
    size_t n = ctrl_encode(&m, buf, sizeof(buf));
    /* A peer that does not read must not hold the thread: one try. */
    if (n > 0 && send(fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
        return;
    /* Closing with unread input would send a reset, which may destroy the
     * message on its way: take what has arrived (a few KiB at most). */
    for (int i = 0; i < 4 && recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0; i++)
        ;
}

bool srv_guard_admit(struct srv_thread *th, int fd)
{
    struct srv *s = th->srv;
    uint32_t open = atomic_fetch_add(&s->nconns, 1);
    if (server_limits_admit_conn(&s->cfg.lim, open))
        return true;
    atomic_fetch_sub(&s->nconns, 1);
    char msg[128];
    snprintf(msg, sizeof(msg), "server busy: %u connections open (--max-conns %u)", open,
             s->cfg.lim.max_conns);
    srv_guard_refuse(fd, msg);
    close(fd);
    return false;
}

void srv_guard_closed(struct srv *s)
{
    atomic_fetch_sub(&s->nconns, 1);
}

static void accept_resume(struct loop *l, struct loop_timer *t)
{
    struct srv_thread *th = t->arg;
    loop_mod(l, &th->lio, EPOLLIN);
}

void srv_guard_accept_failed(struct srv_thread *th, int e)
{
    if (e != EMFILE && e != ENFILE && e != ENOBUFS && e != ENOMEM)
        return;
    /* The listening socket stays readable while the backlog is full, so
     * the loop would spin on it; stop listening for a moment instead. */
    loop_mod(th->loop, &th->lio, 0);
    th->accept_pause.fn = accept_resume;
    th->accept_pause.arg = th;
    loop_timer_set(th->loop, &th->accept_pause, clock_now_ns() + GUARD_ACCEPT_PAUSE_NS);
}

enum srv_verdict srv_guard_expired(struct srv_conn *c)
{
    const struct server_limits *lim = &c->th->srv->cfg.lim;
    char msg[200];
    if (!c->test)
        snprintf(msg, sizeof(msg), "timeout: no complete request within %.3g s (--hello-timeout)",
                 (double)lim->hello_timeout_ns / 1e9);
    else if (!c->result_sent)
        snprintf(msg, sizeof(msg),
                 "test ended by the server: it ran %.3g s past its planned end (--grace)",
                 (double)lim->grace_ns / 1e9);
    else
        msg[0] = '\0'; /* the result went out; the client just did not close */
    if (msg[0])
        srv_guard_refuse(c->io.fd, msg);
    return SRV_CLOSE;
}

/* The timer is the connection owner's (its callback asks
 * srv_guard_expired, then acts); the guard only sets when it fires. */
static void guard_arm(struct srv_conn *c, uint64_t when_ns)
{
    loop_timer_set(c->th->loop, &c->guard, when_ns);
}

void srv_guard_conn_open(struct srv_conn *c)
{
    guard_arm(c, clock_now_ns() + c->th->srv->cfg.lim.hello_timeout_ns);
}

void srv_guard_test_started(struct srv_conn *c)
{
    const struct ctrl_request *q = &c->test->req;
    uint64_t run = q->duration_ns + q->stall_ns; /* both checked against the limits */
    guard_arm(c,
              server_limits_test_deadline(&c->th->srv->cfg.lim, clock_now_ns(), q->warmup_ns, run));
}

void srv_guard_result_sent(struct srv_conn *c)
{
    guard_arm(c, clock_now_ns() + c->th->srv->cfg.lim.idle_timeout_ns);
}

static void deadline_fire(struct loop *l, struct loop_timer *t)
{
    struct srv_deadline *d = t->arg;
    uint64_t until = d->last_ns ? d->last_ns + d->idle_ns : 0;
    if (until > clock_now_ns()) {
        loop_timer_set(l, t, until);
        return;
    }
    d->expire(d->arg);
}

void srv_deadline_start(struct srv_deadline *d, struct srv_thread *th, void (*expire)(void *arg),
                        void *arg)
{
    const struct server_limits *lim = &th->srv->cfg.lim;
    d->loop = th->loop;
    d->last_ns = 0;
    d->idle_ns = lim->idle_timeout_ns;
    d->expire = expire;
    d->arg = arg;
    d->t.fn = deadline_fire;
    d->t.arg = d;
    loop_timer_set(d->loop, &d->t, clock_now_ns() + lim->hello_timeout_ns);
}

void srv_deadline_progress(struct srv_deadline *d)
{
    d->last_ns = clock_now_ns();
}

void srv_deadline_stop(struct srv_deadline *d)
{
    if (d->loop)
        loop_timer_cancel(d->loop, &d->t);
}
