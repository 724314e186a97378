#include "report_text.h"

#include <math.h>
#include <string.h>

#include "http_target.h"
#include "units.h"

/* The peer as the banner names it: --server, or the host (and port) of
 * --url, whose scheme also names the protocol. */
static const char *banner_peer(const struct netrig_config *cfg, const char **proto, char *buf,
                               size_t len)
{
    *proto = proto_name(cfg->proto);
    if (cfg->url[0] == '\0')
        return cfg->server;
    const char *host = strstr(cfg->url, "://");
    bool ws = http_url_is_ws(cfg->url);
    bool tls = strncmp(cfg->url, "https://", 8) == 0 || strncmp(cfg->url, "wss://", 6) == 0 ||
               cfg->proto == PROTO_HTTPS;
    *proto = ws ? (tls ? "wss" : "ws") : tls ? "https" : "http";
    host = host ? host + 3 : cfg->url;
    snprintf(buf, len, "%.*s", (int)strcspn(host, "/?#"), host);
    return buf;
}

void report_text_header(FILE *out, const struct netrig_config *cfg)
{
    char sz[32], rsz[32], host[300];
    const char *proto;
    const char *peer = banner_peer(cfg, &proto, host, sizeof(host));
    units_fmt_size(cfg->size, sz, sizeof(sz));
    units_fmt_size(cfg->resp_size ? cfg->resp_size : cfg->size, rsz, sizeof(rsz));
    fprintf(out, "netrig client: %s %s%s%s to %s%s, %u conn(s) on %u thread(s), %s", proto,
            mode_name(cfg->mode), cfg->reverse ? " reverse" : "", cfg->bidir ? " bidir" : "", peer,
            cfg->echo ? " (echo peer)" : "", cfg->conns,
            cfg->threads < cfg->conns ? cfg->threads : cfg->conns, sz);
    if (cfg->mode != MODE_STREAM)
        fprintf(out, " / %s", rsz);
    if (cfg->mode == MODE_RR && cfg->pipeline > 1)
        fprintf(out, ", pipeline %u", cfg->pipeline);
    if (cfg->http2)
        fprintf(out, ", HTTP/2 with %u stream(s) per conn", cfg->streams ? cfg->streams : 1);
    uint32_t threads = cfg->threads ? cfg->threads : 1;
    if (http_coalesce_ns(cfg, cfg->conns / threads) > 0)
        fprintf(out, ", answers gathered up to %u us", cfg->coalesce_us);
    if (cfg->rate_bps > 0) {
        char r[32];
        fprintf(out, ", paced at %s", units_fmt_bps(cfg->rate_bps, r, sizeof(r)));
    } else if (cfg->rate_per_s > 0) {
        fprintf(out, ", %g/s", cfg->rate_per_s);
    }
    if (cfg->count)
        fprintf(out, ", %llu messages", (unsigned long long)cfg->count);
    if (cfg->warmup_ns && !config_warmup_ns(cfg))
        fprintf(out, ", at most %g s, no warm-up (a count in stream mode)\n",
                (double)cfg->duration_ns / 1e9);
    else
        fprintf(out, ", %g s after %g s warm-up\n", (double)cfg->duration_ns / 1e9,
                (double)cfg->warmup_ns / 1e9);
}

static const char *fmt_us(double us, char *buf, unsigned len)
{
    if (isnan(us))
        return snprintf(buf, len, "-"), buf;
    return units_fmt_ns(us * 1e3, buf, len);
}

void report_text_interval(FILE *out, const struct client_interval *iv)
{
    char g[32], p50[32], p99[32];
    const struct hist *h = &iv->lat;
    bool have = h->total_count > 0;
    fprintf(out, "[%7.2f-%7.2f s] %14s %12.0f msg/s", iv->t_start_s, iv->t_end_s,
            units_fmt_bps(iv->goodput_bps, g, sizeof(g)), iv->msgs_per_s);
    if (have)
        fprintf(out, "   p50 %s  p99 %s",
                fmt_us((double)hist_value_at_percentile(h, 50) / 1e3, p50, sizeof(p50)),
                fmt_us((double)hist_value_at_percentile(h, 99) / 1e3, p99, sizeof(p99)));
    fputs(iv->sent ? "   (sent; received below)\n" : "\n", out);
}

