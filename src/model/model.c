#include "model.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

void model_opts_defaults(struct model_opts *o)
{
    o->link_rate_bps = 0;
    o->tolerance_pct = NAN;
    o->crypto_bps = 0;
    model_wire_defaults(&o->wire);
}

const char *model_form_name(enum model_form f)
{
    return f == MODEL_SERIAL ? "serial" : "pipelined";
}

static double or_default(double v, double def)
{
    return isnan(v) || v <= 0 ? def : v;
}

double model_row_tolerance(const struct model_opts *o, const struct test_result *r)
{
    if (o->tolerance_pct >= 0)
        return o->tolerance_pct;
    return r->tolerance_pct >= 0 ? r->tolerance_pct : 1;
}

double model_row_link(const struct model_opts *o, const struct test_result *r)
{
    return o->link_rate_bps > 0 ? o->link_rate_bps : or_default(r->link_rate_bps, 0);
}

/* Header-only packets of a TCP connection's opening and closing: SYN and
 * SYN-ACK carry 20 option bytes (MSS, SACK, timestamps, window scale),
 * the closing FINs and ACKs the usual options. */
static void add_handshake(const struct model_wire *w, struct model_msg *m)
{
    double syn = w->link_hdr + w->ip_hdr + MODEL_WIRE_TCP + 20;
    double bare = w->link_hdr + w->ip_hdr + w->tcp_hdr;
    m->wire_fwd += syn + 3 * bare; /* SYN, ACK, FIN, last ACK */
    m->wire_rev += syn + bare;     /* SYN-ACK, FIN+ACK */
}

/* TCP carrying `bytes` of application data, inside TLS records if tls.
 * Records are packed the way segments are: netrig's senders seal what
 * queues up on a connection in full 16 KiB records, so a stream of 1 KiB
 * messages pays one record's overhead per 16 KiB, not per message. */
static double stream_bytes(const struct model_wire *w, double bytes, bool tls, bool packed)
{
    return model_wire_tcp(w, tls ? model_wire_tls_records(w, bytes, packed) : bytes, packed);
}

/* HTTP/2 rows name their framing: h2 (TLS) or h2c (plain TCP). */
static int h2_proto(const char *name)
{
    if (strcmp(name, "h2") == 0)
        return PROTO_HTTPS;
    return strcmp(name, "h2c") == 0 ? PROTO_HTTP : -1;
}

/* HTTP/2: a response is its HEADERS frame as measured (HPACK, with its
 * frame header) and its body in DATA frames of at most 16 KiB, 9 bytes
 * each; a request body likewise, after the request's HEADERS frame. The
 * streams of a connection share its segments and records (packed as soon
 * as more than one is in flight). WINDOW_UPDATE frames run against the
 * bulk (netrig's client opens a 1 GiB window, so a download sends almost
 * none; an upload's come back on the reverse path): the pipelined form,
 * which counts the busier direction, leaves them out. */
static void h2_msg(const struct model_wire *w, const struct test_result *r, double resp,
                   double body_up, bool tls, bool packed, struct model_msg *m)
{
    double hdr = or_default(r->header_bytes, 0), req_hdr = or_default(r->req_header_bytes, 0);
    double up = req_hdr + model_wire_h2_data(body_up, 0);
    double down = hdr + model_wire_h2_data(resp, 0);
    m->payload = resp + body_up;
    m->wire_fwd = stream_bytes(w, up, tls, packed);
    m->wire_rev = stream_bytes(w, down, tls, packed);
    m->crypto = tls ? up + down : 0;
}

