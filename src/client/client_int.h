#ifndef NETRIG_CLIENT_INT_H
#define NETRIG_CLIENT_INT_H
/* The client's insides: client.c runs the test (control connection,
 * schedule, merging), client_worker.c the worker threads, client_result.c
 * turns counters into the result row. */
#include <pthread.h>
#include <stdatomic.h>

#include "client.h"
#include "cpulist.h"
#include "ctrl.h"
#include "http_target.h"
#include "ep.h"
#include "net.h"
#include "stats.h"
#include "tcp_state.h"

#define CLIENT_IV_RING 4

/* One interval of one worker, handed to client_run's thread. */
struct civ_slot {
    uint64_t t0_ns, t1_ns;
    uint64_t rx_bytes, tx_bytes, msgs;
    uint64_t errors; /* every class, in the interval */
    struct hist lat;
};

struct client;

/* The probe's latest interval, for the load's live intervals: written by
 * the probe's thread, read by the load's supervisor. */
struct probe_live {
    _Atomic uint64_t p50_ns, p99_ns, n;
};

struct cworker {
    struct client *cl;
    uint32_t idx;
    pthread_t th;
    struct loop *loop;
    struct wctx w;
    struct stats st;
    _Atomic int phase;
    struct ep *eps;
    uint32_t neps, nopen, quota_left;
    struct loop_timer t_start, t_measure, t_end, t_iv, t_give_up;
    uint8_t *rxbuf;
    struct udp_batch *ub;
    /* intervals, published to client_run's thread */
    struct civ_slot ring[CLIENT_IV_RING];
    _Atomic uint64_t published, consumed;
    uint64_t iv_k, iv_t0, iv_rx, iv_tx, iv_msgs, iv_err;
    bool iv_last; /* the window's last interval is still to publish */
    /* the adaptive warm-up (client_settle.c): looks at this worker's
     * connections while client_run holds the window */
    struct loop_timer t_look;
    struct tcp_state *looks;   /* the last look at each endpoint */
    uint64_t look_ns;          /* when that was */
    _Atomic bool settled;      /* every connection of this worker is past its start-up */
    bool released;             /* the window's new times are set */
    uint64_t t_done_ns;        /* when this worker stopped measuring */
    uint64_t cpu0_ns, cpu1_ns; /* this thread's CPU time when the window opened, closed */
    _Atomic bool ended;        /* stopped measuring */
    _Atomic bool finished;     /* loop returned */
    int rc;
    char err[256];
};

struct client {
    const struct netrig_config *cfg;
    struct ctrl_request req;
    struct net_addr addr;
    struct net_tune tune; /* --mss, --window, --cc for the data connections */
    uint64_t test_id;
    uint16_t ports[CTRL_MAX_PORTS];
    uint16_t nports;
    uint64_t t_start, iv_ns;
    /* the window: moved by an adaptive warm-up while cl->hold */
    _Atomic uint64_t t_measure, t_end;
    uint64_t warmup_ns;     /* the warm-up asked for */
    uint64_t settle_max_ns; /* the adaptive warm-up's bound; 0: a fixed warm-up */
    bool settle_capped;     /* the bound opened the window */
    _Atomic bool hold;      /* the window waits for the connections to settle */
    _Atomic bool stop_now;
    pthread_barrier_t ready, go;
    struct cworker *w;
    uint32_t nw;
    struct http_target *http; /* HTTP and HTTPS tests: no control connection */
    struct tls_ctx *tls;      /* --proto tls: the data connections' context */
    struct cpulist cpus;      /* --cpu: worker i runs on cpus.cpu[i % n] */
    int wake_fd;              /* eventfd: a worker has news for client_run's thread */
    struct probe_live *probe; /* probe = udp|tcp: its latest figures; NULL off */
};

/* client_probe.c: true when cfg asks for a probe (udp or tcp). */
bool client_probe_on(const struct netrig_config *cfg);

