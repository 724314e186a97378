#include "result.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIELD(f) offsetof(struct test_result, f), sizeof(((struct test_result *)0)->f)
#define S(f) COL_STR, FIELD(f)
#define U(f) COL_U32, FIELD(f)
#define D(f) COL_DBL, FIELD(f)

/* The first two entries are special: "schema" is written from
 * RESULT_SCHEMA_VERSION and has no field. */
const struct result_column result_columns[] = {
    {"schema", COL_U32, (size_t)-1, 0, "CSV schema version (1)"},
    {"scenario", S(scenario), "scenario name (file name without .ini), empty for a client run"},
    {"step", S(step), "step name: section and swept values"},
    {"repeat", U(repeat), "repetition index, from 1"},
    {"proto", S(proto), "tcp, udp, http, tls, https, ws or wss"},
    {"mode", S(mode), "stream, rr, crr or rate"},
    {"size_bytes", D(size_bytes), "message or request payload, bytes"},
    {"resp_bytes", D(resp_bytes), "response payload, bytes (rr, crr, rate, http)"},
    {"conns", D(conns), "connections or UDP flows"},
    {"threads", D(threads), "client worker threads"},
    {"pipeline", D(pipeline), "outstanding requests per connection"},
    {"rate_target", D(rate_target), "pacing asked for: bit/s (stream) or transactions/s (rate)"},
    {"duration_s", D(duration_s), "measured window, seconds (warm-up excluded)"},
    {"messages", D(messages), "messages (stream) or transactions (rr, crr, rate) completed"},
    {"errors", D(errors), "errors of every class"},
    {"goodput_bps", D(goodput_bps),
     "payload bits per second at the receiver (rr: request+response)"},
    {"msgs_per_s", D(msgs_per_s), "messages or transactions per second"},
    {"lat_min_us", D(lat_min_us),
     "latency minimum, microseconds (stream: one-way; rr: round trip)"},
    {"lat_mean_us", D(lat_mean_us), "latency mean, microseconds"},
    {"lat_stddev_us", D(lat_stddev_us), "latency standard deviation, microseconds"},
    {"lat_p50_us", D(lat_p50_us), "latency median, microseconds"},
    {"lat_p90_us", D(lat_p90_us), "latency 90th percentile, microseconds"},
    {"lat_p99_us", D(lat_p99_us), "latency 99th percentile, microseconds"},
    {"lat_p999_us", D(lat_p999_us), "latency 99.9th percentile, microseconds"},
    {"lat_p9999_us", D(lat_p9999_us), "latency 99.99th percentile, microseconds"},
    {"lat_max_us", D(lat_max_us), "latency maximum, microseconds"},
    {"loss_pct", D(loss_pct), "UDP: datagrams lost, percent of sent"},
    {"reorder", D(reorder), "UDP: datagrams that arrived out of order"},
    {"dup", D(dup), "UDP: duplicate datagrams"},
    {"jitter_us", D(jitter_us), "UDP: RFC 3550 interarrival jitter, microseconds"},
    {"retrans", D(retrans), "TCP: retransmitted segments (TCP_INFO, sender)"},
    {"rtt_us", D(rtt_us), "TCP: smoothed RTT (TCP_INFO), microseconds"},
    {"cpu_client_pct", D(cpu_client_pct), "client CPU time / wall time, percent of one core"},
    {"cpu_server_pct", D(cpu_server_pct), "server CPU time / wall time, percent of one core"},
    {"overhead_bytes", D(overhead_bytes), "model: bytes on the wire per message beyond payload"},
    {"model_c_bps", D(model_c_bps), "model: bottleneck rate C, bit/s (known or fitted)"},
    {"model_t0_us", D(model_t0_us), "model: fixed cost per message t0, microseconds"},
    {"model_goodput_bps", D(model_goodput_bps), "model: predicted goodput, bit/s"},
    {"model_err_pct", D(model_err_pct), "model: (measured - predicted) / predicted, percent"},
    {"model_ok", S(model_ok),
     "model verdict: yes, no, cpu (CPU-bound), steal (host steal) or empty"},
    {"connect_p50_us", D(connect_p50_us), "crr: connect (and handshake) median, microseconds"},
    {"connect_p99_us", D(connect_p99_us), "crr: connect (and handshake) 99th percentile, us"},
    {"header_bytes", D(header_bytes),
     "HTTP: response header bytes per response; ws: frame headers per message"},
    {"tls_record_overhead", D(tls_record_overhead), "TLS: bytes added per record"},
    {"cwnd", D(cwnd), "TCP: congestion window at the end, segments"},
    {"mss", D(mss), "TCP: maximum segment size, bytes"},
    {"errors_by_class", S(errors_by_class), "errors by class: connect=N read=N ..."},
    {"tx_bytes", D(tx_bytes), "payload bytes written by the senders, whole test incl. warm-up"},
    {"rx_bytes", D(rx_bytes), "payload bytes read by the receivers, whole test incl. warm-up"},
    {"link_rate_bps", D(link_rate_bps), "known bottleneck rate for the model, bit/s (0: fitted)"},
    {"tolerance_pct", D(tolerance_pct), "model tolerance asked for, percent"},
    {"tls_cipher", S(tls_cipher), "TLS: negotiated version and cipher suite"},
    {"tls_crypto_Bps", D(tls_crypto_Bps), "TLS: cipher bulk speed on this CPU, bytes/s"},
    {"steal_pct", D(steal_pct), "host steal in the window (hypervisor), percent of one core"},
    {"tcp_cc", S(tcp_cc), "TCP: congestion control of the client's connections (cubic, bbr...)"},
    {"failed", S(failed),
     "why the test failed (nothing succeeded, errors beyond max_errors); empty when it passed"},
    {"ip_version", D(ip_version), "4 or 6: IP version of the path (model: header bytes)"},
    {"probe_idle_p50_us", D(probe_idle_p50_us), "probe: round-trip median before the load, us"},
    {"probe_p50_us", D(probe_p50_us), "probe: round-trip median under load (measured window), us"},
    {"probe_p90_us", D(probe_p90_us), "probe: round-trip 90th percentile under load, us"},
    {"probe_p99_us", D(probe_p99_us), "probe: round-trip 99th percentile under load, us"},
    {"probe_max_us", D(probe_max_us), "probe: round-trip maximum under load, us"},
    {"probe_loss_pct", D(probe_loss_pct), "probe (udp): probes unanswered, percent of sent"},
    {"probe_model_us", D(probe_model_us), "probe: delay of a full link queue, queue bytes / C, us"},
    {"probe_model_ok", S(probe_model_ok),
     "probe: yes if the loaded p50 less the idle p50 is within 25% of probe_model_us"},
    {"upgrade_p50_us", D(upgrade_p50_us), "WebSocket: upgrade request to 101 median, microseconds"},
    {"upgrade_p99_us", D(upgrade_p99_us), "WebSocket: upgrade 99th percentile, microseconds"},
    {"ws_frame", D(ws_frame), "WebSocket: payload bytes per frame (0: a message is one frame)"},
    {"ws_deflate", S(ws_deflate),
     "WebSocket --ws-deflate: on (server took permessage-deflate), declined, mixed; empty if not "
     "asked"},
    {"ws_wire_ratio", D(ws_wire_ratio),
     "WebSocket --ws-deflate: message bytes on the wire per payload byte, both ways"},
    {"host", S(host), "several client hosts: the row's host, or all (their exact merge)"},
    {"hosts", S(hosts), "all row: client hosts it holds of the run's, 2/3"},
    {"streams", D(streams), "HTTP/2: concurrent streams per connection asked for"},
    {"h2_frames", D(h2_frames), "HTTP/2: frames per request, both ways"},
    {"req_header_bytes", D(req_header_bytes),
     "HTTP/2: request HEADERS frame bytes per request as sent (HPACK, with frame header)"},
    {"warmup_used_s", D(warmup_used_s),
     "warm-up before the window, seconds (TCP streams: until every connection left its start-up)"},
    {"warmup_capped", D(warmup_capped),
     "1: the adaptive warm-up hit its bound (4x the warm-up or +5 s) with a connection still in "
     "start-up"},
    {"tls_resumed", D(tls_resumed),
     "https, h2, wss: TLS handshakes in the window that resumed a session (crr --resume)"},
    {NULL, COL_STR, 0, 0, NULL},
};

