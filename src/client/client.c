/* client_run: one test. Talks to the server over the control connection,
 * starts the workers, keeps the schedule (marks to the server, interval
 * hand-over, Ctrl-C), then merges everything into the result. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "client_int.h"
#include "steal.h"
#include "transport_tls.h"

#define MAX_STORED_INTERVALS 3600
#define SUP_IDLE_NS 50000000u /* how often the supervisor looks at Ctrl-C */

static int check_probe(const struct netrig_config *cfg, char *err, size_t errlen)
{
    if (!client_probe_on(cfg) && cfg->probe[0] && strcmp(cfg->probe, "none") != 0)
        return snprintf(err, errlen, "probe %s: expected udp, tcp or none", cfg->probe), -1;
    if (client_probe_on(cfg) && (cfg->echo || !cfg->server[0]))
        return snprintf(err, errlen,
                        "probe %s: the probe is a flow to a netrig server (--server), "
                        "not with --echo or --url",
                        cfg->probe),
               -1;
    return 0;
}

static int check_cfg(const struct netrig_config *cfg, bool http, char *err, size_t errlen)
{
    uint64_t resp = cfg->resp_size ? cfg->resp_size : cfg->size;
    if (check_probe(cfg, err, errlen) != 0)
        return -1;
    if (cfg->http2 && !http)
        return snprintf(err, errlen, "--http2 needs --proto http or https, or --url"), -1;
    if (cfg->streams > 1 && !cfg->http2)
        return snprintf(err, errlen,
                        "--streams is for HTTP/2: add --http2 (HTTP/1.1 has --pipeline)"),
               -1;
    if (http) {
        if (cfg->mode == MODE_RATE && cfg->rate_per_s <= 0)
            return snprintf(err, errlen, "mode rate needs --rate N/s"), -1;
        if (cfg->mode == MODE_STREAM && cfg->rate_bps > 0 &&
            (cfg->proto == PROTO_WS || cfg->proto == PROTO_WSS || strncmp(cfg->url, "ws", 2) == 0))
            return snprintf(err, errlen, "ws stream: --rate BITS/s pacing is not available"), -1;
        return 0;
    }
    if (cfg->proto == PROTO_TLS && cfg->echo)
        return snprintf(err, errlen, "--echo is plain TCP or UDP; not with --proto tls"), -1;
    if (cfg->proto != PROTO_TCP && cfg->proto != PROTO_UDP && cfg->proto != PROTO_TLS)
        return snprintf(err, errlen, "proto %s: this client drives tcp and udp",
                        proto_name(cfg->proto)),
               -1;
    if (cfg->proto == PROTO_UDP &&
        (cfg->size < WIRE_HDR_LEN || cfg->size > 65507 ||
         (cfg->mode != MODE_STREAM && resp < WIRE_HDR_LEN) || resp > 65507))
        return snprintf(err, errlen,
                        "udp needs --size (and --resp-size) from %d to 65507 bytes: "
                        "each datagram carries a %d-byte sequence header",
                        WIRE_HDR_LEN, WIRE_HDR_LEN),
               -1;
    if (cfg->echo && cfg->resp_size && cfg->resp_size != cfg->size)
        return snprintf(err, errlen,
                        "--echo: an echo server answers with --size bytes; "
                        "--resp-size cannot differ"),
               -1;
    if (cfg->echo && cfg->mode != MODE_RR && cfg->mode != MODE_RATE)
        return snprintf(err, errlen, "--echo works with mode rr or rate only"), -1;
    if (cfg->mode == MODE_RATE && cfg->rate_per_s <= 0)
        return snprintf(err, errlen, "mode rate needs --rate N/s"), -1;
    if (cfg->mode == MODE_CRR && cfg->proto != PROTO_TCP && cfg->proto != PROTO_TLS)
        return snprintf(err, errlen, "mode crr is for tcp"), -1;
    if (cfg->interval_ns && cfg->interval_ns < CONFIG_INTERVAL_MIN_NS)
        return snprintf(err, errlen, "--interval must be at least 10ms"), -1;
    return 0;
}

