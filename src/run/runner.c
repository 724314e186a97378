#include "runner.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "clock.h"
#include "opts.h"
#include "runner_hosts.h"
#include "runner_int.h"

/* Set from the signal handler; client_run polls the flag and ends the
 * test early. */
static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_flag = 1;
    stop_signal = sig;
}

double runner_planned_s(const struct scenario_step *st)
{
    return (double)(config_warmup_ns(&st->cfg) + st->cfg.duration_ns) / 1e9;
}

static int run_steps(struct run *R)
{
    for (size_t i = 0; i < R->sc->nsteps; i++) {
        const struct scenario_step *st = &R->sc->steps[i];
        if (rundir_step_begin(&R->res, i) != 0) {
            snprintf(R->msg, sizeof(R->msg), "step %zu: out of memory", i + 1);
            return -1;
        }
        if (runner_peer_skipped(st, R->o)) {
            progress_line(&R->con, "[%zu/%zu] %s: skipped: link = %s needs root", i + 1,
                          R->sc->nsteps, st->name, runner_peer_step_link(st, R->o));
            R->skipped++;
            rundir_step_end(&R->res);
            continue;
        }
        if (!stop_flag && runner_peer_ensure(R, st) != 0) {
            events_error(&R->ev, "run", R->msg); /* the link or the server */
            rundir_step_end(&R->res);
            return -1;
        }
        for (uint32_t rep = 1; rep <= st->repeat; rep++) {
            int rc = stop_flag ? 1 : runner_step_run(R, i, rep);
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
    runner_peer_end(R);
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
    runner_text_table(R);
    if (rc != 0)
        progress_line(&R->con, "netrig run: %s", R->msg);
    progress_line(&R->con, "results: %s", R->res.dir);
    runner_after_run(R, status);
    return rc == 0 ? 0 : 1;
}

static void count_plan(struct run *R)
{
    for (size_t i = 0; i < R->sc->nsteps; i++) {
        if (runner_peer_skipped(&R->sc->steps[i], R->o))
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
    R.stop = &stop_flag;
    R.stop_signal = &stop_signal;
    double start_s = (double)clock_wall_ns() / 1e9;
    char dir[3000], err[1024];
    if (runner_peer_check_root(sc, o, err, sizeof(err)) != 0 ||
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
        rc = runner_peer_remote_start(&R);
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

/* One step's config as runner_step_run would hand it to the client, with a
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
    const char *link = runner_peer_link_spec(sc, o);
    if (link && o->server) {
        snprintf(err, errlen, "link = %s runs its own server: drop --server", link);
        return -1;
    }
    char msg[512];
    for (size_t i = 0; i < sc->nsteps; i++) {
        const struct scenario_step *st = &sc->steps[i];
        /* Each section may run through a link of its own (runner_peer_ensure). */
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
    const char *link = runner_peer_link_spec(sc, o);
    fprintf(out, "%zu steps, %zu tests, about %s; peer: %s\n", sc->nsteps, tests, t,
            o->server                         ? o->server
            : link                            ? "embedded server across an emulated link"
            : runner_peer_needs_server(sc, o) ? "embedded server on 127.0.0.1"
                                              : "named by each step");
}
