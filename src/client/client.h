#ifndef NETRIG_CLIENT_H
#define NETRIG_CLIENT_H
/* Running one test as a library call: the client subcommand, the scenario
 * runner and the tests all go through client_run. */
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "hist.h"
#include "result.h"

/* Which end an interval's figures come from: this client's (what it
 * received, or its transactions), what it sent (a live view while the
 * receiving server's are still to come), the server's (after the test),
 * or both ends' added (--bidir). */
enum iv_source { IV_CLIENT, IV_CLIENT_SENT, IV_SERVER, IV_BOTH };

/* Per-interval figures (for --interval lines, the .hlog and time-series
 * plots). */
struct client_interval {
    double t_start_s; /* since the start of measurement */
    double t_end_s;
    double goodput_bps;
    double msgs_per_s;
    double messages; /* completed in the interval (msgs_per_s x its length) */
    double errors;   /* this end's errors of every class in the interval; NaN unknown */
    struct hist lat; /* latency in ns during this interval */
    /* A live line of what this end sent, while the receiving server's
     * intervals are still to come (they are the ones kept). */
    bool sent;
    enum iv_source source;
    /* probe = udp|tcp: the probe's round trips in this interval, us (live:
     * its latest interval; after the test: those inside this one); NaN off */
    double probe_p50_us, probe_p99_us;
};

struct client_output {
    struct test_result result;
    struct hist lat;     /* merged latency histogram, ns (client and server ends) */
    struct hist connect; /* crr: connect (+handshake) time, ns; empty otherwise */
    struct client_interval *intervals;
    size_t nintervals;
    double start_wall_s;  /* epoch seconds at the start of measurement */
    bool server_figures;  /* the server's result arrived (not --echo) */
    bool intervals_after; /* the intervals came after the test (the server's) */
    /* probe = udp|tcp: the probe flow's intervals (tagged "probe", its own
     * start_wall_s), and its round trips before the load and in the window */
    struct client_interval *probe_iv;
    size_t nprobe_iv;
    double probe_start_wall_s;
    struct hist probe_idle, probe_load;
};

/* Set by a SIGINT handler (or the runner) to end the test early; what was
 * measured so far is still returned. May be NULL. */
struct client_stop {
    volatile sig_atomic_t *flag;
    /* Optional progress hook, called from client_run's own thread as each
     * interval completes (--interval); the histogram is only lent. */
    void (*on_interval)(const struct client_interval *iv, void *ctx);
    void *ctx;
    /* Optional: the CPU time so far of a server in this process (netrig
     * run's embedded one), ns, read at the window's start and end for a
     * server that reports no figures of its own (HTTP). */
    uint64_t (*server_cpu_ns)(void *server);
    void *server;
};

/* Checks cfg as client_run would before its first connection: the
 * protocol's size and mode rules, the CPU list, the HTTP request and the
 * TLS context (built and freed). Touches no network. Returns 0 or -1 with
 * the message client_run would give. */
int client_check(const struct netrig_config *cfg, char *err, size_t errlen);

/* Runs the test cfg describes. Fills out (init'd by the call; release with
 * client_output_close). Returns 0, or -1 with a message naming the peer or
 * option at fault in err; on -1 after measuring started, out still holds
 * what was measured and out->result.errors counts the failure. */
int client_run(const struct netrig_config *cfg, const struct client_stop *stop,
               struct client_output *out, char *err, size_t errlen);
void client_output_close(struct client_output *out);

/* probe = udp|tcp: adds into h the probe intervals iv[0..n) (times
 * relative to start_wall_s) whose middle falls in [a, b), wall seconds.
 * Returns how many. The probe's idle window is [0, load start - warm-up),
 * its loaded one the load's measured window. */
size_t client_probe_between(const struct client_interval *iv, size_t n, double start_wall_s,
                            double a, double b, struct hist *h);

/* The probe columns of r (idle p50; loaded p50, p90, p99, max; the model
 * verdict when r->probe_model_us is set) from the probe's idle and loaded
 * histograms (ns); NaN where a histogram is empty. Loss is left alone. */
void client_probe_columns(struct test_result *r, const struct hist *idle, const struct hist *load);

#endif