struct sup {
    int ctrl_fd;
    bool mark1, mark2;
    uint64_t next_iv;
    int64_t steal0; /* steal time at the window's start, ns; -1 unknown */
    bool defer;     /* the server reports intervals: print them all at the end */
    uint64_t scpu0; /* an in-process server's CPU time then (stop->server_cpu_ns) */
};

static void mark(struct client *cl, struct sup *sp, uint8_t phase)
{
    struct ctrl_msg m = {.type = CTRL_MARK};
    m.u.phase = phase;
    if (sp->ctrl_fd >= 0)
        client_ctrl_send(sp->ctrl_fd, &m);
    (void)cl;
}

/* Merges interval k of every worker that has it into one client_interval,
 * reports it and keeps it. Returns false when no worker has it yet (or,
 * unless final, some worker has not). */
static bool take_interval(struct client *cl, struct sup *sp, const struct client_stop *stop,
                          struct client_output *out, bool final)
{
    uint64_t k = sp->next_iv;
    uint32_t have = 0;
    for (uint32_t i = 0; i < cl->nw; i++)
        have += atomic_load_explicit(&cl->w[i].published, memory_order_acquire) > k;
    if (have == 0 || (!final && have < cl->nw))
        return false;
    struct client_interval iv = {0};
    if (hist_init_default(&iv.lat) != 0)
        return false;
    /* A stream's figures are what arrived: what this end wrote is the
     * server's to count (its intervals replace or join these). */
    bool stream = cl->req.mode == MODE_STREAM;
    uint64_t t0 = UINT64_MAX, t1 = 0, bytes = 0, msgs = 0, sent = 0, errors = 0;
    for (uint32_t i = 0; i < cl->nw; i++) {
        struct cworker *wk = &cl->w[i];
        if (atomic_load_explicit(&wk->published, memory_order_acquire) <= k)
            continue;
        const struct civ_slot *sl = &wk->ring[k % CLIENT_IV_RING];
        t0 = sl->t0_ns < t0 ? sl->t0_ns : t0;
        t1 = sl->t1_ns > t1 ? sl->t1_ns : t1;
        bytes += sl->rx_bytes + (stream ? 0 : sl->tx_bytes);
        sent += sl->tx_bytes;
        msgs += sl->msgs;
        errors += sl->errors;
        hist_add(&iv.lat, &sl->lat);
        atomic_store_explicit(&wk->consumed, k + 1, memory_order_release);
    }
    if (!stream && !cl->http) /* as the row: completed transactions, both ways */
        bytes = msgs * (cl->req.size + (cl->req.resp_size ? cl->req.resp_size : cl->req.size));
    double secs = t1 > t0 ? (double)(t1 - t0) / 1e9 : 0;
    iv.t_start_s = (double)(t0 - cl->t_measure) / 1e9;
    iv.t_end_s = (double)(t1 - cl->t_measure) / 1e9;
    iv.goodput_bps = secs > 0 ? 8.0 * (double)bytes / secs : 0;
    iv.msgs_per_s = secs > 0 ? (double)msgs / secs : 0;
    iv.messages = (double)msgs;
    iv.errors = (double)errors;
    iv.probe_p50_us = iv.probe_p99_us = NAN;
    if (cl->probe && atomic_load(&cl->probe->n) > 0) {
        iv.probe_p50_us = (double)atomic_load(&cl->probe->p50_ns) / 1e3;
        iv.probe_p99_us = (double)atomic_load(&cl->probe->p99_ns) / 1e3;
    }
    /* Rounded up: no interval starts before the log (--hlog) does. */
    iv.lat.start_ms = (int64_t)ceil(out->start_wall_s * 1e3 + iv.t_start_s * 1e3);
    iv.lat.end_ms = (int64_t)ceil(out->start_wall_s * 1e3 + iv.t_end_s * 1e3);
    if (stop && stop->on_interval && !sp->defer) {
        stop->on_interval(&iv, stop->ctx);
    } else if (stop && stop->on_interval) {
        struct client_interval live = iv;
        live.sent = true;
        live.source = IV_CLIENT_SENT;
        live.goodput_bps = secs > 0 ? 8.0 * (double)sent / secs : 0;
        live.msgs_per_s = secs > 0 ? (double)sent / (double)cl->req.size / secs : 0;
        live.messages = (double)sent / (double)cl->req.size;
        stop->on_interval(&live, stop->ctx);
    }
    struct client_interval *grown = NULL;
    if (out->nintervals < MAX_STORED_INTERVALS)
        grown = realloc(out->intervals, (out->nintervals + 1) * sizeof(*grown));
    if (grown) {
        out->intervals = grown;
        out->intervals[out->nintervals++] = iv;
    } else {
        hist_close(&iv.lat);
    }
    sp->next_iv++;
    return true;
}

