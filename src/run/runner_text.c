#include "runner_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

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

void runner_text_result(struct run *R, const struct scenario_step *st, uint32_t rep,
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

void runner_text_table(struct run *R)
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
                          runner_peer_skipped(st, R->o) ? "skipped (root)" : "not run");
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