int model_msg_of(const struct model_opts *o, const struct test_result *r, struct model_msg *m)
{
    int h2 = h2_proto(r->proto);
    int proto = h2 >= 0 ? h2 : proto_from_name(r->proto), mode = mode_from_name(r->mode);
    if (proto < 0 || mode < 0 || !(r->size_bytes >= 0))
        return -1;
    /* Compressed WebSocket messages: their wire bytes are not a function
     * of their size (ws_wire_ratio says what they were); not modelled. */
    if (r->ws_deflate[0] && strcmp(r->ws_deflate, "declined") != 0)
        return -1;
    struct model_wire w = o->wire;
    if (r->ip_version == 6 || r->ip_version == 4)
        model_wire_set_ip(&w, r->ip_version == 6); /* the row knows its path */
    model_wire_set_mss(&w, r->mss);
    if (r->tls_record_overhead > 0)
        w.tls_ovh = r->tls_record_overhead;
    double req = r->size_bytes, resp = or_default(r->resp_bytes, req);
    double depth = h2 >= 0 ? or_default(r->streams, 1) : or_default(r->pipeline, 1);
    double inflight = or_default(r->conns, 1) * depth;
    bool tls = proto == PROTO_TLS || proto == PROTO_HTTPS || proto == PROTO_WSS;
    memset(m, 0, sizeof(*m));
    m->form =
        mode == MODE_STREAM || mode == MODE_RATE || inflight > 1 ? MODEL_PIPELINED : MODEL_SERIAL;
    /* Bytes from different messages share segments only when they queue
     * up behind each other on one connection: a stream, or pipelined
     * requests. Transactions on separate connections each start afresh. */
    bool packed = mode == MODE_STREAM || depth > 1;
    if (proto == PROTO_HTTP || proto == PROTO_HTTPS) {
        /* Goodput counts the bodies both ways: the response body, and a
         * request body (POST) found as what the measured bytes per message
         * leave over. Bodies count as they arrive, so the window may also
         * hold parts of responses that straddle its edges, up to one
         * response per request in flight: less than that is no upload.
         * Request heads are a constant t0 absorbs. */
        double hdr = or_default(r->header_bytes, 0);
        double per_msg = r->goodput_bps * r->duration_s / 8 / r->messages;
        double edge = inflight * resp / or_default(r->messages, 1);
        double body_up = per_msg > resp + edge ? per_msg - resp : 0;
        if (h2 >= 0) {
            h2_msg(&w, r, resp, body_up, tls, packed, m);
            return m->payload > 0 ? 0 : -1;
        }
        m->payload = resp + body_up;
        m->wire_fwd = stream_bytes(&w, body_up, tls, packed);
        m->wire_rev = stream_bytes(&w, hdr + resp, tls, packed);
        m->crypto = tls ? hdr + resp + body_up : 0;
    } else if (proto == PROTO_WS || proto == PROTO_WSS) {
        /* Frames around each message, masked from the client; the
         * upgrade is once per connection (crr: in t0, as HTTP's heads). */
        double frame = or_default(r->ws_frame, 0);
        double up = model_wire_ws(req, frame, true), down = model_wire_ws(resp, frame, false);
        m->payload = mode == MODE_STREAM ? req : req + resp;
        m->wire_fwd = stream_bytes(&w, up, tls, packed);
        m->wire_rev = mode == MODE_STREAM ? 0 : stream_bytes(&w, down, tls, packed);
        if (mode == MODE_CRR)
            add_handshake(&w, m);
        m->crypto = tls ? up + (mode == MODE_STREAM ? 0 : down) : 0;
    } else if (mode == MODE_STREAM) {
        m->payload = req;
        m->wire_fwd =
            proto == PROTO_UDP ? model_wire_udp(&w, req) : stream_bytes(&w, req, tls, true);
        m->crypto = tls ? req : 0;
    } else {
        m->payload = req + resp;
        if (proto == PROTO_UDP) {
            m->wire_fwd = model_wire_udp(&w, req);
            m->wire_rev = model_wire_udp(&w, resp);
        } else {
            m->wire_fwd = stream_bytes(&w, req, tls, packed);
            m->wire_rev = stream_bytes(&w, resp, tls, packed);
            if (mode == MODE_CRR)
                add_handshake(&w, m);
        }
        m->crypto = tls ? req + resp : 0;
    }
    return m->payload > 0 ? 0 : -1;
}

double model_msg_wire(const struct model_msg *m)
{
    if (m->form == MODEL_SERIAL)
        return m->wire_fwd + m->wire_rev;
    return m->wire_fwd > m->wire_rev ? m->wire_fwd : m->wire_rev;
}

static bool same_group(const struct model_group *g, const struct test_result *r,
                       enum model_form form, double link)
{
    return g->form == form && g->link_bps == link && strcmp(g->scenario, r->scenario) == 0 &&
           strcmp(g->proto, r->proto) == 0 && strcmp(g->mode, r->mode) == 0 &&
           g->conns == or_default(r->conns, 1) && g->threads == or_default(r->threads, 1) &&
           g->pipeline == or_default(r->pipeline, 1) &&
           g->rate_target == or_default(r->rate_target, 0);
}