static bool all_ended(struct client *cl)
{
    for (uint32_t i = 0; i < cl->nw; i++)
        if (!atomic_load(&cl->w[i].ended))
            return false;
    return true;
}

static bool all_finished(struct client *cl)
{
    for (uint32_t i = 0; i < cl->nw; i++)
        if (!atomic_load(&cl->w[i].finished))
            return false;
    return true;
}

/* Sleeps until a worker has news (it ended, finished or published an
 * interval), the measuring starts, or a while has passed (Ctrl-C is a
 * flag). Waking seldom matters: this thread shares the CPUs with the
 * workers it watches. */
static void sup_wait(struct client *cl, const struct sup *sp, uint64_t now, uint64_t look)
{
    uint64_t wait = cl->wake_fd >= 0 ? SUP_IDLE_NS : 1000000u;
    uint64_t next = look ? look : cl->t_measure; /* a held window: the next look */
    if (!sp->mark1 && next < now + wait)
        wait = next > now ? next - now : 0;
    struct timespec ts = {(time_t)(wait / 1000000000u), (long)(wait % 1000000000u)};
    struct pollfd p = {.fd = cl->wake_fd, .events = POLLIN};
    if (ppoll(&p, 1, &ts, NULL) > 0) {
        uint64_t v;
        ssize_t r = read(cl->wake_fd, &v, sizeof(v));
        (void)r;
    }
}

/* client_run's own loop while the workers run: marks to the server at
 * the schedule's turns, intervals, and Ctrl-C. */
static void supervise(struct client *cl, struct sup *sp, const struct client_stop *stop,
                      struct client_output *out)
{
    bool stopped = false, count_stream = cl->cfg->count && cl->req.mode == MODE_STREAM;
    for (;;) {
        uint64_t now = clock_now_ns();
        uint64_t look = client_settle_check(cl, now);
        if (!sp->mark1 && !look && now >= cl->t_measure) {
            sp->mark1 = true;
            sp->steal0 = steal_now_ns();
            if (stop && stop->server_cpu_ns)
                sp->scpu0 = stop->server_cpu_ns(stop->server);
            /* The wall time of the window's start, not of this look at it:
             * the intervals' times count from there. */
            out->start_wall_s =
                (double)clock_wall_ns() / 1e9 - (double)(clock_now_ns() - cl->t_measure) / 1e9;
            mark(cl, sp, CTRL_PHASE_MEASURE);
        }
        if (!stopped && stop && stop->flag && *stop->flag) {
            stopped = true;
            atomic_store(&cl->stop_now, true);
            for (uint32_t i = 0; i < cl->nw; i++)
                client_worker_stop(&cl->w[i]);
        }
        bool ended = all_ended(cl), finished = all_finished(cl);
        if (ended && !sp->mark2 && (!count_stream || finished)) {
            if (sp->mark1)
                mark(cl, sp, CTRL_PHASE_DONE);
            sp->mark2 = true;
        }
        while (take_interval(cl, sp, stop, out, false))
            ;
        if (finished)
            break;
        sup_wait(cl, sp, now, look);
    }
    while (take_interval(cl, sp, stop, out, true))
        ;
    if (!sp->mark2) {
        if (sp->mark1)
            mark(cl, sp, CTRL_PHASE_DONE);
        sp->mark2 = true;
    }
}

/* The server's intervals of a stream it received: they replace the
 * client's (which counted nothing received), or for --bidir add to what
 * the client received in the interval of the same index. */