static void line_latency(FILE *out, const struct test_result *r, const struct netrig_config *cfg)
{
    char b[8][32];
    if (isnan(r->lat_p50_us))
        return;
    const char *what = cfg->mode == MODE_STREAM ? "one-way delay" : "latency";
    if (cfg->mode == MODE_RATE)
        what = "latency from intended start";
    fprintf(out, "%s: min %s  mean %s  stddev %s\n", what, fmt_us(r->lat_min_us, b[0], 32),
            fmt_us(r->lat_mean_us, b[1], 32), fmt_us(r->lat_stddev_us, b[2], 32));
    fprintf(out, "  p50 %s  p90 %s  p99 %s  p99.9 %s  p99.99 %s  max %s\n",
            fmt_us(r->lat_p50_us, b[0], 32), fmt_us(r->lat_p90_us, b[1], 32),
            fmt_us(r->lat_p99_us, b[2], 32), fmt_us(r->lat_p999_us, b[3], 32),
            fmt_us(r->lat_p9999_us, b[4], 32), fmt_us(r->lat_max_us, b[5], 32));
    if (r->tls_cipher[0] != '\0')
        fprintf(out, "tls: %s, %.0f bytes per record, cipher %.2f GB/s on this CPU\n",
                r->tls_cipher, r->tls_record_overhead, r->tls_crypto_Bps / 1e9);
    if (!isnan(r->header_bytes))
        fprintf(out, "http: %.0f header bytes and %.0f body bytes per response\n", r->header_bytes,
                r->resp_bytes);
    if (!isnan(r->connect_p50_us)) {
        fprintf(out, "connect: p50 %s  p99 %s", fmt_us(r->connect_p50_us, b[0], 32),
                fmt_us(r->connect_p99_us, b[1], 32));
        if (!isnan(r->tls_resumed) && cfg->mode == MODE_CRR)
            fprintf(out, "  (%.0f TLS sessions resumed)", r->tls_resumed);
        fputc('\n', out);
    }
}

void report_text_result(FILE *out, const struct netrig_config *cfg, const struct client_output *o)
{
    const struct test_result *r = &o->result;
    char g[32];
    fprintf(out, "--- result over %.3f s ---\n", isnan(r->duration_s) ? 0 : r->duration_s);
    fprintf(out, "goodput: %s  messages: %.0f (%.0f/s)\n",
            isnan(r->goodput_bps) ? "-" : units_fmt_bps(r->goodput_bps, g, sizeof(g)),
            isnan(r->messages) ? 0 : r->messages, isnan(r->msgs_per_s) ? 0 : r->msgs_per_s);
    line_latency(out, r, cfg);
    if (!isnan(r->loss_pct) || !isnan(r->jitter_us)) {
        fprintf(out, "udp: loss %.4f %%", isnan(r->loss_pct) ? 0 : r->loss_pct);
        if (!isnan(r->reorder))
            fprintf(out, "  reordered %.0f  duplicates %.0f", r->reorder, r->dup);
        if (!isnan(r->jitter_us))
            fprintf(out, "  jitter %.3f us", r->jitter_us);
        fputc('\n', out);
    }
    if (r->ws_deflate[0] != '\0' && strcmp(r->ws_deflate, "declined") == 0)
        fprintf(out, "ws: permessage-deflate declined by the server: messages went uncompressed\n");
    else if (r->ws_deflate[0] != '\0')
        fprintf(out, "ws: permessage-deflate %s, %.4f bytes on the wire per payload byte\n",
                r->ws_deflate, r->ws_wire_ratio);
    if (!isnan(r->rtt_us))
        fprintf(out, "tcp: retransmits %.0f  rtt %.0f us  cwnd %.0f  mss %.0f%s%s\n", r->retrans,
                r->rtt_us, r->cwnd, r->mss, r->tcp_cc[0] ? "  cc " : "", r->tcp_cc);
    fprintf(out, "cpu: client %.1f %%", isnan(r->cpu_client_pct) ? 0 : r->cpu_client_pct);
    if (!isnan(r->cpu_server_pct))
        fprintf(out, "  server %.1f %%", r->cpu_server_pct);
    if (r->steal_pct >= 0.05)
        fprintf(out, "  host steal %.1f %%", r->steal_pct);
    fprintf(out, "  (of one core)\n");
    if (!isnan(r->probe_p50_us)) {
        char idle[32], p50[32], p99[32], mx[32];
        fprintf(out, "probe: idle p50 %s  under load p50 %s  p99 %s  max %s",
                fmt_us(r->probe_idle_p50_us, idle, sizeof(idle)),
                fmt_us(r->probe_p50_us, p50, sizeof(p50)),
                fmt_us(r->probe_p99_us, p99, sizeof(p99)), fmt_us(r->probe_max_us, mx, sizeof(mx)));
        if (!isnan(r->probe_loss_pct))
            fprintf(out, "  loss %.2f %%", r->probe_loss_pct);
        if (!isnan(r->probe_model_us))
            fprintf(out, "  full queue %s (%s)", fmt_us(r->probe_model_us, mx, sizeof(mx)),
                    r->probe_model_ok[0] ? r->probe_model_ok : "?");
        fputc('\n', out);
    }
    fprintf(out, "bytes: sent %.0f  received %.0f%s\n", r->tx_bytes, r->rx_bytes,
            o->server_figures ? " (both ends, whole test)" : " (client only)");
    fprintf(out, "errors: %.0f%s%s\n", r->errors, r->errors_by_class[0] ? "  " : "",
            r->errors_by_class);
}