void result_init(struct test_result *r)
{
    memset(r, 0, sizeof(*r));
    for (const struct result_column *c = result_columns; c->name; c++)
        if (c->kind == COL_DBL)
            *(double *)(void *)((char *)r + c->offset) = NAN;
}

int result_is_host_row(const struct test_result *r)
{
    return r->host[0] != '\0' && r->hosts[0] == '\0';
}

const struct result_column *result_column_find(const char *name)
{
    for (const struct result_column *c = result_columns; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

void result_csv_header(FILE *out)
{
    for (const struct result_column *c = result_columns; c->name; c++)
        fprintf(out, "%s%s", c == result_columns ? "" : ",", c->name);
    fputs("\r\n", out);
}

void result_csv_str(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* Numbers go out with printf in the C locale (netrig never calls
 * setlocale), so the decimal point is always '.'. */
static void put_dbl(FILE *out, double v)
{
    if (isnan(v))
        return;
    char buf[40];
    result_fmt_double(v, buf, sizeof(buf));
    fputs(buf, out);
}

void result_fmt_double(double v, char *buf, size_t len)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, len, "%.0f", v);
        return;
    }
    /* The shortest form that reads back as the same double, so that
     * re-checking a run (netrig model) sees exactly what was measured. */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
}

void result_csv_row(FILE *out, const struct test_result *r)
{
    for (const struct result_column *c = result_columns; c->name; c++) {
        if (c != result_columns)
            fputc(',', out);
        if (c->offset == (size_t)-1) {
            fprintf(out, "%d", RESULT_SCHEMA_VERSION);
            continue;
        }
        const char *p = (const char *)r + c->offset;
        switch (c->kind) {
        case COL_STR: result_csv_str(out, p); break;
        case COL_U32: fprintf(out, "%u", *(const uint32_t *)(const void *)p); break;
        case COL_DBL: put_dbl(out, *(const double *)(const void *)p); break;
        }
    }
    fputs("\r\n", out);
}