static int server_intervals(struct client *cl, int fd, struct client_output *out, char *err,
                            size_t errlen)
{
    struct client_interval *sv = NULL;
    size_t n = 0;
    int rc = client_ctrl_intervals(cl, fd, out->start_wall_s, &sv, &n, err, errlen);
    bool bidir = cl->req.flags & CTRL_F_BIDIR;
    size_t keep = bidir ? out->nintervals : 0;
    for (size_t i = keep; i < out->nintervals; i++)
        hist_close(&out->intervals[i].lat);
    out->nintervals = keep;
    for (size_t i = 0; i < n; i++) {
        if (i < keep) {
            struct client_interval *d = &out->intervals[i];
            d->goodput_bps += sv[i].goodput_bps;
            d->msgs_per_s += sv[i].msgs_per_s;
            d->messages += sv[i].messages;
            d->source = IV_BOTH;
            hist_add(&d->lat, &sv[i].lat);
            hist_close(&sv[i].lat);
            continue;
        }
        struct client_interval *grown =
            realloc(out->intervals, (out->nintervals + 1) * sizeof(*grown));
        if (!grown) {
            hist_close(&sv[i].lat);
            continue;
        }
        out->intervals = grown;
        out->intervals[out->nintervals++] = sv[i];
    }
    free(sv);
    return rc;
}

static int start_workers(struct client *cl, char *err, size_t errlen)
{
    cl->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); /* -1: the supervisor polls */
    cl->w = calloc(cl->nw, sizeof(*cl->w));
    if (!cl->w)
        return snprintf(err, errlen, "client: out of memory"), -1;
    pthread_barrier_init(&cl->ready, NULL, cl->nw + 1);
    pthread_barrier_init(&cl->go, NULL, cl->nw + 1);
    for (uint32_t i = 0; i < cl->nw; i++) {
        cl->w[i].cl = cl;
        cl->w[i].idx = i;
        if (pthread_create(&cl->w[i].th, NULL, client_worker_main, &cl->w[i]) != 0) {
            /* Without all threads the barriers would never open. */
            snprintf(err, errlen, "client: cannot start thread %u", i);
            abort();
        }
    }
    pthread_barrier_wait(&cl->ready);
    int ok = 0;
    for (uint32_t i = 0; i < cl->nw; i++) {
        if (cl->w[i].rc == 0)
            ok++;
        else if (!err[0])
            snprintf(err, errlen, "%s", cl->w[i].err);
    }
    if (ok == 0)
        atomic_store(&cl->stop_now, true);
    uint64_t now = clock_now_ns();
    cl->t_start = now + 1000000u;
    cl->t_measure = cl->t_start + cl->warmup_ns;
    cl->t_end = cl->t_measure + cl->req.duration_ns;
    pthread_barrier_wait(&cl->go);
    return ok ? 0 : -1;
}

/* Merges the workers' counters; the window is the longest worker's, the
 * CPU time the workers' own in their windows (the process's would count
 * an embedded server too). */
static void stop_workers(struct client *cl, struct stats *merged, double *window_s, double *cpu_s)
{
    uint64_t done = 0, cpu = 0;
    for (uint32_t i = 0; i < cl->nw; i++) {
        struct cworker *wk = &cl->w[i];
        pthread_join(wk->th, NULL);
        stats_add(merged, &wk->st);
        if (wk->t_done_ns > done)
            done = wk->t_done_ns;
        if (wk->cpu0_ns && wk->cpu1_ns > wk->cpu0_ns)
            cpu += wk->cpu1_ns - wk->cpu0_ns;
        stats_close(&wk->st);
        for (int k = 0; k < CLIENT_IV_RING; k++)
            hist_close(&wk->ring[k].lat);
        loop_free(wk->loop);
        free(wk->rxbuf);
        free(wk->ub);
        free(wk->eps);
        free(wk->looks);
    }
    *window_s = done > cl->t_measure ? (double)(done - cl->t_measure) / 1e9 : 0;
    *cpu_s = (double)cpu / 1e9;
    pthread_barrier_destroy(&cl->ready);
    pthread_barrier_destroy(&cl->go);
    if (cl->wake_fd >= 0)
        close(cl->wake_fd);
    cl->wake_fd = -1;
    free(cl->w);
}

