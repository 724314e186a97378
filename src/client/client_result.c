/* From counters to the result row: which end's figures count for which
 * mode (goodput is always what a receiver got), merged latencies, loss,
 * TCP_INFO of the sending side, CPU. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "client_int.h"
#include "tls_cost.h"

static double ratio(double a, double b)
{
    return b > 0 ? a / b : NAN;
}

static void set_latency(struct test_result *r, const struct hist *h)
{
    if (h->total_count == 0)
        return;
    r->lat_min_us = (double)hist_min(h) / 1e3;
    r->lat_mean_us = hist_mean(h) / 1e3;
    r->lat_stddev_us = hist_stddev(h) / 1e3;
    r->lat_p50_us = (double)hist_value_at_percentile(h, 50) / 1e3;
    r->lat_p90_us = (double)hist_value_at_percentile(h, 90) / 1e3;
    r->lat_p99_us = (double)hist_value_at_percentile(h, 99) / 1e3;
    r->lat_p999_us = (double)hist_value_at_percentile(h, 99.9) / 1e3;
    r->lat_p9999_us = (double)hist_value_at_percentile(h, 99.99) / 1e3;
    r->lat_max_us = (double)hist_max(h) / 1e3;
}

static void identity(const struct netrig_config *cfg, struct test_result *r)
{
    snprintf(r->proto, sizeof(r->proto), "%s", proto_name(cfg->proto));
    snprintf(r->mode, sizeof(r->mode), "%s", mode_name(cfg->mode));
    r->size_bytes = (double)cfg->size;
    if (cfg->mode != MODE_STREAM)
        r->resp_bytes = (double)(cfg->resp_size && !cfg->echo ? cfg->resp_size : cfg->size);
    r->conns = cfg->conns;
    r->threads = cfg->threads < cfg->conns ? cfg->threads : cfg->conns;
    if (cfg->mode == MODE_RR)
        r->pipeline = cfg->pipeline;
    if (cfg->rate_bps > 0)
        r->rate_target = cfg->rate_bps;
    else if (cfg->rate_per_s > 0)
        r->rate_target = cfg->rate_per_s;
}

/* Stream: the receiving ends' bytes over their own windows. */
static void stream_figures(const struct netrig_config *cfg, const struct client_figures *f,
                           struct test_result *r, struct hist *lat)
{
    const struct stats *cs = f->cs;
    const struct ctrl_result *sr = f->sr;
    double sw = f->server_window_s > 0 ? f->server_window_s : f->client_window_s;
    double bits = 0, msgs = 0;
    bool server_rx = !cfg->reverse, client_rx = cfg->reverse || cfg->bidir;
    if (server_rx && sr) {
        bits += ratio(8.0 * (double)sr->rx_bytes, sw);
        msgs += (double)sr->rx_msgs;
        if (f->server_lat)
            hist_add(lat, f->server_lat);
        r->duration_s = sw;
    }
    if (client_rx) {
        bits += ratio(8.0 * (double)cs->rx_bytes, f->client_window_s);
        msgs += (double)cs->rx_msgs;
        hist_add(lat, &cs->total);
        r->duration_s = f->client_window_s;
    }
    if (server_rx && !sr) /* no server figures: say what was sent */
        r->duration_s = f->client_window_s;
    r->goodput_bps = bits;
    r->messages = msgs;
    if (cfg->proto != PROTO_UDP)
        return;
    double lost = 0, expected = 0, reorder = 0, dup = 0, jit = 0, nj = 0;
    if (server_rx && sr) {
        lost += (double)sr->lost;
        expected += (double)sr->expected;
        reorder += (double)sr->reorder;
        dup += (double)sr->dup;
        jit += (double)sr->jitter_ns;
        nj += sr->expected > 0;
    }
    if (client_rx) {
        lost += (double)cs->lost;
        expected += (double)cs->expected;
        reorder += (double)cs->reorder;
        dup += (double)cs->dup;
        if (cs->jitter_flows) {
            jit += cs->jitter_sum_ns / (double)cs->jitter_flows;
            nj++;
        }
    }
    r->loss_pct = ratio(100.0 * lost, expected);
    if (expected > 0 && isnan(r->loss_pct))
        r->loss_pct = 0;
    r->reorder = reorder;
    r->dup = dup;
    r->jitter_us = nj > 0 ? jit / nj / 1e3 : NAN;
}

