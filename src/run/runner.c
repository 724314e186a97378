#include "runner.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "clock.h"
#include "events.h"
#include "model_check.h"
#include "netns.h"
#include "opts.h"
#include "plot.h"
#include "progress.h"
#include "rundir.h"
#include "runner_hosts.h"
#include "server.h"
#include "units.h"

/* Set from the signal handler; client_run polls the flag and ends the
 * test early. */
static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_flag = 1;
    stop_signal = sig;
}

struct run {
    const struct scenario *sc;
    const struct runner_opts *o;
    struct results res;
    struct progress con;
    struct server *srv, *srv6; /* embedded servers: IPv4, and IPv6 when a step asks */
    char srv_addr[256], srv6_addr[256];
    char srv_meta[256];     /* the first embedded server, for meta.json */
    struct netns_link link; /* emulated link, when link = tbf:RATE */
    bool linked;
    const char *link_now; /* the spec of the link up now */
    size_t skipped;       /* optional steps left out (a link without root) */
    size_t tests_total;   /* steps x repeats */
    double planned_left_s;
    char msg[1024];            /* why the run stopped, "" when it did not */
    struct events ev;          /* --events: the live stream (off when not asked for) */
    struct remote_set hosts;   /* client_hosts: every step on these over ssh */
    struct remote_server rsrv; /* server_host: the run's server, over ssh */
    bool multi;
    bool host_failed; /* a client host failed: the run's exit says so */
    char *hosts_json;
    size_t failed; /* tests whose row says failed (their rows are kept) */
    char first_failed[768];
};

double runner_planned_s(const struct scenario_step *st)
{
    return (double)(config_warmup_ns(&st->cfg) + st->cfg.duration_ns) / 1e9;
}

static bool needs_server(const struct scenario *sc, const struct runner_opts *o)
{
    if (runner_hosts_server_host(sc, o->server_host))
        return false;
    if (runner_hosts_list(sc, o->client_hosts)) /* far hosts cannot reach a loopback server */
        return false;
    for (size_t i = 0; i < sc->nsteps; i++) {
        const struct scenario_step *st = &sc->steps[i];
        if (!scenario_step_has_peer(st) && !o->server)
            return true;
    }
    return false;
}

/* The config one repetition runs with: the step's, with the peer the
 * command line or the embedded server gives. */
static void step_config(const struct run *R, const struct scenario_step *st,
                        struct netrig_config *cfg)
{
    *cfg = st->cfg;
    if (R->o->server && cfg->url[0] == '\0')
        snprintf(cfg->server, sizeof(cfg->server), "%s", R->o->server);
    else if (!scenario_step_has_peer(st))
        snprintf(cfg->server, sizeof(cfg->server), "%s", cfg->ipv6 ? R->srv6_addr : R->srv_addr);
    if (R->linked) {
        cfg->link_rate_bps = R->link.rate_bps; /* C for the model */
        cfg->link_queue_bytes = R->link.queue_bytes;
        cfg->link[0] = '\0'; /* the runner made the link */
    }
    cfg->quiet = true; /* the runner owns the console */
    cfg->json = false;
    cfg->csv[0] = cfg->hlog[0] = cfg->events[0] = '\0';
    if (cfg->interval_ns == 0)
        cfg->interval_ns = 1000000000ULL; /* one .hlog interval per second */
}

/* Latency in microseconds (the CSV's unit) for humans; "-" when the
 * test measured none. */
static const char *fmt_us(double us, char *buf, unsigned len)
{
    if (isnan(us)) {
        snprintf(buf, len, "-");
        return buf;
    }
    return units_fmt_ns(us * 1000, buf, len);
}

static const char *fmt_bps(double bps, char *buf, unsigned len)
{
    if (isnan(bps)) {
        snprintf(buf, len, "-");
        return buf;
    }
    return units_fmt_bps(bps, buf, len);
}

static void result_line(struct run *R, const struct scenario_step *st, uint32_t rep,
                        const struct test_result *t)
{
    char gp[32], p50[32], p99[32];
    fmt_bps(t->goodput_bps, gp, sizeof(gp));
    fmt_us(t->lat_p50_us, p50, sizeof(p50));
    fmt_us(t->lat_p99_us, p99, sizeof(p99));
    char name[160];
    if (st->repeat > 1)
        snprintf(name, sizeof(name), "%s #%u", st->name, rep);
    else
        snprintf(name, sizeof(name), "%s", st->name);
    /* Steal worth naming: a tenth of a percent of a core and more. */
    char steal[48] = "";
    if (t->steal_pct >= 0.1)
        snprintf(steal, sizeof(steal), "  host steal %.1f %%", t->steal_pct);
    progress_line(&R->con, "  %s: %s  p50 %s  p99 %s  errors %.0f%s", name, gp, p50, p99,
                  isnan(t->errors) ? 0 : t->errors, steal);
}

