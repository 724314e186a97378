#ifndef NETRIG_SERVER_INT_H
#define NETRIG_SERVER_INT_H
/* The server's insides, shared by its files: server.c (connections and
 * the per-thread slots of tests), srv_accept.c (accepting, and handing
 * a new connection to what its first bytes ask for), srv_thread.c
 * (threads), srv_session.c (tests and their control connections),
 * srv_guard.c, srv_auth.c and srv_http.c. Only the connection's
 * owner closes it: the parts it calls return a verdict. Each test has a
 * slot per thread that serves it: the thread's own counters, merged into
 * the test under its lock once, when the test ends. */
#include <pthread.h>
#include <stdatomic.h>

#include "auth.h"
#include "ctrl.h"
#include "ep.h"
#include "net.h"
#include "server.h"
#include "stats.h"

struct srv;
struct srv_session;
struct srv_conn;

/* Connections that have not proved the key (nor joined a test), oldest
 * first: a thread's own in the epoll model, the server's (under
 * srv->unauth_mu) in the threads model, where each has its own thread. */
struct srv_unauth {
    struct srv_conn *old, *new;
};

/* What a part that handled a connection's input or timer tells the
 * connection's owner, which acts on it. */
enum srv_verdict { SRV_KEEP = 0, SRV_CLOSE = -1 };

struct srv_thread {
    struct srv *srv;
    uint32_t idx;
    pthread_t th;
    /* Set once th is valid; other threads read it (srv_cpu_now_ns) while
     * the later threads are still being started. */
    _Atomic bool started;
    struct loop *loop;
    int lfd; /* listening socket (epoll model, and the acceptor) */
    struct loop_io lio;
    uint8_t *rxbuf;
    size_t rxcap;
    struct udp_batch *ub; /* allocated on the first UDP socket */
    struct srv_slot *slots;
    struct srv_conn *conns;
    _Atomic bool done;            /* threads model: this connection's thread ended */
    struct srv_session *udp_test; /* threads model: the UDP socket to serve */
    uint32_t udp_i;
    struct srv_thread *next;        /* threads model: list of connection threads */
    struct srv_http *http_conns;    /* HTTP and HTTPS connections (srv_http.c) */
    struct loop_timer accept_pause; /* out of descriptors: accepting rests */
    uint32_t serving;               /* data endpoints and HTTP connections now */
    /* With --psk: this thread's connections that have not proved the key
     * (nor joined a test), oldest first (srv_guard.c); epoll model. */
    struct srv_unauth unauth;
};

/* One interval of the receiving end (CTRL_F_INTERVALS): a slot's, then
 * the test's, merged by index. */
struct srv_iv {
    uint64_t t0_ns, t1_ns; /* clock_now_ns times */
    uint64_t rx_bytes, rx_msgs;
    struct hist lat;
};

/* A slot's intervals while it runs (srv_iv.c). */
struct srv_ivs {
    struct loop_timer timer;
    bool started;
    uint64_t origin_ns, t0_ns, rx_bytes, rx_msgs; /* where the open interval began */
    struct srv_iv *v;
    size_t n;
};

struct srv_slot {
    struct srv_session *t;
    struct srv_thread *th;
    struct wctx w;
    struct stats st;
    struct ep *eps;
    bool merged;
    struct srv_ivs iv;
    struct srv_slot *next;
};

/* A pending connection (before its first bytes say what it is) or a
 * control connection. */
struct srv_conn {
    struct loop_io io;
    struct srv_thread *th;
    bool ctrl;
    uint8_t in[4096];
    size_t inlen;
    struct srv_session *test;
    bool end_received, result_sent;
    struct srv_conn *next, *prev;
    struct loop_timer guard; /* hello, test deadline or idle timeout */
    bool auth_started, authed;
    struct auth_server auth;
    uint64_t opened_ns;
    bool unauth;  /* counted in srv->nunauth, on th's unauth list */
    bool evicted; /* closed for room (--max-unauth-conns) at its guard timer */
    /* Threads model: another connection's thread chose this one to make
     * room; its own thread arms the guard timer when woken. */
    _Atomic bool evict_req;
    struct srv_conn *unauth_prev, *unauth_next;
};

