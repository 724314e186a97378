#include "merge.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* NaN stays NaN until a host has a figure: a column nobody measured is
 * not a measured zero. */
static void add(double *dst, double v)
{
    if (isnan(v))
        return;
    *dst = isnan(*dst) ? v : *dst + v;
}

static void keep_max(double *dst, double v)
{
    if (!isnan(v) && (isnan(*dst) || v > *dst))
        *dst = v;
}

void merge_error_classes(char *dst, size_t dstlen, const char *src)
{
    char names[32][32];
    double vals[32];
    size_t n = 0;
    const char *parts[2] = {dst, src};
    for (int p = 0; p < 2; p++) {
        const char *s = parts[p];
        char name[32];
        double v;
        int used;
        while (sscanf(s, " %31[^= ]=%lf%n", name, &v, &used) == 2) {
            s += used;
            size_t i = 0;
            while (i < n && strcmp(names[i], name) != 0)
                i++;
            if (i == n && n < 32) {
                snprintf(names[n], sizeof(names[n]), "%s", name);
                vals[n++] = 0;
            }
            if (i < n)
                vals[i] += v;
        }
    }
    size_t len = 0;
    dst[0] = '\0';
    for (size_t i = 0; i < n && len < dstlen; i++) {
        int w = snprintf(dst + len, dstlen - len, "%s%s=%.0f", i ? " " : "", names[i], vals[i]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

void merge_lat_columns(struct test_result *r, const struct hist *h)
{
    double *cols[] = {&r->lat_p50_us, &r->lat_p90_us, &r->lat_p99_us, &r->lat_p999_us,
                      &r->lat_p9999_us};
    static const double pct[] = {50, 90, 99, 99.9, 99.99};
    bool any = h->total_count > 0;
    for (size_t i = 0; i < sizeof(pct) / sizeof(pct[0]); i++)
        *cols[i] = any ? (double)hist_value_at_percentile(h, pct[i]) / 1000 : NAN;
    r->lat_min_us = any ? (double)hist_min(h) / 1000 : NAN;
    r->lat_max_us = any ? (double)hist_max(h) / 1000 : NAN;
    r->lat_mean_us = any ? hist_mean(h) / 1000 : NAN;
    r->lat_stddev_us = any ? hist_stddev(h) / 1000 : NAN;
}

/* The counts of one host added to the row. */
static void add_row(struct test_result *a, const struct test_result *t)
{
    add(&a->messages, t->messages);
    add(&a->errors, t->errors);
    add(&a->goodput_bps, t->goodput_bps);
    add(&a->msgs_per_s, t->msgs_per_s);
    add(&a->tx_bytes, t->tx_bytes);
    add(&a->rx_bytes, t->rx_bytes);
    add(&a->retrans, t->retrans);
    add(&a->conns, t->conns);
    add(&a->threads, t->threads);
    add(&a->rate_target, t->rate_target);
    add(&a->cpu_client_pct, t->cpu_client_pct);
    add(&a->steal_pct, t->steal_pct);
    add(&a->tls_resumed, t->tls_resumed);
    /* One server measured by every host: its busiest window. */
    keep_max(&a->cpu_server_pct, t->cpu_server_pct);
    keep_max(&a->duration_s, t->duration_s);
    keep_max(&a->jitter_us, t->jitter_us);
    merge_error_classes(a->errors_by_class, sizeof(a->errors_by_class), t->errors_by_class);
    if (strcmp(a->ws_deflate, t->ws_deflate) != 0)
        snprintf(a->ws_deflate, sizeof(a->ws_deflate), "mixed");
}

/* WebSocket's wire bytes per payload byte over every host: each host's
 * weighed by its payload (goodput over its window). */
static double wire_ratio(const struct merge_host *h, size_t n)
{
    double wire = 0, pay = 0;
    for (size_t i = 0; i < n; i++) {
        const struct test_result *t = &h[i].out->result;
        double p = t->goodput_bps * t->duration_s;
        if (h[i].ok && !isnan(t->ws_wire_ratio) && p > 0) {
            wire += t->ws_wire_ratio * p;
            pay += p;
        }
    }
    return pay > 0 ? wire / pay : NAN;
}

/* The sums the first host's row starts from. */
static void clear_sums(struct test_result *a)
{
    double *z[] = {&a->messages,       &a->errors,      &a->goodput_bps,    &a->msgs_per_s,
                   &a->tx_bytes,       &a->rx_bytes,    &a->retrans,        &a->conns,
                   &a->threads,        &a->rate_target, &a->cpu_client_pct, &a->steal_pct,
                   &a->cpu_server_pct, &a->duration_s,  &a->jitter_us,      &a->tls_resumed};
    for (size_t i = 0; i < sizeof(z) / sizeof(z[0]); i++)
        *z[i] = NAN;
    a->errors_by_class[0] = '\0';
    /* Per-connection figures of one host do not add up across hosts. */
    a->connect_p50_us = a->connect_p99_us = NAN;
    a->rtt_us = a->cwnd = NAN;
    /* The probe's come from the merged probe histograms (merge_probe). */
    a->probe_idle_p50_us = a->probe_p50_us = a->probe_p90_us = a->probe_p99_us = NAN;
    a->probe_max_us = a->probe_loss_pct = NAN;
    a->probe_model_ok[0] = '\0';
}

/* Grows the series *v to n intervals: new ones empty, times and rates
 * unknown, their histograms tagged tag. */
static int grow_series(struct client_interval **v, size_t *nv, size_t n, const char *tag)
{
    if (n <= *nv)
        return 0;
    struct client_interval *w = realloc(*v, n * sizeof(*w));
    if (!w)
        return -1;
    *v = w;
    for (size_t i = *nv; i < n; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].t_start_s = w[i].t_end_s = NAN;
        w[i].goodput_bps = w[i].msgs_per_s = w[i].messages = NAN;
        w[i].probe_p50_us = w[i].probe_p99_us = NAN; /* the probe's are per host */
        if (hist_init_default(&w[i].lat) != 0)
            return -1;
        snprintf(w[i].lat.tag, sizeof(w[i].lat.tag), "%s", tag);
        *nv = i + 1;
    }
    return 0;
}

/* Adds the n intervals of src into the series *v by index, their times
 * moved by shift to the series' origin. */
static int sum_series(struct client_interval **v, size_t *nv, const struct client_interval *src,
                      size_t n, double shift, const char *tag)
{
    if (grow_series(v, nv, n, tag) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct client_interval *d = &(*v)[i];
        const struct client_interval *s = &src[i];
        if (hist_add_grow(&d->lat, &s->lat) != 0)
            return -1;
        if (isnan(d->t_start_s) || s->t_start_s + shift < d->t_start_s)
            d->t_start_s = s->t_start_s + shift;
        if (isnan(d->t_end_s) || s->t_end_s + shift > d->t_end_s)
            d->t_end_s = s->t_end_s + shift;
        add(&d->goodput_bps, s->goodput_bps);
        add(&d->msgs_per_s, s->msgs_per_s);
        add(&d->messages, s->messages);
    }
    return 0;
}

/* Host i's intervals into all's, by index; times moved to all's origin. */
static int add_intervals(struct client_output *all, const struct merge_host *m)
{
    const struct client_output *o = m->out;
    double shift = (o->start_wall_s - m->offset_s) - all->start_wall_s;
    if (sum_series(&all->intervals, &all->nintervals, o->intervals, o->nintervals, shift, "") != 0)
        return -1;
    if (o->nintervals == 0)
        return hist_add_grow(&all->lat, &o->lat);
    for (size_t i = 0; i < o->nintervals; i++)
        if (hist_add_grow(&all->lat, &o->intervals[i].lat) != 0)
            return -1;
    return 0;
}

/* Host m's probe intervals into all's, by index, as add_intervals does
 * the load's; its idle and loaded histograms into all's. */
static int add_probe(struct client_output *all, const struct merge_host *m)
{
    const struct client_output *o = m->out;
    if (hist_add_grow(&all->probe_idle, &o->probe_idle) != 0 ||
        hist_add_grow(&all->probe_load, &o->probe_load) != 0)
        return -1;
    double shift = (o->probe_start_wall_s - m->offset_s) - all->probe_start_wall_s;
    return sum_series(&all->probe_iv, &all->nprobe_iv, o->probe_iv, o->nprobe_iv, shift, "probe");
}

/* Probes answered by host o: every probe interval's round trips. */
static double probe_answered(const struct client_output *o)
{
    double n = 0;
    for (size_t i = 0; i < o->nprobe_iv; i++)
        n += (double)o->probe_iv[i].lat.total_count;
    return n;
}

/* The probe columns of the all row: percentiles of the merged histograms,
 * and the loss of all probes sent (each host's sent = answered / (1 -
 * loss)); NaN when a probing host's loss is unknown. */
static void merge_probe(struct client_output *all, const struct merge_host *h, size_t n)
{
    struct test_result *r = &all->result;
    if (all->probe_idle.total_count == 0 && all->probe_load.total_count == 0)
        return;
    client_probe_columns(r, &all->probe_idle, &all->probe_load);
    double sent = 0, lost = 0;
    for (size_t i = 0; i < n; i++) {
        const struct client_output *o = h[i].out;
        double got = h[i].ok ? probe_answered(o) : 0, l = o->result.probe_loss_pct;
        if (got == 0)
            continue;
        if (isnan(l) || l >= 100)
            return;
        sent += got / (1 - l / 100);
        lost += got / (1 - l / 100) - got;
    }
    r->probe_loss_pct = sent > 0 ? lost / sent * 100 : NAN;
}

/* Each merged interval's probe figures: the merged probe intervals in it. */
static void probe_per_interval(struct client_output *all)
{
    struct hist h;
    if (all->nprobe_iv == 0 || hist_init_default(&h) != 0)
        return;
    for (size_t i = 0; i < all->nintervals; i++) {
        struct client_interval *iv = &all->intervals[i];
        hist_reset(&h);
        client_probe_between(all->probe_iv, all->nprobe_iv, all->probe_start_wall_s,
                             all->start_wall_s + iv->t_start_s, all->start_wall_s + iv->t_end_s,
                             &h);
        iv->probe_p50_us = h.total_count ? (double)hist_value_at_percentile(&h, 50) / 1e3 : NAN;
        iv->probe_p99_us = h.total_count ? (double)hist_value_at_percentile(&h, 99) / 1e3 : NAN;
    }
    hist_close(&h);
}

int merge_probe_windows(struct client_output *o)
{
    if (o->nprobe_iv == 0)
        return 0;
    if (hist_init_default(&o->probe_idle) != 0 || hist_init_default(&o->probe_load) != 0)
        return -1;
    const struct test_result *r = &o->result;
    double dur = isnan(r->duration_s) ? 0 : r->duration_s;
    double warm = isnan(r->warmup_used_s) ? 0 : r->warmup_used_s;
    client_probe_between(o->probe_iv, o->nprobe_iv, o->probe_start_wall_s, 0,
                         o->start_wall_s - warm, &o->probe_idle);
    client_probe_between(o->probe_iv, o->nprobe_iv, o->probe_start_wall_s, o->start_wall_s,
                         o->start_wall_s + dur, &o->probe_load);
    return 0;
}

int merge_outputs(const struct merge_host *h, size_t n, struct client_output *all, char *err,
                  size_t errlen)
{
    memset(all, 0, sizeof(*all));
    result_init(&all->result);
    if (hist_init_default(&all->lat) != 0 || hist_init_default(&all->connect) != 0 ||
        hist_init_default(&all->probe_idle) != 0 || hist_init_default(&all->probe_load) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t nok = 0;
    for (size_t i = 0; i < n; i++) {
        if (!h[i].ok)
            continue;
        double s = h[i].out->start_wall_s - h[i].offset_s;
        double ps = h[i].out->probe_start_wall_s - h[i].offset_s;
        if (nok++ == 0) {
            all->result = h[i].out->result;
            clear_sums(&all->result);
            all->start_wall_s = s;
        } else if (s < all->start_wall_s) {
            all->start_wall_s = s;
        }
        if (h[i].out->nprobe_iv && (all->probe_start_wall_s == 0 || ps < all->probe_start_wall_s))
            all->probe_start_wall_s = ps;
        all->server_figures = all->server_figures || h[i].out->server_figures;
    }
    if (nok == 0) {
        snprintf(err, errlen, "no host measured the step");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!h[i].ok)
            continue;
        add_row(&all->result, &h[i].out->result);
        if (add_intervals(all, &h[i]) != 0 || add_probe(all, &h[i]) != 0) {
            snprintf(err, errlen, "out of memory merging the histograms of %s", h[i].name);
            return -1;
        }
    }
    struct test_result *r = &all->result;
    r->ws_wire_ratio = wire_ratio(h, n);
    merge_lat_columns(r, &all->lat);
    merge_probe(all, h, n);
    probe_per_interval(all);
    snprintf(r->host, sizeof(r->host), "all");
    snprintf(r->hosts, sizeof(r->hosts), "%u/%u", (unsigned)(nok % 10000), (unsigned)(n % 10000));
    return 0;
}