static uint64_t embedded_cpu_ns(void *srv)
{
    return server_cpu_ns(srv);
}

static void event_interval(const struct client_interval *iv, void *ctx)
{
    events_interval(ctx, iv);
}
static int run_one_hosts(struct run *R, size_t i, uint32_t rep, const struct netrig_config *cfg,
                         double planned);
/* A test that ran but failed (nothing succeeded, too many errors): its
 * row is kept, the run goes on, and its exit status says so at the end. */
static void step_failed(struct run *R, size_t i, uint32_t rep, const char *why)
{
    const struct scenario_step *st = &R->sc->steps[i];
    progress_line(&R->con, "  FAILED: %s", why);
    if (R->failed++ == 0)
        snprintf(R->first_failed, sizeof(R->first_failed), "step %zu of %zu '%s' (repeat %u): %s",
                 i + 1, R->sc->nsteps, st->name, rep, why);
}

/* One repetition. Returns 0 done, 1 interrupted, -1 failed (R->msg). */
static int run_one(struct run *R, size_t i, uint32_t rep)
{
    const struct scenario_step *st = &R->sc->steps[i];
    char what[300], err[512] = "";
    char reps[32] = "";
    if (st->repeat > 1)
        snprintf(reps, sizeof(reps), ", repeat %u/%u", rep, st->repeat);
    snprintf(what, sizeof(what), "[%zu/%zu] %s (%s %s)%s", i + 1, R->sc->nsteps, st->name,
             proto_name(st->cfg.proto), mode_name(st->cfg.mode), reps);
    double planned = runner_planned_s(st);
    progress_begin(&R->con, what, planned, R->planned_left_s);
    struct netrig_config cfg;
    step_config(R, st, &cfg);
    struct client_output out;
    if (R->multi)
        return run_one_hosts(R, i, rep, &cfg, planned);
    struct client_stop stop = {.flag = &stop_flag, .on_interval = NULL, .ctx = NULL};
    events_step(&R->ev, i + 1, st->name, rep, &cfg);
    if (R->ev.f) {
        stop.on_interval = event_interval;
        stop.ctx = &R->ev;
    }
    /* A step on the embedded server: its threads' CPU time in the window
     * is the server CPU of rows whose server sends no figures (HTTP). */
    stop.server = scenario_step_has_peer(st) || R->o->server ? NULL : cfg.ipv6 ? R->srv6 : R->srv;
    stop.server_cpu_ns = stop.server ? embedded_cpu_ns : NULL;
    int rc = client_run(&cfg, &stop, &out, err, sizeof(err));
    /* What the model needs to re-check the row later, from the file alone. */
    out.result.link_rate_bps = cfg.link_rate_bps;
    out.result.tolerance_pct = cfg.tolerance_pct;
    progress_end(&R->con, planned);
    R->planned_left_s -= planned;
    int ret = 0;
    if (stop_flag) {
        snprintf(R->msg, sizeof(R->msg), "interrupted (%s) during step %zu of %zu '%s', repeat %u",
                 stop_signal == SIGTERM ? "SIGTERM" : "SIGINT", i + 1, R->sc->nsteps, st->name,
                 rep);
        ret = 1;
    } else if (rc != 0) {
        snprintf(R->msg, sizeof(R->msg), "step %zu of %zu '%s' failed (repeat %u): %s", i + 1,
                 R->sc->nsteps, st->name, rep, err[0] ? err : "unknown error");
        ret = -1;
    } else if (rundir_add(&R->res, rep, &out, err, sizeof(err)) != 0) {
        snprintf(R->msg, sizeof(R->msg), "step %zu of %zu '%s': cannot write results: %s", i + 1,
                 R->sc->nsteps, st->name, err);
        ret = -1;
    } else {
        result_line(R, st, rep, &out.result);
        events_end(&R->ev, &out.result);
        if (out.result.failed[0])
            step_failed(R, i, rep, out.result.failed);
    }
    if (ret != 0)
        events_error(&R->ev, what, R->msg);
    client_output_close(&out);
    return ret;
}

/* One repetition on every client host: their rows, then the "all" row
 * as the step's. A host that fails is named and left out of the later
 * steps; the others' rows are kept. Returns as run_one. */