static size_t group_of(struct model_run *run, const struct model_opts *o,
                       const struct test_result *r, enum model_form form)
{
    double link = model_row_link(o, r);
    for (size_t g = 0; g < run->ngroups; g++)
        if (same_group(&run->groups[g], r, form, link))
            return g;
    struct model_group *g = &run->groups[run->ngroups];
    memset(g, 0, sizeof(*g));
    snprintf(g->scenario, sizeof(g->scenario), "%s", r->scenario);
    snprintf(g->proto, sizeof(g->proto), "%s", r->proto);
    snprintf(g->mode, sizeof(g->mode), "%s", r->mode);
    g->conns = or_default(r->conns, 1);
    g->threads = or_default(r->threads, 1);
    g->pipeline = or_default(r->pipeline, 1);
    g->rate_target = or_default(r->rate_target, 0);
    g->form = form;
    g->link_bps = link;
    g->c_bps = g->t0_s = g->t0_ci_s = NAN;
    return run->ngroups++;
}

/* Seconds per message with the crypto time taken off for the serial form,
 * where encryption adds to each transaction's time. */
static double msg_time(const struct model_opts *o, const struct test_result *r,
                       const struct model_msg *m)
{
    double t = 8 * m->payload / r->goodput_bps;
    if (m->form == MODEL_SERIAL && o->crypto_bps > 0)
        t -= 8 * m->crypto / o->crypto_bps;
    return t;
}

/* The CPU bound B / t_cpu, t_cpu the CPU time per message of the busier
 * end, spread over its worker threads. NaN when not measured. */
static double cpu_bound(const struct test_result *r, const struct model_msg *m)
{
    double pct = fmax(or_default(r->cpu_client_pct, 0), or_default(r->cpu_server_pct, 0));
    if (!(pct > 0) || !(r->duration_s > 0) || !(r->messages > 0))
        return NAN;
    double t_cpu = pct / 100 * r->duration_s / r->messages;
    return or_default(r->threads, 1) * 8 * m->payload / t_cpu;
}

/* The busier end used 90 % or more of its threads' cores: the row tells
 * about the CPU, not the link, and stays out of the fit. */
static bool cpu_busy(const struct test_result *r)
{
    double pct = fmax(or_default(r->cpu_client_pct, 0), or_default(r->cpu_server_pct, 0));
    return pct >= 90 * or_default(r->threads, 1);
}

/* The share of the window the host's steal may have taken from the
 * link, percent; 0 when not measured. */
static double steal_share(const struct test_result *r)
{
    return r->steal_pct > 0 ? r->steal_pct : 0;
}

/* Points of group gi, without the CPU-saturated rows when skip_busy. */
static size_t collect(size_t gi, const struct test_result *rows, const struct model_msg *msgs,
                      const struct model_run *run, const struct model_opts *o, bool skip_busy,
                      double *x, double *y)
{
    size_t k = 0;
    for (size_t i = 0; i < run->nrows; i++) {
        if (run->row_group[i] != gi || (skip_busy && cpu_busy(&rows[i])))
            continue;
        x[k] = 8 * model_msg_wire(&msgs[i]);
        y[k] = msg_time(o, &rows[i], &msgs[i]);
        k++;
    }
    return k;
}

/* Marks group g not checked, with the long and the short reason. */
static void unchecked(struct model_group *g, const char *why, const char *reason)
{
    g->c_bps = NAN;
    g->why = why;
    g->unchecked = reason;
}

/* Serial form on a known link: the slope is fixed at 1/C and t0 is the
 * mean of what the link leaves of each row's time. */
static void fit_t0(struct model_group *g, const double *x, const double *y, size_t k)
{
    double s = 0, ss = 0;
    for (size_t j = 0; j < k; j++)
        s += y[j] - x[j] / g->c_bps;
    g->t0_s = s / (double)k;
    for (size_t j = 0; j < k; j++) {
        double d = y[j] - x[j] / g->c_bps - g->t0_s;
        ss += d * d;
    }
    g->t0_ci_s = model_fit_t975((double)k - 1) * sqrt(ss / (double)(k - 1) / (double)k);
}

/* Width of C's 95 % interval, [1 / (b + ci), 1 / (b - ci)]. */
static double c_interval_width(const struct model_fit *f)
{
    return 1 / (f->slope - f->slope_ci) - 1 / (f->slope + f->slope_ci);
}

