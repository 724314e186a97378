/* The server's guard over its connections: how many may be open, how long
 * a peer may take to say what it wants, how long a test may overrun, and
 * what happens when descriptors run out. A peer that is slow, silent,
 * half-open or gone is cut off by a timer, never waited for. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bytes.h"
#include "clock.h"
#include "server_int.h"
#include "srv_http.h"

/* How long accepting rests when the process is out of descriptors. */
#define GUARD_ACCEPT_PAUSE_NS (100ull * 1000000ull)
/* How many of the oldest unauthenticated connections making room looks
 * at: an accept round takes up to 64 connections, whose first bytes may
 * all still wait to be read. */
#define GUARD_EVICT_SCAN 64

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
    if (c->evicted && !c->authed)
        snprintf(msg, sizeof(msg),
                 "closed: too many connections have not proved the key (--max-unauth-conns %u); "
                 "this one was the oldest idle",
                 lim->max_unauth_conns);
    else if (c->th->srv->psk && !c->authed && lim->auth_timeout_ns < lim->hello_timeout_ns)
        snprintf(msg, sizeof(msg),
                 "timeout: neither the key proved nor a data hello within %.3g s (--auth-timeout)",
                 (double)lim->auth_timeout_ns / 1e9);
    else if (!c->test)
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

/* --- connections that have not proved the key (--psk) ---------------- */

/* The list of c's thread (epoll model) or of the server (threads model:
 * the oldest may be another thread's), locked in the threads model. */
static struct srv_unauth *unauth_lock(struct srv_thread *th)
{
    struct srv *s = th->srv;
    if (!s->cfg.model_threads)
        return &th->unauth;
    pthread_mutex_lock(&s->unauth_mu);
    return &s->unauth;
}

static void unauth_unlock(struct srv_thread *th)
{
    if (th->srv->cfg.model_threads)
        pthread_mutex_unlock(&th->srv->unauth_mu);
}

/* Takes c off u. Under the list's lock. */
static void unauth_unlink(struct srv_unauth *u, struct srv_conn *c)
{
    if (c->unauth_prev)
        c->unauth_prev->unauth_next = c->unauth_next;
    else
        u->old = c->unauth_next;
    if (c->unauth_next)
        c->unauth_next->unauth_prev = c->unauth_prev;
    else
        u->new = c->unauth_prev;
    c->unauth = false;
    c->unauth_prev = c->unauth_next = NULL;
    atomic_fetch_sub(&c->th->srv->nunauth, 1);
}

void srv_guard_conn_gone(struct srv_conn *c)
{
    struct srv_unauth *u = unauth_lock(c->th);
    if (c->unauth)
        unauth_unlink(u, c);
    unauth_unlock(c->th);
}

static void unauth_push(struct srv_conn *c)
{
    struct srv_unauth *u = unauth_lock(c->th);
    c->unauth = true;
    c->unauth_prev = u->new;
    c->unauth_next = NULL;
    if (u->new)
        u->new->unauth_next = c;
    else
        u->old = c;
    u->new = c;
    unauth_unlock(c->th);
}

/* Makes room by closing the oldest connection that has not proved the
 * key and has nothing to read. One with bytes waiting is about to be
 * served (a data hello of a test's burst, the next step of an exchange):
 * it is passed over. The victim is closed by its own guard timer, which
 * runs after its loop's current round of events (one of which may still
 * name it); until then it is no longer counted. In the threads model the
 * victim is another thread's: its descriptor stays open while it is on
 * the list (its owner takes it off, under the lock, before closing), and
 * its thread is woken to arm the timer (srv_guard_wake). Returns false
 * when none of the oldest GUARD_EVICT_SCAN is idle. */
static bool evict_idle(struct srv_thread *th)
{
    struct srv_unauth *u = unauth_lock(th);
    int n = 0;
    struct srv_conn *v = u->old;
    for (; v && n < GUARD_EVICT_SCAN; v = v->unauth_next, n++) {
        uint8_t b;
        if (recv(v->io.fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) <= 0)
            break;
    }
    if (v && n < GUARD_EVICT_SCAN) {
        unauth_unlink(u, v);
        atomic_fetch_add(&th->srv->unauth_closed, 1);
        if (v->th == th) {
            v->evicted = true;
            guard_arm(v, 0);
        } else {
            atomic_store(&v->evict_req, true);
            loop_wake(v->th->loop);
        }
    }
    unauth_unlock(th);
    return v && n < GUARD_EVICT_SCAN;
}

void srv_guard_wake(struct srv_thread *th)
{
    for (struct srv_conn *c = th->conns; c; c = c->next)
        if (atomic_exchange(&c->evict_req, false) && !c->authed) {
            c->evicted = true;
            guard_arm(c, 0);
        }
}

/* True if c's first read will take it off the count whatever it holds:
 * a whole data hello (it joins its test, or is closed if the test is
 * not live) or the start of HTTP or TLS (handed over, under their own
 * deadlines). A data connection of an authenticated client's burst is
 * never refused for room. */
static bool leaves_at_once(struct srv_conn *c)
{
    uint8_t p[CTRL_HELLO_LEN];
    ssize_t n = recv(c->io.fd, p, sizeof(p), MSG_PEEK | MSG_DONTWAIT);
    if (n < 4)
        return false;
    if (bytes_get32(p) == CTRL_HELLO_MAGIC)
        return n == (ssize_t)sizeof(p);
    enum srv_first k = srv_http_classify(p, (size_t)n);
    return k == SRV_FIRST_HTTP || k == SRV_FIRST_TLS;
}

/* True if c comes from the address of a client that proved the key and
 * has a test running: its data connections arrive all at once and say
 * their hello only when the client has opened them all (10,000 take a
 * while), so they are that test's, not strangers to keep on a leash. */
static bool from_test_peer(struct srv_conn *c)
{
    struct srv *s = c->th->srv;
    char ip[64];
    bool found = false;
    srv_peer_ip(c->io.fd, ip, sizeof(ip));
    pthread_mutex_lock(&s->mu);
    for (struct srv_session *t = s->tests; t && !found; t = t->next)
        found = !t->ending && strcmp(t->peer, ip) == 0;
    pthread_mutex_unlock(&s->mu);
    return found;
}

bool srv_guard_conn_open(struct srv_conn *c)
{
    struct srv *s = c->th->srv;
    const struct server_limits *lim = &s->cfg.lim;
    if (!s->psk || from_test_peer(c)) {
        guard_arm(c, c->opened_ns + lim->hello_timeout_ns);
        return true;
    }
    uint32_t open = atomic_fetch_add(&s->nunauth, 1);
    if (open >= lim->max_unauth_conns && !evict_idle(c->th) && !leaves_at_once(c)) {
        atomic_fetch_sub(&s->nunauth, 1);
        atomic_fetch_add(&s->unauth_closed, 1);
        char msg[160];
        snprintf(msg, sizeof(msg),
                 "server busy: %u connections have not proved the key (--max-unauth-conns %u)",
                 open, lim->max_unauth_conns);
        srv_guard_refuse(c->io.fd, msg);
        return false;
    }
    unauth_push(c);
    guard_arm(c, server_limits_auth_deadline(lim, c->opened_ns));
    return true;
}

void srv_guard_authed(struct srv_conn *c)
{
    srv_guard_conn_gone(c);
    guard_arm(c, c->opened_ns + c->th->srv->cfg.lim.hello_timeout_ns);
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