static int run_one_hosts(struct run *R, size_t i, uint32_t rep, const struct netrig_config *cfg,
                         double planned)
{
    const struct scenario_step *st = &R->sc->steps[i];
    char err[2048] = "";
    struct client_output out;
    int rc = runner_hosts_step(&R->hosts, &R->res, rep, cfg, &stop_flag, &out, err, sizeof(err));
    progress_end(&R->con, planned);
    R->planned_left_s -= planned;
    if (rc != 0 && !stop_flag) {
        char line[sizeof(R->msg)];
        snprintf(line, sizeof(line), "step %zu of %zu '%s' (repeat %u): %.700s", i + 1,
                 R->sc->nsteps, st->name, rep, err);
        progress_line(&R->con, "  %s", line);
        if (!R->host_failed) /* the first failure says why */
            snprintf(R->msg, sizeof(R->msg), "%s", line);
        R->host_failed = true;
    }
    int ret = rc < 0 ? -1 : 0;
    char werr[512];
    if (rc >= 0 && rundir_add(&R->res, rep, &out, werr, sizeof(werr)) != 0) {
        snprintf(R->msg, sizeof(R->msg), "step %zu of %zu '%s': cannot write results: %s", i + 1,
                 R->sc->nsteps, st->name, werr);
        ret = -1;
    } else if (rc >= 0) {
        result_line(R, st, rep, &out.result);
        progress_line(&R->con, "    hosts %s, start skew %.3f ms", out.result.hosts,
                      R->hosts.skew_s * 1e3);
    }
    free(R->hosts_json);
    R->hosts_json = remote_hosts_json(&R->hosts);
    R->res.meta.hosts_json = R->hosts_json;
    client_output_close(&out);
    if (stop_flag) {
        snprintf(R->msg, sizeof(R->msg), "interrupted (%s) during step %zu of %zu '%s', repeat %u",
                 stop_signal == SIGTERM ? "SIGTERM" : "SIGINT", i + 1, R->sc->nsteps, st->name,
                 rep);
        return 1;
    }
    return ret;
}

/* One embedded server listening on addr (port 0: the kernel's pick). */
static struct server *start_one(struct run *R, const char *addr, char *bound, size_t boundlen)
{
    struct server_config sc;
    char err[512];
    server_config_defaults(&sc);
    snprintf(sc.listen, sizeof(sc.listen), "%s:0", addr);
    sc.quiet = true;
    struct server *srv = NULL;
    /* Through an emulated link the server's sockets and threads live in
     * one namespace, the client's (made later on this thread) in the other. */
    if (!R->linked || netns_link_enter(&R->link, NETNS_SERVER, err, sizeof(err)) == 0)
        srv = server_start(&sc, bound, boundlen, err, sizeof(err));
    if (srv && R->linked && netns_link_enter(&R->link, NETNS_CLIENT, err, sizeof(err)) != 0) {
        server_stop(srv);
        srv = NULL;
    }
    if (!srv) {
        snprintf(R->msg, sizeof(R->msg), "cannot start the embedded server on %s: %s", sc.listen,
                 err);
        return NULL;
    }
    progress_line(&R->con, "embedded server on %s", bound);
    return srv;
}

static bool wants_ipv6(const struct scenario *sc)
{
    for (size_t i = 0; i < sc->nsteps; i++)
        if (sc->steps[i].cfg.ipv6 && !scenario_step_has_peer(&sc->steps[i]))
            return true;
    return false;
}

/* The embedded server, and a second one on IPv6 (::1, or the link's
 * 2001:2::1) when a step without a peer of its own asks for IPv6. */
static int start_server(struct run *R)
{
    R->srv =
        start_one(R, R->linked ? NETNS_SERVER_ADDR : "127.0.0.1", R->srv_addr, sizeof(R->srv_addr));
    if (!R->srv)
        return -1;
    if (wants_ipv6(R->sc) && !R->o->server) {
        R->srv6 = start_one(R, R->linked ? "[" NETNS_SERVER_ADDR6 "]" : "[::1]", R->srv6_addr,
                            sizeof(R->srv6_addr));
        if (!R->srv6)
            return -1;
    }
    return 0;
}

/* The link step st runs through: --link, else its link option, else
 * NULL (loopback or its own peer). */
static const char *step_link(const struct scenario_step *st, const struct runner_opts *o)
{
    if (o->link && o->link[0])
        return o->link;
    return st->cfg.link[0] ? st->cfg.link : NULL;
}

/* The first link of the run, for --dry-run and the plan. */
static const char *link_spec(const struct scenario *sc, const struct runner_opts *o)
{
    for (size_t i = 0; i < sc->nsteps; i++)
        if (step_link(&sc->steps[i], o))
            return step_link(&sc->steps[i], o);
    return NULL;
}