static void fit_group(struct model_group *g, size_t gi, const struct test_result *rows,
                      const struct model_msg *msgs, const struct model_run *run,
                      const struct model_opts *o, double *x, double *y)
{
    g->nrows = collect(gi, rows, msgs, run, o, false, x, y);
    /* Fit the rows the CPU did not limit when they still make a sweep
     * that can be wrong (three sizes); on loopback every row is
     * CPU-bound and all of them are the sweep. */
    size_t k = collect(gi, rows, msgs, run, o, true, x, y);
    g->fit_skips_busy = k >= 3;
    if (k < 3)
        k = collect(gi, rows, msgs, run, o, false, x, y);
    g->fitted = model_fit_linear(x, y, k, &g->fit) == 0;
    if (g->link_bps > 0) {
        g->c_known = true;
        g->c_bps = g->link_bps;
        if (g->form == MODEL_PIPELINED) {
            g->t0_s = 0;
            return;
        }
        if (k < 2) /* t0 from one row predicts that row exactly. */
            unchecked(g, "one size: exact fit",
                      "one size: t0 fitted to it predicts it exactly; two sizes or more make a "
                      "check");
        else
            fit_t0(g, x, y, k);
    } else if (!g->fitted) {
        unchecked(g, "one size, no known link",
                  "one size and no known link rate: no line to fit C and t0 to; sweep three "
                  "sizes or more, or give the link rate (link = tbf:RATE, --link-rate)");
    } else if (g->fit.n <= 2) {
        /* C and t0 from two points: a line through them, no residual. */
        unchecked(g, "two sizes: exact fit",
                  "a line through two sizes fits them exactly; three sizes or more, or a known "
                  "link rate, make a check");
    } else if (!(g->fit.slope > 0)) {
        unchecked(g, "time does not grow with size",
                  "the time per message does not grow with the bytes on the wire (fitted 1/C <= "
                  "0): the fixed cost t0 and the noise hide them; sweep sizes further apart, or "
                  "give the link rate");
    } else if (g->fit.slope_ci >= g->fit.slope) {
        unchecked(g, "the fit is too uncertain",
                  "the fit is too uncertain: the 95 % interval of 1/C includes zero, so C could "
                  "be any rate above its lower bound; sweep sizes further apart, repeat the "
                  "steps, or give the link rate");
    } else if (c_interval_width(&g->fit) > 1 / g->fit.slope) {
        unchecked(g, "the fit is too uncertain",
                  "the fit is too uncertain: the 95 % interval of C is wider than C itself; "
                  "sweep sizes further apart, repeat the steps, or give the link rate");
    } else {
        g->c_bps = 1 / g->fit.slope;
        g->t0_s = g->fit.intercept;
        g->t0_ci_s = g->fit.intercept_ci;
    }
}

/* The 95 % prediction interval of row r (x bits on the wire, y seconds)
 * in percent of the predicted goodput, on the side the row lies: time
 * t predicted, w its half width, so goodput B / (t + w) below and
 * B / (t - w) above. NaN when the fit gives none. */
static double row_pi_pct(const struct model_group *g, const struct test_result *r,
                         const struct model_msg *m, const struct model_opts *o, double t)
{
    double x = 8 * model_msg_wire(m), y = msg_time(o, r, m);
    bool in_fit = !(g->fit_skips_busy && cpu_busy(r));
    double w = model_fit_pred_hw(&g->fit, x, y, in_fit);
    if (isnan(w))
        return NAN;
    bool above = y < g->fit.intercept + g->fit.slope * x;
    if (above)
        return t > w ? w / (t - w) * 100 : INFINITY;
    return w / (t + w) * 100;
}