/* client.c: the load's test (client_run without the probe). */
int client_run_load(const struct netrig_config *cfg, const struct client_stop *stop,
                    struct probe_live *probe, struct client_output *out, char *err, size_t errlen);

/* client_settle.c: the adaptive warm-up. */
/* Decides whether cl's test waits for its connections to settle (a TCP,
 * TLS or HTTP stream with a warm-up and --warmup-fixed off) and widens the
 * request's warm-up by the bound, for the server's deadline. */
void client_settle_plan(struct client *cl);
/* Worker side, on the worker's thread: prepares the looks (setup), arms
 * the first one, and takes the window's times once client_run releases it
 * (from the loop's wake-up). Returns -1 when out of memory. */
int client_settle_init(struct cworker *wk);
void client_settle_arm(struct cworker *wk);
void client_settle_release(struct cworker *wk);
/* client_run's side: while the window is held, opens it when every worker
 * has settled or the bound is reached (then sets t_measure, t_end, wakes
 * the workers). Returns the time of the next look, or 0 once released. */
uint64_t client_settle_check(struct client *cl, uint64_t now);

/* client_auth.c: proves knowledge of the key in cfg->psk on the fresh
 * control connection fd (see auth.h). Returns 0, or -1 with a message
 * naming the server. */
int client_auth(const struct client *cl, int fd, uint64_t deadline_ns, char *err, size_t errlen);

/* Worker thread body (pthread start routine); arg is a struct cworker. */
void *client_worker_main(void *arg);
/* Asks a worker to stop measuring now (from another thread). */
void client_worker_stop(struct cworker *wk);

/* client_ctrl.c: the control connection. */
/* Sends one frame (bounded wait). Returns 0 or -1. */
int client_ctrl_send(int fd, const struct ctrl_msg *m);
/* Reads one frame; *frame is malloc'd (free it) and m may point into it.
 * Returns 0 or -1 with a message. */
int client_ctrl_recv(int fd, struct ctrl_msg *m, uint8_t **frame, char *err, size_t errlen);
/* The request that describes cfg's test. */
void client_ctrl_request(const struct netrig_config *cfg, struct ctrl_request *q);
/* Connects, sends the request, takes the test id and UDP ports. Returns
 * the control fd or -1 with a message naming the server. */
int client_ctrl_open(struct client *cl, char *err, size_t errlen);
/* Sends END and decodes the server's result (its histogram into h,
 * initialised by the call when *have_hist). Returns 0 or -1. */
int client_ctrl_finish(struct client *cl, int fd, struct ctrl_result *res, struct hist *h,
                       bool *have_hist, char *err, size_t errlen);

/* With CTRL_F_INTERVALS, after client_ctrl_finish: reads the server's
 * INTERVALS frames into *out (malloc'd, *nout of them, each histogram
 * initialised; start_wall_s dates them). Returns 0 or -1 with a message;
 * on -1 *out still holds the *nout read. */
int client_ctrl_intervals(struct client *cl, int fd, double start_wall_s,
                          struct client_interval **out, size_t *nout, char *err, size_t errlen);

/* What client_run measured, for client_result_fill. */
struct client_figures {
    const struct stats *cs;         /* merged client counters */
    const struct http_target *http; /* HTTP or HTTPS test: its target; NULL otherwise */
    const struct ctrl_result *sr;   /* the server's, or NULL (echo) */
    const struct hist *server_lat;  /* decoded, or NULL */
    double client_window_s, server_window_s;
    double cpu_client_s;
    double steal_s; /* host steal time in the client's window; NaN unknown */
    /* an in-process server's CPU time in the client's window, for a
     * server without figures of its own (HTTP); NaN unknown */
    double server_cpu_s;
};

/* Fills out->result (and out->lat, out->connect) from the figures. */
void client_result_fill(const struct netrig_config *cfg, const struct client_figures *f,
                        struct client_output *out);

#endif