/* A step netrig leaves out here: optional, and its link needs root. */
static bool step_skipped(const struct scenario_step *st, const struct runner_opts *o)
{
    return st->cfg.optional && !(o->link && o->link[0]) && step_link(st, o) && geteuid() != 0;
}

/* Steps that need a link cannot run without root: said before a results
 * folder is made. Returns 0, or -1 with a message. */
static int check_root(const struct scenario *sc, const struct runner_opts *o, char *err,
                      size_t errlen)
{
    for (size_t i = 0; i < sc->nsteps && geteuid() != 0; i++) {
        const char *spec = step_link(&sc->steps[i], o);
        if (spec && !step_skipped(&sc->steps[i], o)) {
            snprintf(err, errlen,
                     "%s: step '%s' runs through link = %s, which needs root (network "
                     "namespaces and tc): run it with sudo, or without the link",
                     o->link && o->link[0] ? "--link" : sc->file, sc->steps[i].name, spec);
            return -1;
        }
    }
    return 0;
}

/* The emulated link spec: steps that share it in a row share one link.
 * Returns 0 or -1 (R->msg). */
static int link_begin(struct run *R, const char *spec)
{
    char err[512];
    if (R->o->server) {
        snprintf(R->msg, sizeof(R->msg), "link = %s runs its own server: drop --server", spec);
        return -1;
    }
    if (netns_link_setup(spec, &R->link, err, sizeof(err)) != 0) {
        snprintf(R->msg, sizeof(R->msg), "%s", err);
        return -1;
    }
    R->linked = true;
    R->link_now = spec;
    if (!(R->res.meta.link_rate_bps > 0))
        R->res.meta.link_rate_bps = R->link.rate_bps; /* the rows carry their own C */
    progress_line(&R->con, "emulated link %s: namespaces %s and %s", spec, R->link.ns[0],
                  R->link.ns[1]);
    return 0;
}

static void link_end(struct run *R)
{
    char err[256];
    if (R->linked && netns_link_leave(&R->link, err, sizeof(err)) != 0)
        progress_line(&R->con, "%s", err);
    netns_link_teardown(&R->link);
    R->linked = false;
    R->link_now = NULL;
}

static void stop_servers(struct run *R)
{
    if (R->srv6)
        server_stop(R->srv6);
    if (R->srv)
        server_stop(R->srv);
    R->srv = R->srv6 = NULL;
}

/* The peer step st needs: the embedded server on loopback, or across the
 * step's link (made when the link changes, its server with it). */
static int ensure_peer(struct run *R, const struct scenario_step *st)
{
    const char *want = step_link(st, R->o);
    bool need_srv = want || (!scenario_step_has_peer(st) && !R->o->server);
    bool same_link = want ? R->linked && strcmp(want, R->link_now) == 0 : !R->linked;
    if (same_link && (R->srv || !need_srv))
        return 0;
    if (!same_link) {
        stop_servers(R);
        link_end(R);
        if (want && link_begin(R, want) != 0)
            return -1;
    }
    if (need_srv && !R->srv && start_server(R) != 0)
        return -1;
    if (R->srv && !R->res.meta.embedded) {
        snprintf(R->srv_meta, sizeof(R->srv_meta), "%s", R->srv_addr);
        R->res.meta.server = R->srv_meta;
        R->res.meta.embedded = true;
    }
    return 0;
}

static int run_steps(struct run *R)
{
    for (size_t i = 0; i < R->sc->nsteps; i++) {
        const struct scenario_step *st = &R->sc->steps[i];
        if (rundir_step_begin(&R->res, i) != 0) {
            snprintf(R->msg, sizeof(R->msg), "step %zu: out of memory", i + 1);
            return -1;
        }
        if (step_skipped(st, R->o)) {
            progress_line(&R->con, "[%zu/%zu] %s: skipped: link = %s needs root", i + 1,
                          R->sc->nsteps, st->name, step_link(st, R->o));
            R->skipped++;
            rundir_step_end(&R->res);
            continue;
        }
        if (!stop_flag && ensure_peer(R, st) != 0) {
            events_error(&R->ev, "run", R->msg); /* the link or the server */
            rundir_step_end(&R->res);
            return -1;
        }
        for (uint32_t rep = 1; rep <= st->repeat; rep++) {
            int rc = stop_flag ? 1 : run_one(R, i, rep);
            if (rc == 1 && R->msg[0] == '\0')
                snprintf(R->msg, sizeof(R->msg), "interrupted before step %zu of %zu '%s'", i + 1,
                         R->sc->nsteps, st->name);
            if (rc != 0) {
                rundir_step_end(&R->res);
                return rc;
            }
        }
        rundir_step_end(&R->res);
    }
    return 0;
}