static void tcp_info(const struct netrig_config *cfg, const struct client_figures *f,
                     struct test_result *r)
{
    const struct stats *cs = f->cs;
    bool server_sends = cfg->mode == MODE_STREAM && (cfg->reverse || cfg->bidir);
    bool client_sends = !(cfg->mode == MODE_STREAM && cfg->reverse) && cfg->mode != MODE_CRR;
    double retrans = 0, rtt = 0, cwnd = 0, n = 0;
    /* Read back from a connection; crr's are gone by the end: what was
     * asked (and checked) then. */
    snprintf(r->tcp_cc, sizeof(r->tcp_cc), "%s", cs->cc[0] ? cs->cc : cfg->cc);
    if (client_sends && cs->tcpinfo_n) {
        retrans += (double)cs->retrans;
        rtt += (double)cs->rtt_us_sum / (double)cs->tcpinfo_n;
        cwnd += (double)cs->cwnd_sum / (double)cs->tcpinfo_n;
        r->mss = (double)cs->mss;
        n++;
    }
    if (server_sends && f->sr && f->sr->mss) {
        retrans += f->sr->retrans;
        rtt += f->sr->rtt_us;
        cwnd += f->sr->cwnd;
        r->mss = f->sr->mss;
        n++;
    }
    if (n > 0) {
        r->retrans = retrans;
        r->rtt_us = rtt / n;
        r->cwnd = cwnd / n;
    }
}

/* HTTP: payload is the bodies both ways, as counted in the window; the
 * head bytes per response go apart for the model. */
/* WebSocket: payload is the messages' both ways; a stream's is what
 * netrig's sink received over its window (ws_peer_*: from each
 * connection's window mark to its close), the sender's count only when no
 * sink answered with one. The frame headers per message received and the
 * upgrade time go apart. */
static void ws_figures(const struct client_figures *f, struct client_output *out)
{
    struct test_result *r = &out->result;
    const struct stats *cs = f->cs;
    const struct http_target *t = f->http;
    snprintf(r->proto, sizeof(r->proto), "%s", t->tls ? "wss" : "ws");
    r->duration_s = f->client_window_s;
    r->messages = (double)(cs->txn ? cs->txn : cs->tx_msgs);
    r->goodput_bps = ratio(8.0 * (double)(cs->rx_bytes + cs->tx_bytes), r->duration_s);
    if (cs->txn == 0 && cs->ws_peer_conns > 0) {
        r->duration_s = (double)cs->ws_peer_ns / (double)cs->ws_peer_conns / 1e9;
        r->messages = (double)cs->ws_peer_msgs;
        r->goodput_bps = ratio(8.0 * (double)cs->ws_peer_bytes, r->duration_s);
    }
    r->resp_bytes = r->size_bytes;
    r->header_bytes = ratio((double)cs->hdr_bytes, (double)cs->txn);
    r->ws_frame = (double)t->ws_frame;
    if (t->ws_deflate) {
        snprintf(r->ws_deflate, sizeof(r->ws_deflate), "%s",
                 cs->ws_deflate_declined == 0 ? "on"
                 : cs->ws_deflate_on == 0     ? "declined"
                                              : "mixed");
        if (cs->ws_deflate_on + cs->ws_deflate_declined == 0)
            r->ws_deflate[0] = '\0';
        r->ws_wire_ratio = ratio((double)cs->ws_wire_bytes, (double)cs->ws_wire_payload);
    }
    hist_add(&out->lat, &cs->total);
    hist_add(&out->connect, &cs->connect);
    if (cs->upgrade.total_count > 0) {
        r->upgrade_p50_us = (double)hist_value_at_percentile(&cs->upgrade, 50) / 1e3;
        r->upgrade_p99_us = (double)hist_value_at_percentile(&cs->upgrade, 99) / 1e3;
    }
}

static void http_figures(const struct client_figures *f, struct client_output *out)
{
    struct test_result *r = &out->result;
    const struct stats *cs = f->cs;
    /* So that --resume can be seen to work (or not). */
    if (f->http->tls)
        r->tls_resumed = (double)cs->tls_resumed;
    if (f->http->ws) {
        ws_figures(f, out);
        return;
    }
    /* By the target, which knows it from --url's scheme or --proto. */
    snprintf(r->proto, sizeof(r->proto), "%s",
             f->http->h2.on ? (f->http->tls ? "h2" : "h2c")
             : f->http->tls ? "https"
                            : "http");
    if (f->http->h2.on) {
        r->streams = f->http->h2.streams;
        r->h2_frames = ratio((double)cs->h2_frames, (double)cs->txn);
        r->req_header_bytes = ratio((double)cs->req_hdr_bytes, (double)cs->txn);
    }
    r->duration_s = f->client_window_s;
    r->messages = (double)cs->txn;
    r->goodput_bps = ratio(8.0 * (double)(cs->rx_bytes + cs->tx_bytes), r->duration_s);
    /* Bodies count in the goodput as they arrive; the size of one is
     * what the completed responses carried. */
    r->resp_bytes = ratio((double)cs->body_done, (double)cs->txn);
    r->header_bytes = ratio((double)cs->hdr_bytes, (double)cs->txn);
    hist_add(&out->lat, &cs->total);
    hist_add(&out->connect, &cs->connect);
}

/* HTTP/2's stream errors join the row's classes (a flow-control stall is
 * a wait, not a failure: named, not added to the error count). */
