/* Latency under load: with probe = udp|tcp, client_run runs a second,
 * small test beside the load: one request of probe_size bytes every
 * probe_interval (mode rate: open loop, timed from the intended send time)
 * to the same server, on the same path, with its own control request,
 * threads, counters and histograms, so it never mixes with the load's.
 * The probe starts a moment before the load (its idle latency) and runs
 * until the load is done (latency under load in the measured window). */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client_int.h"
#include "clock.h"

#define PROBE_IDLE_NS 500000000ull  /* the idle moment before the load */
#define PROBE_IV_NS 50000000ull     /* the probe's own intervals */
#define PROBE_MAX_IVS 3000ull       /* within client_run's stored intervals */
#define PROBE_TAIL_NS 5000000000ull /* past the load's plan, in case it runs late */

struct probe_run {
    struct netrig_config cfg;
    volatile sig_atomic_t stop_flag; /* set by the load's thread when it is done */
    struct client_stop stop;
    struct probe_live live;
    struct client_output out;
    _Atomic bool done;
    int rc;
    char err[512];
};

bool client_probe_on(const struct netrig_config *cfg)
{
    return strcmp(cfg->probe, "udp") == 0 || strcmp(cfg->probe, "tcp") == 0;
}

/* The probe's test: the load's peer and key, nothing else of the load's. */
static void probe_config(const struct netrig_config *load, struct netrig_config *p)
{
    *p = *load;
    p->proto = strcmp(load->probe, "tcp") == 0 ? PROTO_TCP : PROTO_UDP;
    p->mode = MODE_RATE;
    p->size = p->resp_size = load->probe_size;
    p->rate_per_s = 1e9 / (double)load->probe_interval_ns;
    p->rate_bps = 0;
    p->conns = p->threads = p->pipeline = 1;
    p->reverse = p->bidir = p->echo = p->no_timing = false;
    p->count = 0;
    p->warmup_ns = 0;
    p->duration_ns = PROBE_IDLE_NS + load->warmup_ns + load->duration_ns + PROBE_TAIL_NS;
    uint64_t iv = p->duration_ns / PROBE_MAX_IVS;
    p->interval_ns = iv > PROBE_IV_NS ? iv : PROBE_IV_NS;
    p->url[0] = p->cpu[0] = p->cc[0] = p->probe[0] = p->link[0] = '\0';
    p->csv[0] = p->hlog[0] = p->events[0] = '\0';
    p->nheaders = 0;
    p->busy_poll_us = p->mss = p->coalesce_us = 0;
    p->window = 0;
    p->stall_ns = 0;
    p->json = false;
    p->quiet = true;
}

/* The probe's thread: its latest interval for the load's live lines. */
static void probe_interval(const struct client_interval *iv, void *ctx)
{
    struct probe_live *l = ctx;
    if (iv->lat.total_count == 0)
        return;
    atomic_store(&l->p50_ns, (uint64_t)hist_value_at_percentile(&iv->lat, 50.0));
    atomic_store(&l->p99_ns, (uint64_t)hist_value_at_percentile(&iv->lat, 99.0));
    atomic_fetch_add(&l->n, 1);
}

static void *probe_main(void *arg)
{
    struct probe_run *pr = arg;
    pr->rc = client_run_load(&pr->cfg, &pr->stop, NULL, &pr->out, pr->err, sizeof(pr->err));
    atomic_store(&pr->done, true);
    return NULL;
}

/* Waits for the idle moment: enough of the probe's intervals, bounded
 * (a probe that cannot start must not hold the load back for long). */
static void wait_idle(struct probe_run *pr, const struct client_stop *stop)
{
    uint64_t want = (PROBE_IDLE_NS + pr->cfg.interval_ns - 1) / pr->cfg.interval_ns;
    uint64_t give_up = clock_now_ns() + PROBE_IDLE_NS + 10000000000ull;
    while (atomic_load(&pr->live.n) < want && !atomic_load(&pr->done) &&
           !(stop && stop->flag && *stop->flag) && clock_now_ns() < give_up) {
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
}

static double pct_us(const struct hist *h, double p)
{
    return h->total_count ? (double)hist_value_at_percentile(h, p) / 1e3 : NAN;
}

size_t client_probe_between(const struct client_interval *iv, size_t n, double start_wall_s,
                            double a, double b, struct hist *h)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double mid = start_wall_s + (iv[i].t_start_s + iv[i].t_end_s) / 2;
        if (mid >= a && mid < b && hist_add(h, &iv[i].lat) == 0)
            k++;
    }
    return k;
}

static size_t probe_between(const struct client_output *po, double a, double b, struct hist *h)
{
    return client_probe_between(po->intervals, po->nintervals, po->start_wall_s, a, b, h);
}

/* Each load interval's probe figures: the probe's intervals inside it. */
static void per_interval(const struct client_output *po, struct client_output *out)
{
    struct hist h;
    if (hist_init_default(&h) != 0)
        return;
    for (size_t i = 0; i < out->nintervals; i++) {
        struct client_interval *iv = &out->intervals[i];
        hist_reset(&h);
        probe_between(po, out->start_wall_s + iv->t_start_s, out->start_wall_s + iv->t_end_s, &h);
        iv->probe_p50_us = pct_us(&h, 50.0);
        iv->probe_p99_us = pct_us(&h, 99.0);
    }
    hist_close(&h);
}