static void print_table(struct run *R)
{
    struct summary_step *s = NULL;
    size_t n = 0;
    if (summary_group(R->res.rows, R->res.nrows, &s, &n) != 0)
        return;
    progress_line(&R->con, "%s", "");
    progress_line(&R->con, "%-36s %5s %26s %12s %10s %10s", "step", "runs", "goodput (95% CI)",
                  "msgs/s", "p50", "p99");
    for (size_t i = 0; i < R->sc->nsteps; i++) {
        const struct scenario_step *st = &R->sc->steps[i];
        const struct summary_step *x = NULL;
        for (size_t j = 0; j < n && !x; j++)
            if (strcmp(s[j].first.step, st->name) == 0)
                x = &s[j];
        if (!x) {
            progress_line(&R->con, "%-36.36s %2u/%-2u %26s", st->name, 0, st->repeat,
                          step_skipped(st, R->o) ? "skipped (root)" : "not run");
            continue;
        }
        char gp[32], ci[48], p50[32], p99[32];
        const struct confint *g = &x->ci[SUMMARY_GOODPUT];
        fmt_bps(g->mean, gp, sizeof(gp));
        if (x->nrows < SUMMARY_CI_MIN_N)
            snprintf(ci, sizeof(ci), "%s (no CI: n=%zu)", gp, x->nrows);
        else if (!isnan(g->half) && g->mean > 0)
            snprintf(ci, sizeof(ci), "%s +/-%.1f%%", gp, 100 * g->half / g->mean);
        else
            snprintf(ci, sizeof(ci), "%s", gp);
        fmt_us(x->ci[SUMMARY_P50].mean, p50, sizeof(p50));
        fmt_us(x->ci[SUMMARY_P99].mean, p99, sizeof(p99));
        progress_line(&R->con, "%-36.36s %2zu/%-2u %26s %12.0f %10s %10s", st->name, x->nrows,
                      st->repeat, ci, x->ci[SUMMARY_MSGS].mean, p50, p99);
    }
    free(s);
}

/* Misses of rows without a known link: their C is the CPU's, which
 * whatever else runs on the machine shares. Says so once, with the load. */
static void loopback_hint(struct run *R)
{
    double load = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f && fscanf(f, "%lf", &load) != 1)
        load = -1;
    if (f)
        fclose(f);
    char what[96] = "";
    if (load >= 0)
        snprintf(what, sizeof(what), " (load average %.1f on %ld cores)", load,
                 sysconf(_SC_NPROCESSORS_ONLN));
    progress_line(&R->con,
                  "model: without a link the CPU sets the rate, shared with all else that "
                  "runs%s: a row off its sweep's line may be noise; rerun on a quiet machine, "
                  "or check against a known link (root)",
                  what);
}

/* The rows the model puts outside its tolerance, each by step. */
static void model_misses(struct run *R, const struct model_check *mc)
{
    bool unlinked = false;
    for (size_t i = 0; i < mc->file.n; i++) {
        const struct test_result *r = &mc->file.rows[i];
        if (strcmp(r->model_ok, "no") == 0)
            unlinked |= !(r->link_rate_bps > 0);
        if (strcmp(r->model_ok, "no") == 0)
            progress_line(&R->con,
                          "model: step '%s' (%s %s %.0f B): %.3f Mbit/s is %+.3f %% from the "
                          "model's %.3f Mbit/s",
                          r->step, r->proto, r->mode, r->size_bytes, r->goodput_bps / 1e6,
                          r->model_err_pct, r->model_goodput_bps / 1e6);
    }
    if (unlinked)
        loopback_hint(R);
}

/* The sweeps the model could not check, each with the reason. */
static void model_unchecked(struct run *R, const struct model_check *mc)
{
    const struct model_run *run = &mc->run;
    for (size_t g = 0; g < run->ngroups; g++) {
        const struct model_group *x = &run->groups[g];
        if (!x->unchecked)
            continue;
        char conns[32] = "";
        if (x->conns > 1)
            snprintf(conns, sizeof(conns), " conns %g", x->conns);
        progress_line(&R->con, "model: %s %s%s, %zu row%s not checked: %s", x->proto, x->mode,
                      conns, x->nrows, x->nrows == 1 ? "" : "s", x->unchecked);
    }
    for (size_t i = 0; i < run->nrows; i++)
        if (run->row_group[i] == SIZE_MAX)
            progress_line(&R->con, "model: step '%s' not checked: %s", mc->file.rows[i].step,
                          mc->file.rows[i].goodput_bps > 0 ? "no size or protocol" : "no goodput");
}