int client_check(const struct netrig_config *cfg, char *err, size_t errlen)
{
    struct cpulist cpus;
    if (check_cfg(cfg, http_target_wanted(cfg), err, errlen) != 0 ||
        cpulist_parse(cfg->cpu, &cpus, err, errlen) != 0 || cpulist_check(&cpus, err, errlen) != 0)
        return -1;
    /* The HTTP request and the TLS context are built as a run builds them:
     * a method, header, cipher or CA file it would refuse is refused here. */
    if (http_target_wanted(cfg)) {
        struct http_target *t = calloc(1, sizeof(*t));
        if (!t)
            return snprintf(err, errlen, "client: out of memory"), -1;
        int rc = http_target_init(t, cfg, err, errlen);
        if (rc == 0)
            http_target_close(t);
        free(t);
        return rc;
    }
    if (cfg->proto == PROTO_TLS) {
        struct tls_ctx t = {0};
        struct tls_opts o;
        tls_client_opts(&o, cfg, NULL);
        if (tls_client_init(&t, &o, err, errlen) != 0)
            return -1;
        tls_close(&t);
    }
    return 0;
}

/* --proto tls: the client context of the data connections, handed to the
 * TLS transport with the name to send (SNI) and check. */
static int tls_setup(struct client *cl, const struct netrig_config *cfg, char *err, size_t errlen)
{
    struct tls_opts o;
    tls_client_opts(&o, cfg, NULL);
    char host[256];
    uint16_t port;
    if (net_split_hostport(cfg->server, 7878, host, sizeof(host), &port) != 0)
        return snprintf(err, errlen, "bad --server '%s': expected HOST:PORT", cfg->server), -1;
    cl->tls = calloc(1, sizeof(*cl->tls));
    if (!cl->tls)
        return snprintf(err, errlen, "client: out of memory"), -1;
    if (tls_client_init(cl->tls, &o, err, errlen) != 0) {
        free(cl->tls);
        cl->tls = NULL;
        return -1;
    }
    transport_tls_client(cl->tls, host, cfg->resume);
    return 0;
}