int result_csv_append(const char *path, const struct test_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return -1;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        fclose(m);
        free(buf);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size == 0)
        result_csv_header(m);
    result_csv_row(m, r);
    fclose(m);
    ssize_t w = write(fd, buf, len);
    int saved = errno;
    int rc = (w == (ssize_t)len && fsync(fd) == 0) ? 0 : -1;
    close(fd);
    free(buf);
    errno = saved;
    return rc;
}

/* Splits one CSV record into fields in place (quotes removed). Returns the
 * number of fields, or -1 for an unterminated quote. */
static int split_csv(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return n;
        char *w = p;
        fields[n++] = w;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0')
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            while (*p && *p != ',' && *p != '\r' && *p != '\n')
                p++;
        } else {
            while (*p && *p != ',' && *p != '\r' && *p != '\n')
                *w++ = *p++;
        }
        char sep = *p;
        *w = '\0';
        if (sep != ',')
            return n;
        p++;
    }
}

int result_csv_parse(const char *header, const char *row, struct test_result *r, char *err,
                     size_t errlen)
{
    enum { MAXF = 128 };
    char *h = strdup(header), *d = strdup(row);
    char *hf[MAXF], *df[MAXF];
    int rc = -1;
    if (!h || !d) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    int nh = split_csv(h, hf, MAXF), nd = split_csv(d, df, MAXF);
    if (nh < 0 || nd < 0) {
        snprintf(err, errlen, "unterminated quote");
        goto out;
    }
    if (nd != nh) {
        snprintf(err, errlen, "row has %d fields, header has %d", nd, nh);
        goto out;
    }
    result_init(r);
    for (int i = 0; i < nh; i++) {
        const struct result_column *c = result_column_find(hf[i]);
        if (!c || c->offset == (size_t)-1)
            continue;
        char *p = (char *)r + c->offset;
        if (c->kind == COL_STR) {
            snprintf(p, c->size, "%s", df[i]);
        } else if (df[i][0] != '\0') {
            char *end;
            double v = strtod(df[i], &end);
            if (*end != '\0') {
                snprintf(err, errlen, "column %s: '%s' is not a number", hf[i], df[i]);
                goto out;
            }
            if (c->kind == COL_U32)
                *(uint32_t *)(void *)p = (uint32_t)v;
            else
                *(double *)(void *)p = v;
        }
    }
    rc = 0;
out:
    free(h);
    free(d);
    return rc;
}

void result_json(FILE *out, const struct test_result *r)
{
    result_json_object(out, r);
    fputc('\n', out);
}

void result_json_object(FILE *out, const struct test_result *r)
{
    fputc('{', out);
    for (const struct result_column *c = result_columns; c->name; c++) {
        fprintf(out, "%s\"%s\":", c == result_columns ? "" : ",", c->name);
        if (c->offset == (size_t)-1) {
            fprintf(out, "%d", RESULT_SCHEMA_VERSION);
            continue;
        }
        const char *p = (const char *)r + c->offset;
        double v;
        switch (c->kind) {
        case COL_STR:
            fputc('"', out);
            for (const char *s = p; *s; s++) {
                if (*s == '"' || *s == '\\')
                    fprintf(out, "\\%c", *s);
                else if ((unsigned char)*s < 0x20)
                    fprintf(out, "\\u%04x", *s);
                else
                    fputc(*s, out);
            }
            fputc('"', out);
            break;
        case COL_U32: fprintf(out, "%u", *(const uint32_t *)(const void *)p); break;
        case COL_DBL:
            v = *(const double *)(const void *)p;
            if (isnan(v) || isinf(v)) {
                fputs("null", out);
            } else { /* the CSV's digits: a reader gets the same double */
                char buf[40];
                result_fmt_double(v, buf, sizeof(buf));
                fputs(buf, out);
            }
            break;
        }
    }
    fputc('}', out);
}