static void h2_errors(const struct stats *cs, struct test_result *r)
{
    size_t len = strlen(r->errors_by_class);
    for (int i = 0; i < H2E_COUNT; i++) {
        if (cs->h2err[i] == 0)
            continue;
        if (i != H2E_FLOW_STALL)
            r->errors += (double)cs->h2err[i];
        int n = snprintf(r->errors_by_class + len, sizeof(r->errors_by_class) - len, "%s%s=%llu",
                         len ? " " : "", stats_h2err_name(i), (unsigned long long)cs->h2err[i]);
        if (n < 0 || (size_t)n >= sizeof(r->errors_by_class) - len)
            break;
        len += (size_t)n;
    }
}

/* A test fails when nothing succeeded while errors were counted, or when
 * its errors pass --max-errors; the row says why, with the first error's
 * cause (note) when a worker kept one. */
static void judge(const struct netrig_config *cfg, const char *note, struct test_result *r)
{
    double errs = isnan(r->errors) ? 0 : r->errors;
    double ok = isnan(r->messages) ? 0 : r->messages;
    char why[128] = "";
    if (errs > 0 && ok == 0 && !(r->goodput_bps > 0))
        snprintf(why, sizeof(why), "nothing succeeded: %.0f error(s)", errs);
    else if (cfg->max_errors_on && cfg->max_errors_pct < 0 && errs > cfg->max_errors)
        snprintf(why, sizeof(why), "%.0f error(s), beyond --max-errors %g", errs, cfg->max_errors);
    else if (cfg->max_errors_on && cfg->max_errors_pct >= 0 &&
             100.0 * errs > cfg->max_errors_pct * (errs + ok))
        snprintf(why, sizeof(why),
                 "%.0f error(s) in %.0f transactions (%.2g %%), beyond "
                 "--max-errors %g%%",
                 errs, errs + ok, 100.0 * errs / (errs + ok), cfg->max_errors_pct);
    if (!why[0])
        return;
    snprintf(r->failed, sizeof(r->failed), "%s (%s)%s%s", why, r->errors_by_class,
             note[0] ? "; first: " : "", note);
}

void client_result_fill(const struct netrig_config *cfg, const struct client_figures *f,
                        struct client_output *out)
{
    struct test_result *r = &out->result;
    const struct stats *cs = f->cs;
    const struct ctrl_result *sr = f->sr;
    identity(cfg, r);
    if (f->http) {
        http_figures(f, out);
    } else if (cfg->mode == MODE_STREAM) {
        stream_figures(cfg, f, r, &out->lat);
    } else {
        double resp = r->resp_bytes;
        r->duration_s = f->client_window_s;
        r->messages = (double)cs->txn;
        r->goodput_bps = ratio(8.0 * (double)cs->txn * (r->size_bytes + resp), r->duration_s);
        hist_add(&out->lat, &cs->total);
        hist_add(&out->connect, &cs->connect);
        if (cfg->proto == PROTO_UDP) {
            double lost = cs->expected > cs->txn ? (double)(cs->expected - cs->txn) : 0;
            r->loss_pct = ratio(100.0 * lost, (double)cs->expected);
            r->dup = (double)cs->dup; /* replies that came again (rate) */
        }
    }
    r->msgs_per_s = ratio(r->messages, r->duration_s);
    set_latency(r, &out->lat);
    if (out->connect.total_count > 0) {
        r->connect_p50_us = (double)hist_value_at_percentile(&out->connect, 50) / 1e3;
        r->connect_p99_us = (double)hist_value_at_percentile(&out->connect, 99) / 1e3;
    }
    uint64_t err[ERRC_COUNT];
    for (int i = 0; i < ERRC_COUNT; i++)
        err[i] = cs->err[i] + (sr ? sr->errors[i] : 0);
    r->errors = (double)stats_err_sum(err);
    stats_err_format(err, r->errors_by_class, sizeof(r->errors_by_class));
    if (f->http && f->http->h2.on)
        h2_errors(cs, r);
    if (cfg->proto == PROTO_TCP || cfg->proto == PROTO_TLS || f->http)
        tcp_info(cfg, f, r);
    r->cpu_client_pct = ratio(100.0 * f->cpu_client_s, f->client_window_s);
    if (sr)
        r->cpu_server_pct = ratio(100.0 * (double)sr->cpu_ns / 1e9, f->server_window_s);
    else if (!isnan(f->server_cpu_s))
        r->cpu_server_pct = ratio(100.0 * f->server_cpu_s, f->client_window_s);
    if (!isnan(f->steal_s))
        r->steal_pct = ratio(100.0 * f->steal_s, f->client_window_s);
    tls_cost_fill(r, cs->tls_cipher, cs->tls_version);
    if (cfg->proto == PROTO_TLS && !f->http)
        r->tls_resumed = (double)cs->tls_resumed;
    r->tx_bytes = (double)cs->tx_total + (sr ? (double)sr->tx_total : 0);
    r->rx_bytes = (double)cs->rx_total + (sr ? (double)sr->rx_total : 0);
    judge(cfg, cs->note, r);
}
