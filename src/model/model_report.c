/* model.txt: the text a user reads after a run; the numbers themselves are
 * computed in model.c, only formatted here. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "model.h"

static void put_mbps(FILE *out, double bps)
{
    if (isnan(bps))
        fprintf(out, "%12s", "-");
    else
        fprintf(out, "%12.3f", bps / 1e6);
}

static void report_settings(FILE *out, const struct model_opts *o)
{
    const struct model_wire *w = &o->wire;
    fprintf(out, "netrig model\n\n");
    if (o->link_rate_bps > 0)
        fprintf(out, "bottleneck C:   %.3f Mbit/s, known (link_rate)\n", o->link_rate_bps / 1e6);
    else
        fprintf(out, "bottleneck C:   each row's link_rate_bps where known, else fitted per "
                     "sweep\n");
    if (o->tolerance_pct >= 0)
        fprintf(out, "tolerance:      %g %%\n", o->tolerance_pct);
    else
        fprintf(out, "tolerance:      each row's tolerance_pct, 1 %% where unset\n");
    fprintf(out,
            "framing:        link %g B/packet, IP %g B, MTU %g B, TCP header %g B "
            "(MSS %g B unless a row says), UDP 8 B\n",
            w->link_hdr, w->ip_hdr, w->mtu, w->tcp_hdr, w->mss);
    fprintf(out, "TLS:            %g B per record of at most %g B (unless a row says)\n",
            w->tls_ovh, w->tls_rec_max);
    if (o->crypto_bps > 0)
        fprintf(out, "crypto rate:    %.1f Mbit/s (AES-256-GCM, E = B / rate)\n",
                o->crypto_bps / 1e6);
    fprintf(out,
            "\nModel: T(B) = t0 + (B + O(B)) / C per message, goodput G = B / T.\n"
            "  serial form (one transaction at a time): T as above, t0 fitted.\n"
            "  pipelined form (stream, several in flight): G = min(C B / (B + O), B / t_cpu).\n");
}

static void report_group(FILE *out, const struct model_group *g)
{
    fprintf(out, "\n[%s%s%s %s] conns %g threads %g pipeline %g", g->scenario,
            g->scenario[0] ? " " : "", g->proto, g->mode, g->conns, g->threads, g->pipeline);
    if (g->rate_target > 0 && strcmp(g->mode, "stream") == 0)
        fprintf(out, " rate %g Mbit/s", g->rate_target / 1e6);
    else if (g->rate_target > 0)
        fprintf(out, " rate %g/s", g->rate_target);
    fprintf(out, ": %s form, %zu rows\n", model_form_name(g->form), g->nrows);
    const struct model_fit *f = &g->fit;
    if (g->fitted) {
        double c = 1 / f->slope;
        fprintf(out, "  fit   C = %.3f Mbit/s", c / 1e6);
        if (!isnan(f->slope_ci)) {
            double lo = 1 / (f->slope + f->slope_ci);
            double hi = f->slope > f->slope_ci ? 1 / (f->slope - f->slope_ci) : INFINITY;
            fprintf(out, " [%.3f, %.3f]", lo / 1e6, hi / 1e6);
        }
        fprintf(out, "  t0 = %.3f us", f->intercept * 1e6);
        if (!isnan(f->intercept_ci))
            fprintf(out, " +- %.3f", f->intercept_ci * 1e6);
        if (f->n > 2)
            fprintf(out, "  R^2 = %.6f  (95 %% intervals, n = %zu", f->r2, f->n);
        else
            fprintf(out, "  (exact through n = %zu points: no R^2, no intervals", f->n);
        if (f->n < g->nrows)
            fprintf(out, "; %zu CPU-saturated rows left out", g->nrows - f->n);
        fprintf(out, ")\n");
    } else {
        fprintf(out, "  fit   needs two sizes or more\n");
    }
    if (isnan(g->c_bps)) {
        if (g->unchecked)
            fprintf(out, "  used  nothing: rows not checked (%s)\n", g->unchecked);
        else
            fprintf(out, "  used  nothing: rows not checked\n");
        return;
    }
    fprintf(out, "  used  C = %.3f Mbit/s (%s)  t0 = %.3f us", g->c_bps / 1e6,
            g->c_known ? "link" : "fit", g->t0_s * 1e6);
    if (!isnan(g->t0_ci_s))
        fprintf(out, " +- %.3f", g->t0_ci_s * 1e6);
    fputc('\n', out);
    if (!g->c_known)
        fprintf(out, "  check a row misses when it is beyond the tolerance and beyond the 95 %% "
                     "prediction interval the other rows' line gives it\n");
}

/* Which rule decided a row of a fitted sweep: the tolerance, the
 * prediction interval of the other rows, or the tolerance alone. */