/* One line: what the model checked, what passed, where to look next. */
static void verdict_line(struct run *R, const struct model_check *mc, int drawn)
{
    const struct model_run *r = &mc->run;
    size_t checked = r->nyes + r->nno + r->ncpu + r->nsteal;
    char steal[48] = "", skip[64] = "", figs[64] = "", next[200];
    if (r->nsteal)
        snprintf(steal, sizeof(steal), ", %zu short by host steal", r->nsteal);
    if (r->nskip)
        snprintf(skip, sizeof(skip), "; %zu not checked (why: above)", r->nskip);
    if (!R->o->no_plot)
        snprintf(figs, sizeof(figs), "; %d figure%s", drawn, drawn == 1 ? "" : "s");
    if (R->skipped)
        snprintf(next, sizeof(next),
                 "; %zu link step%s skipped: as root (sudo) they check the model against a "
                 "known link rate",
                 R->skipped, R->skipped == 1 ? "" : "s");
    else
        snprintf(next, sizeof(next), "; every protocol through a known link: %s",
                 "netrig run scenarios/link-100mbit.ini (root)");
    progress_line(&R->con,
                  "model: checked %zu of %zu rows: %zu within tolerance, %zu outside, %zu "
                  "CPU-bound%s%s%s; open %s/index.html%s",
                  checked, mc->file.n, r->nyes, r->nno, r->ncpu, steal, skip, figs, R->res.dir,
                  next);
}

/* Hooks run on the finished folder, in this order: the goodput model,
 * then the plots (which draw the model's columns too). The last line
 * says what the model checked and where to look next, and the events'
 * done line carries the verdict counts; neither changes the exit status
 * (netrig model DIR gives the model's). */
static void after_run(struct run *R, const char *status)
{
    struct events_model_counts ec, *ecp = NULL;
    if (R->res.nrows == 0) {
        events_done(&R->ev, status, R->res.dir, 0, NULL);
        return;
    }
    char err[4300];
    struct model_check_opts mo;
    struct model_check mc;
    model_check_opts_init(&mo);
    int mrc = model_check_run(R->res.dir, &mo, &mc, err, sizeof(err));
    if (mrc == 0) {
        model_misses(R, &mc);
        model_unchecked(R, &mc);
        ec = (struct events_model_counts){mc.run.nyes, mc.run.nno, mc.run.ncpu, mc.run.nsteal,
                                          mc.run.nskip};
        ecp = &ec;
    } else {
        progress_line(&R->con, "model: %s", err);
    }
    int drawn = 0;
    int rc = R->o->no_plot ? PLOT_OK : plot_run_dir(R->res.dir, &drawn, err, sizeof(err));
    if (rc != PLOT_OK)
        progress_line(&R->con, "plots: %s", err);
    if (mrc == 0)
        verdict_line(R, &mc, drawn);
    else if (!R->o->no_plot)
        progress_line(&R->con, "%d figure%s in %s/plots", drawn, drawn == 1 ? "" : "s", R->res.dir);
    events_done(&R->ev, status, R->res.dir, R->res.nrows, ecp);
    model_check_close(&mc);
}

static void begin_meta(struct run *R, double start_s)
{
    struct meta_run *m = &R->res.meta;
    m->scenario_file = R->sc->file;
    m->scenario_name = R->sc->name;
    m->scenario_text = R->sc->text;
    m->argc = R->o->argc;
    m->argv = R->o->argv;
    m->start_s = start_s;
    m->end_s = -1;
    m->status = "running";
    m->message = "";
    m->server = R->o->server ? R->o->server : "";
    for (size_t i = 0; i < R->sc->nsteps && m->link_rate_bps <= 0; i++)
        m->link_rate_bps = R->sc->steps[i].cfg.link_rate_bps;
}