void client_probe_columns(struct test_result *r, const struct hist *idle, const struct hist *load)
{
    r->probe_idle_p50_us = pct_us(idle, 50.0);
    r->probe_p50_us = pct_us(load, 50.0);
    r->probe_p90_us = pct_us(load, 90.0);
    r->probe_p99_us = pct_us(load, 99.0);
    r->probe_max_us = load->total_count ? (double)hist_max(load) / 1e3 : NAN;
    r->probe_model_ok[0] = '\0';
    /* The median, not the tail: a scheduling hiccup moves p99, a queue
     * that stays full moves the median. */
    if (isnan(r->probe_model_us) || isnan(r->probe_p50_us) || isnan(r->probe_idle_p50_us))
        return;
    double queued = r->probe_p50_us - r->probe_idle_p50_us;
    bool on = fabs(queued - r->probe_model_us) <= 0.25 * r->probe_model_us;
    snprintf(r->probe_model_ok, sizeof(r->probe_model_ok), "%s", on ? "yes" : "no");
}

/* The row's probe columns and histograms, from the probe's intervals:
 * idle = those before the load began (its warm-up included), loaded =
 * those in the load's measured window. */
static void probe_fill(const struct netrig_config *cfg, struct probe_run *pr,
                       struct client_output *out)
{
    struct client_output *po = &pr->out;
    struct test_result *r = &out->result;
    if (hist_init_default(&out->probe_idle) != 0 || hist_init_default(&out->probe_load) != 0)
        return;
    double measure = out->start_wall_s, begin = measure - (double)cfg->warmup_ns / 1e9;
    double dur = isnan(r->duration_s) ? 0 : r->duration_s;
    probe_between(po, 0, begin, &out->probe_idle);
    probe_between(po, measure, measure + dur, &out->probe_load);
    if (cfg->link_queue_bytes > 0 && cfg->link_rate_bps > 0)
        r->probe_model_us = cfg->link_queue_bytes * 8 / cfg->link_rate_bps * 1e6;
    client_probe_columns(r, &out->probe_idle, &out->probe_load);
    r->probe_loss_pct = po->result.loss_pct;
    per_interval(po, out);
    /* The probe's intervals move to the output, tagged, for the .hlog. */
    for (size_t i = 0; i < po->nintervals; i++)
        snprintf(po->intervals[i].lat.tag, sizeof(po->intervals[i].lat.tag), "probe");
    out->probe_iv = po->intervals;
    out->nprobe_iv = po->nintervals;
    out->probe_start_wall_s = po->start_wall_s;
    po->intervals = NULL;
    po->nintervals = 0;
}

/* The receiving server's intervals, which arrived after the test: to the
 * hook now, with the probe's figures. */
static void intervals_after(const struct client_stop *stop, const struct client_output *out)
{
    for (size_t i = 0; out->intervals_after && stop && stop->on_interval && i < out->nintervals;
         i++)
        stop->on_interval(&out->intervals[i], stop->ctx);
}

int client_run(const struct netrig_config *cfg, const struct client_stop *stop,
               struct client_output *out, char *err, size_t errlen)
{
    if (!client_probe_on(cfg)) {
        int rc = client_run_load(cfg, stop, NULL, out, err, errlen);
        intervals_after(stop, out);
        return rc;
    }
    struct probe_run *pr = calloc(1, sizeof(*pr));
    pthread_t th;
    if (!pr || client_check(cfg, err, errlen) != 0) {
        if (!pr)
            snprintf(err, errlen, "client: out of memory");
        free(pr);
        memset(out, 0, sizeof(*out));
        result_init(&out->result);
        return -1;
    }
    probe_config(cfg, &pr->cfg);
    pr->stop = (struct client_stop){
        .flag = &pr->stop_flag, .on_interval = probe_interval, .ctx = &pr->live};
    /* The probe's thread is made here: through an emulated link it is in
     * this thread's namespace, the client's. */
    if (pthread_create(&th, NULL, probe_main, pr) != 0) {
        free(pr);
        memset(out, 0, sizeof(*out));
        result_init(&out->result);
        return snprintf(err, errlen, "client: cannot start the probe's thread"), -1;
    }
    wait_idle(pr, stop);
    int rc = client_run_load(cfg, stop, &pr->live, out, err, errlen);
    pr->stop_flag = 1;
    pthread_join(th, NULL);
    if (pr->rc != 0 && rc == 0) {
        snprintf(err, errlen, "probe %s: %s", cfg->probe, pr->err);
        out->result.errors = (isnan(out->result.errors) ? 0 : out->result.errors) + 1;
        rc = -1;
    }
    probe_fill(cfg, pr, out);
    intervals_after(stop, out);
    client_output_close(&pr->out);
    free(pr);
    return rc;
}