static void report_basis(FILE *out, const struct test_result *r, double tol, double pi)
{
    if (strcmp(r->model_ok, "yes") != 0 && strcmp(r->model_ok, "no") != 0)
        return;
    fprintf(out, " (tolerance %g %%", tol);
    if (isnan(pi)) {
        fprintf(out, " alone: the other rows give no prediction interval)");
        return;
    }
    if (isinf(pi))
        fprintf(out, ", prediction interval unbounded on this side");
    else
        fprintf(out, ", prediction interval +-%.1f %%", pi);
    if (r->model_ok[0] == 'n')
        fprintf(out, ": outside both)");
    else if (fabs(r->model_err_pct) <= tol)
        fprintf(out, ": within tolerance)");
    else
        fprintf(out, ": within the fit's noise)");
}

static void report_rows(FILE *out, const struct test_result *rows, const struct model_opts *o,
                        const struct model_run *run)
{
    fprintf(out, "\n%-28s %-5s %-6s %9s %9s %12s %12s %8s  %s\n", "step", "proto", "mode", "size_B",
            "ovh_B", "meas_Mbps", "model_Mbps", "err_%", "verdict");
    for (size_t i = 0; i < run->nrows; i++) {
        const struct test_result *r = &rows[i];
        fprintf(out, "%-28.28s %-5s %-6s %9.0f ", r->step, r->proto, r->mode, r->size_bytes);
        if (isnan(r->overhead_bytes))
            fprintf(out, "%9s ", "-");
        else
            fprintf(out, "%9.1f ", r->overhead_bytes);
        put_mbps(out, r->goodput_bps);
        fputc(' ', out);
        put_mbps(out, r->model_goodput_bps);
        if (isnan(r->model_err_pct))
            fprintf(out, " %8s", "-");
        else
            fprintf(out, " %+8.3f", r->model_err_pct);
        const struct model_group *g =
            run->row_group[i] != SIZE_MAX ? &run->groups[run->row_group[i]] : NULL;
        if (r->model_ok[0])
            fprintf(out, "  %s", r->model_ok);
        else if (g && g->why)
            fprintf(out, "  not checked (%s, see above)", g->why);
        else
            fprintf(out, "  not checked (%s)",
                    r->goodput_bps > 0 ? "no size or protocol" : "no goodput");
        if (strcmp(r->model_ok, "steal") == 0)
            fprintf(out, " (host %.2f %%)", r->steal_pct);
        if (g && !g->c_known && r->model_ok[0])
            report_basis(out, r, model_row_tolerance(o, r), run->pi_pct[i]);
        fputc('\n', out);
    }
}

/* Efficiency B / (B + O) predicted from the headers beside the measured
 * G / C, for the rows where the link is the bottleneck (pipelined). */
static void report_overhead(FILE *out, const struct test_result *rows, const struct model_run *run)
{
    static const char *const order[] = {"tcp", "udp", "http", "tls", "https",
                                        "ws",  "wss", "h2c",  "h2"};
    fprintf(out, "\nProtocol overhead (pipelined rows: measured efficiency = G / C)\n");
    fprintf(out, "%-5s %-6s %9s %10s %10s %10s\n", "proto", "mode", "B", "B+O", "predicted",
            "measured");
    for (size_t p = 0; p < sizeof(order) / sizeof(order[0]); p++) {
        for (size_t i = 0; i < run->nrows; i++) {
            const struct test_result *r = &rows[i];
            if (strcmp(r->proto, order[p]) != 0 || run->row_group[i] == SIZE_MAX)
                continue;
            const struct model_group *g = &run->groups[run->row_group[i]];
            if (g->form != MODEL_PIPELINED || isnan(g->c_bps))
                continue;
            double pred = run->payload[i] / run->wire[i];
            fprintf(out, "%-5s %-6s %9.0f %10.1f %9.4f%% %9.4f%%\n", r->proto, r->mode,
                    run->payload[i], run->wire[i], pred * 100, r->goodput_bps / g->c_bps * 100);
        }
    }
}

void model_report(FILE *out, const struct test_result *rows, size_t n, const struct model_opts *o,
                  const struct model_run *run)
{
    (void)n;
    report_settings(out, o);
    for (size_t g = 0; g < run->ngroups; g++)
        report_group(out, &run->groups[g]);
    report_rows(out, rows, o, run);
    report_overhead(out, rows, run);
    fprintf(out, "\n%zu rows: %zu within tolerance", run->nrows, run->nyes);
    if (run->nnoise)
        fprintf(out, " (%zu of them only within the fit's noise)", run->nnoise);
    fprintf(out, ", %zu outside, %zu CPU-bound, %zu short by host steal, %zu not checked\n",
            run->nno, run->ncpu, run->nsteal, run->nskip);
}