static int finish(struct run *R, int rc)
{
    if (rc == 0 && R->failed) {
        snprintf(R->msg, sizeof(R->msg), "%zu test%s failed, the first %s", R->failed,
                 R->failed == 1 ? "" : "s", R->first_failed);
        rc = -1;
    }
    char serr[800];
    if (remote_server_stop(&R->rsrv, serr, sizeof(serr)) != 0) {
        progress_line(&R->con, "%s", serr);
        if (rc == 0 || R->msg[0] == '\0')
            snprintf(R->msg, sizeof(R->msg), "%s", serr);
        rc = rc ? rc : -1;
    }
    const char *status = rc == 0 ? "complete" : rc == 1 ? "interrupted" : "failed";
    stop_servers(R);
    link_end(R);
    /* The summaries say what was kept: the rows of summary.csv, which a
     * test whose other files failed still has. */
    size_t n = strlen(R->msg);
    size_t kept = 0; /* tests, not the hosts' parts of them */
    for (size_t k = 0; k < R->res.nrows; k++)
        kept += !result_is_host_row(&R->res.rows[k]);
    if (rc != 0 && n < sizeof(R->msg))
        snprintf(R->msg + n, sizeof(R->msg) - n, "; %zu of %zu tests finished and kept", kept,
                 R->tests_total);
    /* The run may have filled its disk: what was kept aside is for these. */
    rundir_release_reserve(&R->res);
    if (rundir_write_summaries(&R->res, status, R->msg) != 0)
        progress_line(&R->con, "cannot write %s/summary.json: %s", R->res.dir, strerror(errno));
    R->res.meta.end_s = (double)clock_wall_ns() / 1e9;
    R->res.meta.status = status;
    R->res.meta.message = R->msg;
    if (rundir_write_meta(&R->res) != 0)
        progress_line(&R->con, "cannot write %s/meta.json: %s", R->res.dir, strerror(errno));
    print_table(R);
    if (rc != 0)
        progress_line(&R->con, "netrig run: %s", R->msg);
    progress_line(&R->con, "results: %s", R->res.dir);
    after_run(R, status);
    return rc == 0 ? 0 : 1;
}

/* server_host: the run's server on its host over ssh, before the first
 * step. Returns 0, 1 interrupted, or -1 (R->msg). */
static int start_remote_server(struct run *R)
{
    const char *host = runner_hosts_server_host(R->sc, R->o->server_host);
    const char *addr = runner_hosts_server_addr(R->sc, R->o->server);
    char err[900];
    progress_line(&R->con, "starting the server on %s (listen %s) over ssh", host, addr);
    if (runner_hosts_server_start(&R->rsrv, R->sc, host, addr, R->o->netrig_path, R->o->ssh_config,
                                  &stop_flag, err, sizeof(err)) != 0) {
        snprintf(R->msg, sizeof(R->msg), "%s", err);
        events_error(&R->ev, "run", R->msg);
        return stop_flag ? 1 : -1;
    }
    snprintf(R->srv_meta, sizeof(R->srv_meta), "%s", addr); /* outlives R->rsrv */
    R->res.meta.server = R->srv_meta;
    progress_line(&R->con, "server on %s listening on %s", host, addr);
    return 0;
}

static void count_plan(struct run *R)
{
    for (size_t i = 0; i < R->sc->nsteps; i++) {
        if (step_skipped(&R->sc->steps[i], R->o))
            continue;
        R->tests_total += R->sc->steps[i].repeat;
        R->planned_left_s += runner_planned_s(&R->sc->steps[i]) * R->sc->steps[i].repeat;
    }
}

