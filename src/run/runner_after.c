#include "runner_int.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "model_check.h"
#include "plot.h"

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
void runner_after_run(struct run *R, const char *status)
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