struct srv_session {
    uint64_t id;
    struct ctrl_request req;
    _Atomic int phase;
    int refs;       /* control connection + live slots; under srv->mu */
    int live_slots; /* under srv->mu */
    bool ending;    /* under srv->mu */
    struct stats total;
    uint64_t mark_start_ns, mark_end_ns, cpu_start_ns, cpu_end_ns;
    bool start_on_attach; /* no warm-up: the window starts with the data */
    bool measure_marked;
    struct srv_thread *ctrl_th;
    /* The control connection's peer: UDP data goes to and is taken from
     * this host only (it asked for, and with --psk proved its key for,
     * the test). */
    struct net_addr ctrl_peer;
    int udp_fd[CTRL_MAX_PORTS];
    uint32_t udp_owner[CTRL_MAX_PORTS];
    bool udp_attached[CTRL_MAX_PORTS];
    uint16_t udp_port[CTRL_MAX_PORTS];
    uint16_t nports;
    _Atomic uint64_t stall_at;
    _Atomic int stalled;
    struct srv_iv *ivs; /* the receiving end's intervals; under srv->mu */
    size_t nivs;
    uint32_t joined; /* data connections that arrived; under srv->mu */
    char peer[64];   /* the client's address, for --max-tests-per-peer */
    struct srv_session *next;
};

struct srv {
    struct server_config cfg;
    struct net_addr addr;
    struct srv_thread *th; /* cfg.threads of them (threads model: 1 acceptor) */
    uint32_t nth;
    pthread_mutex_t mu; /* tests list, refs, thread list */
    struct srv_session *tests;
    struct srv_thread *conn_threads; /* threads model */
    _Atomic bool stopping;
    struct tls_ctx *tls;            /* --tls: for HTTPS and TLS data connections */
    struct auth_key *psk;           /* NULL: control connections need no key */
    _Atomic uint32_t nconns;        /* open TCP connections, all kinds */
    _Atomic uint32_t nunauth;       /* with --psk: connections not past the key */
    _Atomic uint64_t unauth_closed; /* closed or refused for room (--max-unauth-conns) */
    pthread_mutex_t unauth_mu;      /* threads model: unauth */
    struct srv_unauth unauth;       /* threads model: every thread's, oldest first */
};

/* srv_session.c: the CPU time of the server's threads (see server_cpu_ns). */
uint64_t srv_cpu_now_ns(const struct srv *s);

/* server.c */
/* A slot for test t in thread th (created on first use). Under srv->mu. */
struct srv_slot *srv_slot_get(struct srv_thread *th, struct srv_session *t);
/* Starts endpoint number index of t on fd in th; closes fd on failure. */
int srv_attach(struct srv_thread *th, struct srv_session *t, int fd, uint32_t index, bool udp,
               const struct transport *tp, void *tp_ctx);
/* Wakes every thread that may hold part of a test. */
void srv_wake_all(struct srv *s);
/* A pending or control connection is done: closes its socket, ends its
 * test (the client is gone) and frees it. */
void srv_conn_close(struct srv_conn *c);
/* Takes c off its thread and frees it, leaving its socket open for the
 * handler it is handed to; returns that socket. */
int srv_conn_release(struct srv_conn *c);
/* A data connection says hello: joins the test (plain when tp is NULL,
 * else over the transport's established connection tp_ctx). Takes over
 * fd and tp_ctx whatever happens. Returns 0 or -1. */
int srv_join(struct srv_thread *th, int fd, const uint8_t *hello, size_t len,
             const struct transport *tp, void *tp_ctx);
/* Hands a slot's counters to its test and frees it. Under srv->mu. */
void srv_slot_merge(struct srv_slot *sl);
/* Threads model: starts a thread for connection fd, or (fd < 0) one that
 * serves UDP socket udp_i of test udp_test, taking over a reference to
 * the test the caller holds for it. Returns 0 or -1. */
int srv_spawn(struct srv *s, int fd, struct srv_session *udp_test, uint32_t udp_i);

/* srv_accept.c */
/* A new pending connection in th. */
void srv_conn_new(struct srv_thread *th, int fd);
/* The listening socket's handler. */
void srv_accept_cb(struct loop *l, struct loop_io *io, uint32_t events);
/* Sends the results of th's control connections whose tests are
 * complete, closing those that fail to take them. */
void srv_conn_send_results(struct srv_thread *th);

/* srv_thread.c */
/* Threads model: ends a connection thread with nothing left to serve. */
void srv_thread_maybe_exit(struct srv_thread *th);

/* srv_guard.c: limits and timeouts on connections */
/* Counts a new connection in; when --max-conns are open, refuses and
 * closes it (returns false). */
bool srv_guard_admit(struct srv_thread *th, int fd);
/* accept failed with errno e: when descriptors ran out, accepting rests a
 * while instead of spinning on a listening socket that stays readable. */