int runner_run(const struct scenario *sc, const struct runner_opts *o)
{
    struct run R;
    memset(&R, 0, sizeof(R));
    R.sc = sc;
    R.o = o;
    double start_s = (double)clock_wall_ns() / 1e9;
    char dir[3000], err[1024];
    if (check_root(sc, o, err, sizeof(err)) != 0 ||
        events_open(&R.ev, o->events, err, sizeof(err)) != 0) {
        fprintf(stderr, "netrig run: %s\n", err);
        return 2;
    }
    if (o->out_dir)
        snprintf(dir, sizeof(dir), "%s", o->out_dir);
    else
        rundir_default_dir(sc->name, start_s, dir, sizeof(dir));
    int orc = rundir_open(&R.res, sc, dir, err, sizeof(err));
    /* Another run took the default folder between its look and its claim:
     * the next look finds the next free name. */
    for (int i = 0; orc == -2 && !o->out_dir && i < 100; i++) {
        rundir_close(&R.res);
        rundir_default_dir(sc->name, start_s, dir, sizeof(dir));
        orc = rundir_open(&R.res, sc, dir, err, sizeof(err));
    }
    if (orc != 0) {
        fprintf(stderr, "netrig run: %s\n", err);
        events_error(&R.ev, "run", err);
        events_close(&R.ev);
        rundir_close(&R.res);
        return 2;
    }
    R.res.run_start_s = start_s;
    progress_init(&R.con, o->console, o->tty);
    char logp[sizeof(R.res.dir) + 16];
    snprintf(logp, sizeof(logp), "%s/run.log", R.res.dir);
    if (progress_open_log(&R.con, logp) != 0)
        fprintf(stderr, "netrig run: cannot write %s: %s\n", logp, strerror(errno));
    count_plan(&R);
    char plan[32];
    progress_fmt_time(R.planned_left_s, plan, sizeof(plan));
    progress_line(&R.con, "netrig run %s: %zu steps, %zu tests, about %s; results in %s", sc->file,
                  sc->nsteps, R.tests_total, plan, R.res.dir);
    begin_meta(&R, start_s);
    events_start(&R.ev, sc->name, sc->nsteps, R.tests_total);
    stop_flag = 0;
    stop_signal = 0;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = (int)SA_RESETHAND; /* a second Ctrl-C ends the process at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int rc = 0;
    if (runner_hosts_list(sc, o->client_hosts)) {
        if (runner_hosts_begin(&R.hosts, sc, runner_hosts_list(sc, o->client_hosts), o->netrig_path,
                               o->ssh_config, err, sizeof(err)) != 0) {
            snprintf(R.msg, sizeof(R.msg), "client_hosts: %.900s", err);
            events_error(&R.ev, "run", R.msg);
            rc = -1;
        }
        R.multi = rc == 0;
    }
    if (rc == 0 && runner_hosts_server_host(sc, o->server_host))
        rc = start_remote_server(&R);
    if (rundir_write_meta(&R.res) != 0)
        progress_line(&R.con, "cannot write %s/meta.json: %s", R.res.dir, strerror(errno));
    if (rc == 0)
        rc = run_steps(&R);
    if (rc == 0 && R.host_failed)
        rc = -1; /* R.msg names the host and why */
    rc = finish(&R, rc);
    remote_close(&R.hosts);
    free(R.hosts_json);
    if (events_close(&R.ev) != 0) {
        progress_line(&R.con, "netrig run: cannot write the events to %s", o->events);
        rc = rc ? rc : 1;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    progress_close(&R.con);
    rundir_close(&R.res);
    return rc;
}

/* One step's config as run_one would hand it to the client, with a
 * stand-in for the embedded server's port. */
static int check_one(const struct scenario_step *st, const struct runner_opts *o, char *err,
                     size_t errlen)
{
    struct netrig_config cfg = st->cfg;
    if (o->server && cfg.url[0] == '\0')
        snprintf(cfg.server, sizeof(cfg.server), "%s", o->server);
    else if (!scenario_step_has_peer(st))
        snprintf(cfg.server, sizeof(cfg.server), "%s", cfg.ipv6 ? "[::1]:1" : "127.0.0.1:1");
    cfg.link[0] = '\0';
    if (cfg.events[0])
        return snprintf(err, errlen,
                        "events = %.200s: the event stream is the run's (netrig run --events FILE)",
                        cfg.events),
               -1;
    if (opts_validate(&cfg, err, errlen) != 0 || client_check(&cfg, err, errlen) != 0)
        return -1;
    return 0;
}

int runner_check(const struct scenario *sc, const struct runner_opts *o, char *err, size_t errlen)
{
    const char *link = link_spec(sc, o);
    if (link && o->server) {
        snprintf(err, errlen, "link = %s runs its own server: drop --server", link);
        return -1;
    }
    char msg[512];
    for (size_t i = 0; i < sc->nsteps; i++) {
        const struct scenario_step *st = &sc->steps[i];
        /* Each section may run through a link of its own (ensure_peer). */
        if (runner_hosts_list(sc, o->client_hosts) && !o->server && !scenario_step_has_peer(st))
            snprintf(msg, sizeof(msg),
                     "client_hosts: give server = HOST:PORT, the address the "
                     "client hosts reach the server at");
        else if (runner_hosts_server_host(sc, o->server_host) && !o->server && !st->cfg.server[0])
            snprintf(msg, sizeof(msg),
                     "server_host: give server = HOST:PORT, the address the "
                     "server listens on there");
        else if (check_one(st, o, msg, sizeof(msg)) == 0)
            continue;
        snprintf(err, errlen, "%s:%d: [%s]%s%s %s", sc->file, st->line, st->group,
                 st->params[0] ? " " : "", st->params, msg);
        return -1;
    }
    return 0;
}

void runner_dry_run(const struct scenario *sc, const struct runner_opts *o, FILE *out)
{
    double total = 0;
    size_t tests = 0;
    for (size_t i = 0; i < sc->nsteps; i++) {
        const struct scenario_step *st = &sc->steps[i];
        char desc[2048];
        scenario_step_describe(st, desc, sizeof(desc));
        fprintf(out, "%3zu  %s  x%u\n     %s\n", i + 1, st->name, st->repeat, desc);
        total += runner_planned_s(st) * st->repeat;
        tests += st->repeat;
    }
    char t[32];
    progress_fmt_time(total, t, sizeof(t));
    const char *link = link_spec(sc, o);
    fprintf(out, "%zu steps, %zu tests, about %s; peer: %s\n", sc->nsteps, tests, t,
            o->server             ? o->server
            : link                ? "embedded server across an emulated link"
            : needs_server(sc, o) ? "embedded server on 127.0.0.1"
                                  : "named by each step");
}
