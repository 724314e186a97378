/* Tests on the server: the control connection's requests, the test's
 * life (warm-up, measuring, end), and the result sent back. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "server_int.h"

#define CTRL_SEND_TIMEOUT_NS (2ull * 1000000000ull)

/* The CPU time of the server's threads. In the epoll model they live as
 * long as the server and their clocks are read from here, so a client in
 * the same process (netrig run's embedded server) does not count; the
 * threads model's come and go, and the process's time stands in. */
uint64_t srv_cpu_now_ns(const struct srv *s)
{
    uint64_t sum = 0;
    bool all = !s->cfg.model_threads;
    for (uint32_t i = 0; all && i < s->nth; i++) {
        clockid_t id;
        struct timespec ts;
        if (!s->th[i].started || pthread_getcpuclockid(s->th[i].th, &id) != 0 ||
            clock_gettime(id, &ts) != 0)
            all = false;
        else
            sum += (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    }
    if (all)
        return sum;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
           (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
}

struct srv_session *srv_session_find(struct srv *s, uint64_t id)
{
    for (struct srv_session *t = s->tests; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

void srv_session_unref(struct srv *s, struct srv_session *t)
{
    if (--t->refs > 0)
        return;
    for (struct srv_session **pp = &s->tests; *pp; pp = &(*pp)->next)
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    for (uint32_t i = 0; i < t->nports; i++)
        if (!t->udp_attached[i] && t->udp_fd[i] >= 0)
            close(t->udp_fd[i]);
    srv_iv_free(t);
    stats_close(&t->total);
    free(t);
}

static int send_msg(struct srv_conn *c, const struct ctrl_msg *m)
{
    uint8_t buf[1024];
    size_t n = ctrl_encode(m, buf, sizeof(buf));
    if (n == 0)
        return -1;
    return net_send_all(c->io.fd, buf, n, clock_now_ns() + CTRL_SEND_TIMEOUT_NS);
}

static int send_error(struct srv_conn *c, const char *msg)
{
    struct ctrl_msg m = {.type = CTRL_ERROR};
    snprintf(m.u.error, sizeof(m.u.error), "%s", msg);
    return send_msg(c, &m);
}

/* Per-test UDP sockets on the server's address, one per serving thread
 * (at most one per flow). */
static int open_udp(struct srv *s, struct srv_session *t, char *err, size_t errlen)
{
    uint32_t k = s->cfg.model_threads ? t->req.conns : s->nth;
    if (k > t->req.conns)
        k = t->req.conns;
    if (k > CTRL_MAX_PORTS)
        k = CTRL_MAX_PORTS;
    struct net_addr a = s->addr;
    net_addr_set_port(&a, 0);
    for (uint32_t i = 0; i < k; i++) {
        t->udp_fd[i] = net_listen(&a, SOCK_DGRAM, false, err, errlen);
        struct net_addr b;
        if (t->udp_fd[i] < 0 || net_local_addr(t->udp_fd[i], &b) != 0)
            return -1;
        net_set_bufs(t->udp_fd[i], 4 << 20, 4 << 20);
        t->udp_port[i] = net_addr_port(&b);
        t->nports = (uint16_t)(i + 1);
        t->udp_owner[i] = i % s->nth;
    }
    return 0;
}

static struct srv_session *test_new(struct srv_conn *c, const struct ctrl_request *q, char *err,
                                    size_t errlen)
{
    struct srv *s = c->th->srv;
    struct srv_session *t = calloc(1, sizeof(*t));
    if (!t || stats_init(&t->total) != 0) {
        free(t);
        snprintf(err, errlen, "server: out of memory");
        return NULL;
    }
    t->req = *q;
    t->refs = 1;
    t->ctrl_th = c->th;
    t->ctrl_peer.len = sizeof(t->ctrl_peer.ss);
    if (getpeername(c->io.fd, (struct sockaddr *)&t->ctrl_peer.ss, &t->ctrl_peer.len) != 0) {
        stats_close(&t->total);
        free(t);
        snprintf(err, errlen, "server: the control connection has no peer address: %s",
                 strerror(errno));
        return NULL;
    }
    for (size_t i = 0; i < CTRL_MAX_PORTS; i++)
        t->udp_fd[i] = -1;
    if (q->warmup_ns == 0) {
        /* No warm-up: count from the very first byte, which may arrive
         * before the client's mark does; the window starts when the first
         * data connection joins (srv_attach) or now, for UDP. */
        atomic_store(&t->phase, CTRL_PHASE_MEASURE);
        t->mark_start_ns = clock_now_ns();
        t->cpu_start_ns = srv_cpu_now_ns(s);
        t->start_on_attach = q->proto == PROTO_TCP;
    }
    if (getrandom(&t->id, sizeof(t->id), 0) != sizeof(t->id))
        t->id = clock_now_ns() ^ (uint64_t)(uintptr_t)t;
    if (q->proto == PROTO_UDP && open_udp(s, t, err, errlen) != 0) {
        pthread_mutex_lock(&s->mu);
        srv_session_unref(s, t);
        pthread_mutex_unlock(&s->mu);
        return NULL;
    }
    return t;
}

static int count_tests(struct srv *s)
{
    int n = 0;
    for (struct srv_session *t = s->tests; t; t = t->next)
        n++;
    return n;
}

/* The client's address without its port ("127.0.0.1", "::1"): what
 * --max-tests-per-peer counts by. */
void srv_peer_ip(int fd, char *buf, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    snprintf(buf, len, "?");
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0)
        return;
    if (ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, buf, (socklen_t)len);
    else if (ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, buf, (socklen_t)len);
}

/* Tests of one client address still running. Under srv->mu. */
static uint32_t count_peer_tests(struct srv *s, const char *peer)
{
    uint32_t n = 0;
    for (struct srv_session *t = s->tests; t; t = t->next)
        n += !t->ending && strcmp(t->peer, peer) == 0;
    return n;
}

/* Admits a test by the server's and the peer's counts. Returns true, or
 * false with the message for the client. */
static bool admit(struct srv_conn *c, const char *peer, char *err, size_t errlen)
{
    struct srv *s = c->th->srv;
    pthread_mutex_lock(&s->mu);
    bool ok =
        server_limits_admit_test(&s->cfg.lim, (uint32_t)count_tests(s), err, errlen) &&
        server_limits_admit_peer_test(&s->cfg.lim, peer, count_peer_tests(s, peer), err, errlen);
    pthread_mutex_unlock(&s->mu);
    return ok;
}

/* The data deadline fired: a test whose connections have not all come
 * holds a slot for nothing (a peer could take every slot with requests
 * alone), so it is cancelled and the client told why; else the
 * control connection's guard goes back to the test's own deadline. */
static void data_deadline_fire(struct loop *l, struct loop_timer *tm)
{
    (void)l;
    struct srv_conn *c = tm->arg;
    struct srv *s = c->th->srv;
    pthread_mutex_lock(&s->mu);
    uint32_t joined = c->test->joined, want = c->test->req.conns;
    pthread_mutex_unlock(&s->mu);
    if (joined >= want || c->end_received) {
        srv_guard_test_started(c);
        return;
    }
    char msg[200];
    snprintf(msg, sizeof(msg),
             "test cancelled by the server: %u of %u data connections arrived within %.3g s "
             "(--data-timeout)",
             joined, want, (double)s->cfg.lim.data_timeout_ns / 1e9);
    send_error(c, msg);
    srv_conn_close(c);
}

/* TCP and TLS tests must have every data connection in within
 * --data-timeout of their ACCEPT: the control connection's guard checks
 * then, before the test's own deadline. UDP flows are the server's own
 * sockets, held by the test's deadline alone. */
static void arm_data_deadline(struct srv_conn *c)
{
    if (c->test->req.proto == PROTO_UDP)
        return;
    uint64_t when = clock_now_ns() + c->th->srv->cfg.lim.data_timeout_ns;
    if (when >= c->guard.when_ns)
        return; /* the test's own deadline comes first */
    c->guard.fn = data_deadline_fire;
    c->guard.arg = c;
    loop_timer_set(c->th->loop, &c->guard, when);
}

static int on_request(struct srv_conn *c, const struct ctrl_request *q)
{
    struct srv *s = c->th->srv;
    char err[200];
    if (c->test)
        return send_error(c, "control: one test per control connection"), -1;
    if (q->proto != PROTO_TCP && q->proto != PROTO_UDP && q->proto != PROTO_TLS) {
        snprintf(err, sizeof(err), "server: protocol %s is not served here",
                 proto_name((enum proto)q->proto));
        return send_error(c, err), -1;
    }
    if (q->cc[0] && q->proto != PROTO_UDP) { /* refused now, not on every connection */
        struct net_tune tune = {0};
        char why[160];
        memcpy(tune.cc, q->cc, sizeof(tune.cc));
        if (net_tune_check(&tune, s->addr.ss.ss_family, why, sizeof(why)) != 0) {
            snprintf(err, sizeof(err), "server: %s", why);
            return send_error(c, err), -1;
        }
    }
    struct server_limits_ask ask = {q->conns,      q->duration_ns, q->warmup_ns, q->rate_bps,
                                    q->rate_per_s, q->size,        q->resp_size};
    if (server_limits_check_test(&s->cfg.lim, &ask, err, sizeof(err)) != 0)
        return send_error(c, err), -1;
    char peer[64];
    srv_peer_ip(c->io.fd, peer, sizeof(peer));
    if (!admit(c, peer, err, sizeof(err)))
        return send_error(c, err), -1;
    struct srv_session *t = test_new(c, q, err, sizeof(err));
    if (!t)
        return send_error(c, err), -1;
    snprintf(t->peer, sizeof(t->peer), "%s", peer);
    struct ctrl_msg m = {.type = CTRL_ACCEPT};
    m.u.acc.test_id = t->id;
    m.u.acc.server_threads = s->nth;
    m.u.acc.nports = t->nports;
    memcpy(m.u.acc.ports, t->udp_port, sizeof(t->udp_port));
    if (s->cfg.model_threads)
        for (uint32_t i = 0; i < t->nports; i++)
            t->udp_owner[i] = UINT32_MAX; /* a thread of its own, below */
    pthread_mutex_lock(&s->mu);
    t->next = s->tests;
    s->tests = t;
    c->test = t;
    pthread_mutex_unlock(&s->mu);
    for (uint32_t i = 0; s->cfg.model_threads && i < t->nports; i++) {
        pthread_mutex_lock(&s->mu);
        t->refs++; /* the thread's, until it has attached the socket */
        pthread_mutex_unlock(&s->mu);
        srv_spawn(s, -1, t, i);
    }
    srv_wake_all(s);
    srv_guard_test_started(c);
    arm_data_deadline(c);
    return send_msg(c, &m);
}

static void on_mark(struct srv_conn *c, uint8_t phase)
{
    struct srv_session *t = c->test;
    uint64_t now = clock_now_ns();
    bool wake = false;
    /* The window's start may also be set by srv_attach (no warm-up). */
    pthread_mutex_lock(&c->th->srv->mu);
    if (phase == CTRL_PHASE_MEASURE && !t->measure_marked) {
        t->measure_marked = true;
        if (!t->mark_start_ns) {
            t->mark_start_ns = now;
            t->cpu_start_ns = srv_cpu_now_ns(c->th->srv);
        }
        if (t->req.stall_ns)
            atomic_store(&t->stall_at, now + t->req.duration_ns / 4);
        atomic_store(&t->phase, CTRL_PHASE_MEASURE);
        wake = t->req.flags & CTRL_F_INTERVALS; /* the slots start their intervals */
    } else if (phase == CTRL_PHASE_DONE && !t->mark_end_ns) {
        atomic_store(&t->phase, CTRL_PHASE_DONE);
        t->mark_end_ns = now;
        t->cpu_end_ns = srv_cpu_now_ns(c->th->srv);
    }
    pthread_mutex_unlock(&c->th->srv->mu);
    if (wake)
        srv_wake_all(c->th->srv);
}

static void on_end(struct srv_conn *c)
{
    struct srv *s = c->th->srv;
    if (!c->test->mark_end_ns)
        on_mark(c, CTRL_PHASE_DONE);
    c->end_received = true;
    pthread_mutex_lock(&s->mu);
    c->test->ending = true;
    pthread_mutex_unlock(&s->mu);
    srv_wake_all(s); /* every thread hands in its part; see chores */
}

static void fill_result(struct srv_session *t, struct ctrl_result *r)
{
    const struct stats *st = &t->total;
    if (t->mark_start_ns && t->mark_end_ns > t->mark_start_ns) {
        r->window_ns = t->mark_end_ns - t->mark_start_ns;
        r->cpu_ns = t->cpu_end_ns - t->cpu_start_ns;
    }
    r->rx_bytes = st->rx_bytes;
    r->rx_msgs = st->rx_msgs;
    r->tx_bytes = st->tx_bytes;
    r->tx_msgs = st->tx_msgs;
    r->rx_total = st->rx_total;
    r->tx_total = st->tx_total;
    r->lost = st->lost;
    r->expected = st->expected;
    r->reorder = st->reorder;
    r->dup = st->dup;
    r->jitter_ns = st->jitter_flows ? (uint64_t)(st->jitter_sum_ns / (double)st->jitter_flows) : 0;
    for (int i = 0; i < ERRC_COUNT; i++)
        r->errors[i] = (uint32_t)st->err[i];
    if (st->tcpinfo_n) {
        r->retrans = (uint32_t)st->retrans;
        r->rtt_us = (uint32_t)(st->rtt_us_sum / st->tcpinfo_n);
        r->cwnd = (uint32_t)(st->cwnd_sum / st->tcpinfo_n);
        r->mss = (uint32_t)st->mss;
    }
}

static enum srv_verdict send_result(struct srv_conn *c)
{
    struct srv_session *t = c->test;
    struct ctrl_msg m = {.type = CTRL_RESULT};
    uint8_t *hist = NULL, *buf = NULL;
    size_t hlen = 0;
    c->result_sent = true;
    stats_fold_interval(&t->total);
    fill_result(t, &m.u.res);
    if (t->total.total.total_count > 0 &&
        hist_encode_compressed(&t->total.total, &hist, &hlen) == 0) {
        m.u.res.hist = hist;
        m.u.res.hist_len = (uint32_t)hlen;
    }
    size_t cap = 1024 + hlen;
    buf = malloc(cap);
    size_t n = buf ? ctrl_encode(&m, buf, cap) : 0;
    enum srv_verdict v = SRV_CLOSE;
    uint64_t deadline = clock_now_ns() + CTRL_SEND_TIMEOUT_NS;
    if (n > 0 && net_send_all(c->io.fd, buf, n, deadline) == 0 &&
        srv_iv_send(c->io.fd, t, deadline) == 0) {
        srv_guard_result_sent(c);
        v = SRV_KEEP;
    }
    free(hist);
    free(buf);
    return v;
}

/* Returns -1 when c was closed. */
static int on_frame(struct srv_conn *c, const struct ctrl_msg *m)
{
    if (m->type == CTRL_REQUEST)
        return on_request(c, &m->u.req);
    if (!c->test || c->end_received)
        return send_error(c, "control: message out of order"), -1;
    if (m->type == CTRL_MARK)
        on_mark(c, m->u.phase);
    else if (m->type == CTRL_END)
        on_end(c);
    else
        return send_error(c, "control: unexpected message"), -1;
    return 0;
}

/* Acts on every whole frame buffered in c. */
static enum srv_verdict ctrl_drain(struct srv_conn *c)
{
    struct ctrl_msg m;
    size_t need = 0;
    char err[200];
    long used;
    while ((used = ctrl_decode(c->in, c->inlen, &m, &need, err, sizeof(err))) > 0) {
        if (on_frame(c, &m) != 0)
            return SRV_CLOSE;
        memmove(c->in, c->in + used, c->inlen - (size_t)used);
        c->inlen -= (size_t)used;
    }
    if (used == 0 && need > sizeof(c->in)) {
        used = -1; /* would never fit: say so now, not when the buffer fills */
        snprintf(err, sizeof(err), "control: frame of %zu bytes is too long", need);
    }
    if (used < 0) {
        send_error(c, err);
        return SRV_CLOSE;
    }
    return SRV_KEEP;
}

enum srv_verdict srv_session_input(struct srv_conn *c)
{
    /* The first bytes came in with the connection's hello read. */
    if (ctrl_drain(c) != SRV_KEEP)
        return SRV_CLOSE;
    /* Bounded rounds: a peer that keeps sending cannot hold the thread;
     * the level-triggered loop calls again for the rest. */
    for (int round = 0; round < 16; round++) {
        ssize_t n = recv(c->io.fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        if (n <= 0)
            return SRV_CLOSE;
        c->inlen += (size_t)n;
        if (ctrl_drain(c) != SRV_KEEP)
            return SRV_CLOSE;
    }
    return SRV_KEEP;
}

/* Runs in each thread when woken: picks up UDP sockets meant for it,
 * hands in its part of tests that are ending, and sends the results of
 * its control connections whose tests are complete. */
void srv_thread_chores(struct srv_thread *th)
{
    struct srv *s = th->srv;
    if (atomic_load(&s->stopping)) {
        loop_stop(th->loop);
        return;
    }
    pthread_mutex_lock(&s->mu);
    if (th->udp_test) {
        struct srv_session *t = th->udp_test;
        th->udp_test = NULL;
        if (!t->ending) {
            t->udp_attached[th->udp_i] = true;
            srv_attach(th, t, t->udp_fd[th->udp_i], th->udp_i, true, NULL, NULL);
        }
        srv_session_unref(s, t);
    }
    for (struct srv_session *t = s->tests, *tn; t; t = tn) {
        tn = t->next; /* merging may free t */
        for (uint32_t i = 0; i < t->nports && !s->cfg.model_threads; i++)
            if (t->udp_owner[i] == th->idx && !t->udp_attached[i] && !t->ending) {
                t->udp_attached[i] = true;
                srv_attach(th, t, t->udp_fd[i], i, true, NULL, NULL);
            }
        for (struct srv_slot *sl = th->slots; sl && !t->ending; sl = sl->next)
            if (sl->t == t)
                srv_iv_arm(sl);
        if (!t->ending)
            continue;
        for (struct srv_slot *sl = th->slots; sl; sl = sl->next)
            if (sl->t == t) {
                srv_slot_merge(sl);
                break;
            }
    }
    pthread_mutex_unlock(&s->mu);
}

enum srv_verdict srv_session_result_due(struct srv_conn *c)
{
    if (!c->ctrl || !c->test || !c->end_received || c->result_sent)
        return SRV_KEEP;
    pthread_mutex_lock(&c->th->srv->mu);
    bool ready = c->test->live_slots == 0;
    pthread_mutex_unlock(&c->th->srv->mu);
    return ready ? send_result(c) : SRV_KEEP;
}