int client_run_load(const struct netrig_config *cfg, const struct client_stop *stop,
                    struct probe_live *probe, struct client_output *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    result_init(&out->result);
    err[0] = '\0';
    struct client cl = {.cfg = cfg, .probe = probe};
    struct sup sp = {.ctrl_fd = -1, .steal0 = -1};
    struct stats cs;
    struct ctrl_result sr = {0};
    struct hist sh = {0};
    bool have_sr = false, have_sh = false;
    int rc = -1;
    if (hist_init_default(&out->lat) != 0 || hist_init_default(&out->connect) != 0 ||
        stats_init(&cs) != 0)
        return snprintf(err, errlen, "client: out of memory"), -1;
    struct http_target *http = NULL;
    bool want_http = http_target_wanted(cfg); /* the one place that decides */
    if (check_cfg(cfg, want_http, err, errlen) != 0 ||
        cpulist_parse(cfg->cpu, &cl.cpus, err, errlen) != 0 ||
        cpulist_check(&cl.cpus, err, errlen) != 0)
        goto out;
    if (want_http) {
        http = calloc(1, sizeof(*http));
        if (!http || http_target_init(http, cfg, err, errlen) != 0)
            goto out;
        cl.http = http;
    }
    if (cfg->proto == PROTO_TLS && !http && tls_setup(&cl, cfg, err, errlen) != 0)
        goto out;
    if (net_parse_addr(http ? http->addr : cfg->server, 7878, &cl.addr, err, errlen) != 0)
        goto out;
    if (cfg->ipv6 && cl.addr.ss.ss_family != AF_INET6) {
        snprintf(err, errlen, "ipv6 asked for, but %s is an IPv4 address",
                 http ? http->addr : cfg->server);
        goto out;
    }
    cl.tune.mss = cfg->mss;
    cl.tune.window = (uint32_t)cfg->window;
    snprintf(cl.tune.cc, sizeof(cl.tune.cc), "%s", cfg->cc);
    if (cfg->proto != PROTO_UDP && net_tune_check(&cl.tune, cl.addr.ss.ss_family, err, errlen) != 0)
        goto out;
    client_ctrl_request(cfg, &cl.req);
    client_settle_plan(&cl);
    cl.iv_ns = cfg->interval_ns ? cfg->interval_ns : (cfg->hlog[0] ? 1000000000ull : 0);
    if (cl.iv_ns && !cfg->echo && !http && cl.req.mode == MODE_STREAM &&
        !(cl.req.flags & CTRL_F_REVERSE)) {
        /* The server receives: its intervals are the ones to tell. */
        cl.req.flags |= CTRL_F_INTERVALS;
        cl.req.interval_ns = cl.iv_ns;
        sp.defer = true;
    }
    if (!cfg->echo && !http && (sp.ctrl_fd = client_ctrl_open(&cl, err, errlen)) < 0)
        goto out;
    cl.nw = cl.req.threads < cl.req.conns ? cl.req.threads : cl.req.conns;
    int started = start_workers(&cl, err, errlen);
    supervise(&cl, &sp, stop, out);
    int64_t steal1 = sp.mark1 ? steal_now_ns() : -1;
    struct client_figures f = {.cs = &cs, .http = http, .steal_s = NAN, .server_cpu_s = NAN};
    if (sp.mark1 && stop && stop->server_cpu_ns)
        f.server_cpu_s = (double)(stop->server_cpu_ns(stop->server) - sp.scpu0) / 1e9;
    if (sp.steal0 >= 0 && steal1 >= sp.steal0)
        f.steal_s = (double)(steal1 - sp.steal0) / 1e9;
    stop_workers(&cl, &cs, &f.client_window_s, &f.cpu_client_s);
    if (cl.tls)
        transport_tls_negotiated(&cs.tls_cipher, &cs.tls_version);
    if (started == 0)
        rc = 0;
    if (sp.ctrl_fd >= 0 && started == 0) {
        if (client_ctrl_finish(&cl, sp.ctrl_fd, &sr, &sh, &have_sh, err, errlen) == 0)
            have_sr = true;
        else
            rc = -1;
        if (have_sr && sp.defer && server_intervals(&cl, sp.ctrl_fd, out, err, errlen) != 0)
            rc = -1;
    }
    out->intervals_after = sp.defer; /* client_run hands them on (client_probe.c) */
    f.sr = have_sr ? &sr : NULL;
    f.server_lat = have_sh ? &sh : NULL;
    f.server_window_s = have_sr ? (double)sr.window_ns / 1e9 : 0;
    out->server_figures = have_sr;
    client_result_fill(cfg, &f, out);
    if (started == 0) {
        out->result.warmup_used_s = (double)(cl.t_measure - cl.t_start) / 1e9;
        if (cl.settle_max_ns)
            out->result.warmup_capped = cl.settle_capped;
    }
    out->result.ip_version = cl.addr.ss.ss_family == AF_INET6 ? 6 : 4;
    if (rc != 0)
        out->result.errors = (isnan(out->result.errors) ? 0 : out->result.errors) + 1;
out:
    if (cl.tls) {
        tls_close(cl.tls);
        free(cl.tls);
    }
    if (http) {
        http_target_close(http);
        free(http);
    }
    if (sp.ctrl_fd >= 0)
        close(sp.ctrl_fd);
    if (have_sh)
        hist_close(&sh);
    stats_close(&cs);
    return rc;
}

void client_output_close(struct client_output *out)
{
    if (!out)
        return;
    hist_close(&out->lat);
    hist_close(&out->connect);
    for (size_t i = 0; i < out->nintervals; i++)
        hist_close(&out->intervals[i].lat);
    free(out->intervals);
    out->intervals = NULL;
    out->nintervals = 0;
    for (size_t i = 0; i < out->nprobe_iv; i++)
        hist_close(&out->probe_iv[i].lat);
    free(out->probe_iv);
    out->probe_iv = NULL;
    out->nprobe_iv = 0;
    hist_close(&out->probe_idle);
    hist_close(&out->probe_load);
}