static void check_row(struct test_result *r, const struct model_msg *m, const struct model_group *g,
                      const struct model_opts *o, struct model_run *run, double *pi_pct)
{
    *pi_pct = NAN;
    r->model_c_bps = g->c_bps;
    r->model_t0_us = g->t0_s * 1e6;
    if (isnan(g->c_bps)) {
        r->model_ok[0] = '\0';
        run->nskip++;
        return;
    }
    double t = g->t0_s + 8 * model_msg_wire(m) / g->c_bps;
    if (m->form == MODEL_SERIAL && o->crypto_bps > 0)
        t += 8 * m->crypto / o->crypto_bps;
    double pred = 8 * m->payload / t;
    double cap = or_default(r->rate_target, 0);
    if (cap > 0)
        pred = fmin(pred, mode_from_name(r->mode) == MODE_RATE ? cap * 8 * m->payload : cap);
    bool capped = pred < 8 * m->payload / t;
    double err = (r->goodput_bps - pred) / pred * 100;
    double g_cpu = cpu_bound(r, m);
    const char *ok = fabs(err) <= model_row_tolerance(o, r) ? "yes" : "no";
    if (!g->c_known && !capped)
        *pi_pct = row_pi_pct(g, r, m, o, t);
    if (ok[0] == 'n' && fabs(err) <= *pi_pct) {
        /* Beyond the tolerance, but no further from the line than the
         * other rows' own scatter says a row may land: the fit's noise,
         * not a miss. (NaN compares false: the tolerance decides.) */
        ok = "yes";
        run->nnoise++;
    }
    if (ok[0] == 'n' && (g_cpu < pred || (err < 0 && cpu_busy(r)))) {
        /* Not a miss: the CPU, not the link, set the pace. Either the CPU
         * bound is below the link's, or the busier end ran its cores
         * flat out and still fell short: a thread at 97 % of a core
         * extrapolates to just over the link, but had nothing to spare. */
        ok = "cpu";
        if (g_cpu < pred) {
            pred = g_cpu;
            err = (r->goodput_bps - pred) / pred * 100;
        }
    }
    if (ok[0] == 'n' && err < 0 && -err <= model_row_tolerance(o, r) + steal_share(r)) {
        /* Not a miss either: the hypervisor ran something else for long
         * enough to explain the shortfall. A stolen CPU stops whatever it
         * would have run, the qdisc that shapes a link included, so the
         * link lost at most that share of the window (steal is summed
         * over CPUs: an upper bound). Never an excuse for going over. */
        ok = "steal";
    }
    r->model_goodput_bps = pred;
    r->model_err_pct = err;
    snprintf(r->model_ok, sizeof(r->model_ok), "%s", ok);
    if (ok[0] == 'y')
        run->nyes++;
    else if (ok[0] == 'n')
        run->nno++;
    else if (ok[0] == 's')
        run->nsteal++;
    else
        run->ncpu++;
}

static void clear_row(struct test_result *r)
{
    r->overhead_bytes = r->model_c_bps = r->model_t0_us = NAN;
    r->model_goodput_bps = r->model_err_pct = NAN;
    r->model_ok[0] = '\0';
}

int model_apply(struct test_result *rows, size_t n, const struct model_opts *o,
                struct model_run *run, char *err, size_t errlen)
{
    memset(run, 0, sizeof(*run));
    run->nrows = n;
    size_t cap = n ? n : 1;
    struct model_msg *msgs = calloc(cap, sizeof(*msgs));
    double *x = calloc(cap, sizeof(*x)), *y = calloc(cap, sizeof(*y));
    run->groups = calloc(cap, sizeof(*run->groups));
    run->row_group = calloc(cap, sizeof(*run->row_group));
    run->payload = calloc(cap, sizeof(double));
    run->wire = calloc(cap, sizeof(double));
    run->pi_pct = calloc(cap, sizeof(double));
    int rc = -1;
    if (!msgs || !x || !y || !run->groups || !run->row_group || !run->payload || !run->wire ||
        !run->pi_pct) {
        snprintf(err, errlen, "out of memory for %zu rows", n);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        clear_row(&rows[i]);
        run->row_group[i] = SIZE_MAX;
        run->pi_pct[i] = NAN;
        /* One host of several: its "all" row is the step's figure. */
        if (result_is_host_row(&rows[i]) || model_msg_of(o, &rows[i], &msgs[i]) < 0 ||
            !(rows[i].goodput_bps > 0)) {
            run->nskip++;
            continue;
        }
        rows[i].overhead_bytes = msgs[i].wire_fwd + msgs[i].wire_rev - msgs[i].payload;
        run->payload[i] = msgs[i].payload;
        run->wire[i] = model_msg_wire(&msgs[i]);
        run->row_group[i] = group_of(run, o, &rows[i], msgs[i].form);
    }
    for (size_t g = 0; g < run->ngroups; g++)
        fit_group(&run->groups[g], g, rows, msgs, run, o, x, y);
    for (size_t i = 0; i < n; i++)
        if (run->row_group[i] != SIZE_MAX)
            check_row(&rows[i], &msgs[i], &run->groups[run->row_group[i]], o, run, &run->pi_pct[i]);
    rc = 0;
out:
    free(msgs);
    free(x);
    free(y);
    if (rc < 0)
        model_run_close(run);
    return rc;
}

void model_run_close(struct model_run *run)
{
    free(run->groups);
    free(run->row_group);
    free(run->payload);
    free(run->wire);
    free(run->pi_pct);
    memset(run, 0, sizeof(*run));
}
