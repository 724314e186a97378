#include "runner_int.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "runner_hosts.h"

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

static uint64_t embedded_cpu_ns(void *srv)
{
    return server_cpu_ns(srv);
}

static void event_interval(const struct client_interval *iv, void *ctx)
{
    events_interval(ctx, iv);
}

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

/* One repetition on every client host: their rows, then the "all" row
 * as the step's. A host that fails is named and left out of the later
 * steps; the others' rows are kept. Returns as runner_step_run. */
static int run_one_hosts(struct run *R, size_t i, uint32_t rep, const struct netrig_config *cfg,
                         double planned)
{
    const struct scenario_step *st = &R->sc->steps[i];
    char err[2048] = "";
    struct client_output out;
    int rc = runner_hosts_step(&R->hosts, &R->res, rep, cfg, R->stop, &out, err, sizeof(err));
    progress_end(&R->con, planned);
    R->planned_left_s -= planned;
    if (rc != 0 && !*R->stop) {
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
        runner_text_result(R, st, rep, &out.result);
        progress_line(&R->con, "    hosts %s, start skew %.3f ms", out.result.hosts,
                      R->hosts.skew_s * 1e3);
    }
    free(R->hosts_json);
    R->hosts_json = remote_hosts_json(&R->hosts);
    R->res.meta.hosts_json = R->hosts_json;
    client_output_close(&out);
    if (*R->stop) {
        snprintf(R->msg, sizeof(R->msg), "interrupted (%s) during step %zu of %zu '%s', repeat %u",
                 *R->stop_signal == SIGTERM ? "SIGTERM" : "SIGINT", i + 1, R->sc->nsteps, st->name,
                 rep);
        return 1;
    }
    return ret;
}

/* One repetition. Returns 0 done, 1 interrupted, -1 failed (R->msg). */
int runner_step_run(struct run *R, size_t i, uint32_t rep)
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
    struct client_stop stop = {.flag = R->stop, .on_interval = NULL, .ctx = NULL};
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
    if (*R->stop) {
        snprintf(R->msg, sizeof(R->msg), "interrupted (%s) during step %zu of %zu '%s', repeat %u",
                 *R->stop_signal == SIGTERM ? "SIGTERM" : "SIGINT", i + 1, R->sc->nsteps, st->name,
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
        runner_text_result(R, st, rep, &out.result);
        events_end(&R->ev, &out.result);
        if (out.result.failed[0])
            step_failed(R, i, rep, out.result.failed);
    }
    if (ret != 0)
        events_error(&R->ev, what, R->msg);
    client_output_close(&out);
    return ret;
}
