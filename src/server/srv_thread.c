/* The server's threads: setting them up, running and tearing them down,
 * the thread-per-connection model's spawning and reaping, and
 * server_start / server_stop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "cpulist.h"
#include "server_int.h"
#include "srv_http.h"
#include "tls.h"

#define SRV_RXBUF (256u * 1024u)

void srv_thread_maybe_exit(struct srv_thread *th)
{
    if (th->srv->cfg.model_threads && th->lfd < 0 && !th->conns && !th->slots && !th->udp_test &&
        !th->http_conns)
        loop_stop(th->loop);
}

/* A wake-up: the tests' chores, then the results that became due. A test
 * that ended under a connection's own thread (its client went silent)
 * may leave the thread nothing to serve. */
static void wake_cb(struct loop *l, void *arg)
{
    (void)l;
    struct srv_thread *th = arg;
    if (th->srv->cfg.model_threads)
        srv_guard_wake(th);
    srv_thread_chores(th);
    if (atomic_load(&th->srv->stopping))
        return;
    srv_thread_maybe_exit(th);
    srv_conn_send_results(th);
}

static int thread_setup(struct srv *s, struct srv_thread *th, uint32_t idx, bool listen, char *err,
                        size_t errlen)
{
    th->srv = s;
    th->idx = idx;
    th->lfd = -1;
    th->loop = loop_new(err, errlen);
    /* A connection's own thread reads one socket: a smaller buffer will do. */
    th->rxcap = listen ? SRV_RXBUF : SRV_RXBUF / 4;
    th->rxbuf = malloc(th->rxcap);
    if (!th->loop || !th->rxbuf) {
        snprintf(err, errlen, "server: out of memory");
        return -1;
    }
    loop_on_wake(th->loop, wake_cb, th);
    loop_set_busy_poll(th->loop, (uint64_t)s->cfg.busy_poll_us * 1000u);
    if (!listen)
        return 0;
    th->lfd =
        net_listen(&s->addr, SOCK_STREAM, !s->cfg.model_threads || s->cfg.reuseport, err, errlen);
    if (th->lfd < 0)
        return -1;
    th->lio = (struct loop_io){.fd = th->lfd, .fn = srv_accept_cb, .arg = th};
    return loop_add(th->loop, &th->lio, EPOLLIN);
}

static void thread_teardown(struct srv_thread *th)
{
    struct srv *s = th->srv;
    if (!th->loop)
        return;
    srv_http_close_all(th);
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

/* --cpu: thread i on the i-th CPU of the list (checked at start). */
static void thread_pin(struct srv_thread *th)
{
    struct cpulist l;
    char err[160];
    if (th->srv->cfg.cpu[0] && cpulist_parse(th->srv->cfg.cpu, &l, err, sizeof(err)) == 0)
        cpulist_pin_self(&l, th->idx, false, err, sizeof(err));
}

static void *thread_main(void *arg)
{
    struct srv_thread *th = arg;
    thread_pin(th);
    loop_run(th->loop);
    if (th->srv->cfg.model_threads && th->lfd < 0) {
        /* A connection's own thread cleans up after itself. */
        struct srv *s = th->srv;
        srv_http_close_all(th);
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

int srv_spawn(struct srv *s, int fd, struct srv_session *udp_test, uint32_t udp_i)
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
            srv_session_unref(s, udp_test);
            pthread_mutex_unlock(&s->mu);
        }
        return -1;
    }
    if (fd >= 0)
        srv_conn_new(th, fd);
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

void srv_wake_all(struct srv *s)
{
    for (uint32_t i = 0; i < s->nth; i++)
        loop_wake(s->th[i].loop);
    pthread_mutex_lock(&s->mu);
    for (struct srv_thread *th = s->conn_threads; th; th = th->next)
        loop_wake(th->loop);
    pthread_mutex_unlock(&s->mu);
}

uint64_t server_cpu_ns(struct server *srv)
{
    return srv_cpu_now_ns((const struct srv *)srv);
}

uint64_t server_unauth_closed(struct server *srv)
{
    return atomic_load(&((struct srv *)srv)->unauth_closed);
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
    pthread_mutex_init(&s->unauth_mu, NULL);
    struct cpulist cpus;
    if (net_parse_addr(c->listen, 7878, &s->addr, err, errlen) != 0 ||
        cpulist_parse(c->cpu, &cpus, err, errlen) != 0 || cpulist_check(&cpus, err, errlen) != 0 ||
        srv_auth_setup(s, err, errlen) != 0)
        goto fail;
    /* Always there: tests with --proto tls ask for it; --tls also answers
     * HTTPS on the listening port. ALPN: a client offering http/1.1 (curl
     * offers h2 first) gets it; one offering nothing we speak, or nothing
     * at all (netrig's TLS tests), goes on without ALPN. */
    struct tls_opts o = {.cert = c->cert, .key = c->key, .alpn = "h2,http/1.1"};
    s->tls = calloc(1, sizeof(*s->tls));
    if (!s->tls || tls_server_init(s->tls, &o, err, errlen) != 0) {
        free(s->tls);
        s->tls = NULL;
        goto fail;
    }
    /* The listeners share the port among their threads (SO_REUSEPORT),
     * which would let them share it with another server too, each getting
     * connections at random: a port already held is refused unless asked. */
    int probe =
        c->reuseport || net_addr_port(&s->addr) == 0 ? 0 : net_listen_probe(&s->addr, err, errlen);
    if (probe == -2)
        snprintf(err + strlen(err), errlen - strlen(err),
                 " (--reuseport shares it, connections landing on either)");
    if (probe != 0)
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
        srv_session_unref(s, s->tests);
    }
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->unauth_mu);
    if (s->tls) {
        tls_close(s->tls);
        free(s->tls);
    }
    auth_key_wipe(s->psk);
    free(s->psk);
    free(s->th);
    free(s);
}