void srv_guard_accept_failed(struct srv_thread *th, int e);
/* A counted connection's descriptor was closed. */
void srv_guard_closed(struct srv *s);
/* Arms the hello timeout of a new connection (its guard timer, whose
 * callback the owner set); with --psk the sooner auth timeout, and the
 * connection counts as unauthenticated unless it comes from the address
 * of a running test's client (its data connections). When --max-unauth-conns are
 * open, the oldest idle one makes room (closed at once by its own guard
 * timer; in the threads model, another thread's, woken to do it), else the new one is refused
 * unless it holds a data hello of a live test. Returns false when c is to be closed. */
bool srv_guard_conn_open(struct srv_conn *c);
/* c proved the key: it no longer counts as unauthenticated, and its
 * deadline is the hello timeout again. */
void srv_guard_authed(struct srv_conn *c);
/* c is leaving (closed, or handed to a test or to HTTP): it no longer
 * counts as unauthenticated. */
void srv_guard_conn_gone(struct srv_conn *c);
/* Threads model, on a wake-up of th: a connection another thread chose
 * to make room is closed (by its guard timer, at once) unless it proved
 * the key meanwhile. */
void srv_guard_wake(struct srv_thread *th);
/* The guard timer fired: tells the peer why (a timeout, a test past its
 * deadline) and returns SRV_CLOSE. */
enum srv_verdict srv_guard_expired(struct srv_conn *c);
/* The control connection's test was accepted: the deadline becomes the
 * test's planned end plus the grace period. */
void srv_guard_test_started(struct srv_conn *c);
/* The result went out: the client has the idle timeout to close. */
void srv_guard_result_sent(struct srv_conn *c);
/* Sends an ERROR frame without waiting (best effort, before a close). */
void srv_guard_refuse(int fd, const char *msg);

/* A deadline for a connection that makes progress in its own way (HTTP):
 * it is cut off hello_ns after it started unless it made progress, and
 * then idle_ns after its last progress. Progress only notes the time; the
 * timer catches up when it fires, so the hot path arms no timer. */
struct srv_deadline {
    struct loop_timer t;
    struct loop *loop;
    uint64_t last_ns, idle_ns;
    void (*expire)(void *arg);
    void *arg;
};
void srv_deadline_start(struct srv_deadline *d, struct srv_thread *th, void (*expire)(void *arg),
                        void *arg);
void srv_deadline_progress(struct srv_deadline *d);
void srv_deadline_stop(struct srv_deadline *d);

/* srv_iv.c: the receiving end's intervals (CTRL_F_INTERVALS), for a
 * client whose intervals would otherwise be what it sent. */
/* Starts the slot's interval timer once the test measures (no-op
 * otherwise, or when the test asked for none). Under srv->mu, in the
 * slot's thread. */
void srv_iv_arm(struct srv_slot *sl);
/* Closes the slot's last interval at the test's end and adds its
 * intervals into the test's. Under srv->mu, in the slot's thread, before
 * the slot's counters are folded. */
void srv_iv_merge(struct srv_slot *sl);
/* Sends the test's intervals as INTERVALS frames (after the RESULT).
 * Returns 0 or -1. */
int srv_iv_send(int fd, const struct srv_session *t, uint64_t deadline_ns);
/* Frees the test's intervals. */
void srv_iv_free(struct srv_session *t);

/* srv_auth.c */
/* Handles input on a connection that began with the authentication magic. */
enum srv_verdict srv_auth_input(struct srv_conn *c);
/* Loads the key of cfg->psk_file into s->psk. Returns 0 or -1. */
int srv_auth_setup(struct srv *s, char *err, size_t errlen);

/* srv_session.c */
/* Handles the readable control connection c. */
enum srv_verdict srv_session_input(struct srv_conn *c);
/* Sends c's result when its test is complete and not sent yet. */
enum srv_verdict srv_session_result_due(struct srv_conn *c);
/* The thread's wake-up work: attach UDP sockets, finish ending tests. */
void srv_thread_chores(struct srv_thread *th);
/* Drops a reference (srv->mu held); frees the test at zero. */
void srv_session_unref(struct srv *s, struct srv_session *t);
struct srv_session *srv_session_find(struct srv *s, uint64_t id);
/* The address of fd's peer without its port ("127.0.0.1", "::1"), "?"
 * if unknown: what --max-tests-per-peer counts by. */
void srv_peer_ip(int fd, char *buf, size_t len);

#endif
