#include "opts.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpulist.h"
#include "net.h"
#include "netns.h"
#include "units.h"

#define F(field) offsetof(struct netrig_config, field), sizeof(((struct netrig_config *)0)->field)

const struct opt_def opts_table[] = {
    {"server", OPT_STR, F(server), NULL, 0, 0, "HOST:PORT of the netrig server (or echo server)"},
    {"url", OPT_STR, F(url), NULL, 0, 0,
     "http://, https://, ws:// or wss:// URL of any HTTP/1.1 or WebSocket echo server"},
    {"proto", OPT_PROTO, F(proto), "tcp", 0, 0, "tcp, udp, http, tls, https, ws or wss"},
    {"mode", OPT_MODE, F(mode), "stream", 0, 0, "stream, rr, crr or rate"},
    {"size", OPT_SIZE, F(size), "1k", 1, 1 << 30, "message / request payload bytes (k, m: 1024)"},
    {"resp_size", OPT_SIZE, F(resp_size), NULL, 0, 1 << 30,
     "response payload bytes (default: size)"},
    {"rate", OPT_RATE, 0, 0, NULL, 0, 0,
     "pace: bits/s (50mbit, 1gbit: 1000-based) or per second (20000/s)"},
    {"conns", OPT_U32, F(conns), "1", 1, 100000, "connections (or UDP flows)"},
    {"threads", OPT_U32, F(threads), "1", 1, 256, "worker threads, each with its own event loop"},
    {"pipeline", OPT_U32, F(pipeline), "1", 1, 1024, "outstanding requests per connection (rr)"},
    {"reverse", OPT_BOOL, F(reverse), "false", 0, 0, "stream: the server sends"},
    {"bidir", OPT_BOOL, F(bidir), "false", 0, 0, "stream: both ends send"},
    {"echo", OPT_BOOL, F(echo), "false", 0, 0, "peer is a plain RFC 862 echo server (rr)"},
    {"duration", OPT_DURATION, F(duration_ns), "5s", 0.001, 86400, "measured time (ms, s, m)"},
    {"warmup", OPT_DURATION, F(warmup_ns), "0.5s", 0, 3600, "time before measuring, excluded"},
    {"warmup_fixed", OPT_BOOL, F(warmup_fixed), "false", 0, 0,
     "TCP/TLS/HTTP streams: measure right after --warmup, even while a connection is still "
     "in its start-up (default: wait for it, up to 4x the warm-up or +5s)"},
    {"interval", OPT_DURATION, F(interval_ns), NULL, 0, 3600, "report every interval (0 = off)"},
    {"timeout", OPT_DURATION, F(timeout_ns), "1s", 0.000001, 3600,
     "UDP rr: a reply later than this is lost; connect timeout"},
    {"count", OPT_U64, F(count), NULL, 0, 0, "stop after this many messages (0 = by duration)"},
    {"repeat", OPT_U32, F(repeat), "1", 1, 1000,
     "netrig run: repetitions of each step (not for a client run)"},
    {"link_rate", OPT_BITRATE, F(link_rate_bps), NULL, 0, 0,
     "known bottleneck rate for the model (the row's link_rate_bps)"},
    {"tolerance", OPT_DOUBLE, F(tolerance_pct), "1", 0, 100,
     "model tolerance in percent (the row's tolerance_pct)"},
    {"max_errors", OPT_MAXERR, 0, 0, NULL, 0, 0,
     "fail the test beyond N errors or PCT % of transactions (0 = any error; default: only when "
     "nothing succeeded)"},
    {"link", OPT_STR, F(link), NULL, 0, 0,
     "netrig run: emulate a link in namespaces: tbf:RATE (root; not for a client run)"},
    {"optional", OPT_BOOL, F(optional), "false", 0, 0,
     "netrig run: skip this step with a note where it cannot run (its link needs root)"},
    {"ipv6", OPT_BOOL, F(ipv6), "false", 0, 0,
     "over IPv6: a run's own server on ::1 (2001:2::1 across a link); --server must be IPv6"},
    {"method", OPT_STR, F(method), "GET", 0, 0,
     "HTTP method: GET, HEAD or POST (with a --size body)"},
    {"http2", OPT_BOOL, F(http2), "false", 0, 0,
     "speak HTTP/2: h2 over TLS (ALPN), h2c with prior knowledge over plain TCP"},
    {"streams", OPT_U32, F(streams), "1", 1, 4096,
     "HTTP/2: concurrent streams per connection (as h2load -m)"},
    {"header", OPT_HEADER, F(headers), NULL, 0, 0, "extra HTTP header 'K: V' (repeatable)"},
    {"ws_frame", OPT_SIZE, F(ws_frame), NULL, 0, 1 << 30,
     "WebSocket: payload bytes per frame, a message split into frames (default: one)"},
    {"ws_text", OPT_BOOL, F(ws_text), "false", 0, 0,
     "WebSocket: text messages (UTF-8) instead of binary"},
    {"ws_deflate", OPT_BOOL, F(ws_deflate), "false", 0, 0,
     "WebSocket: offer permessage-deflate; messages compressed if the server takes it"},
    {"tls_version", OPT_STR, F(tls_version), NULL, 0, 0, "1.2 or 1.3 (default: negotiate)"},
    {"ciphers", OPT_STR, F(ciphers), NULL, 0, 0, "OpenSSL cipher list / TLS 1.3 suites"},
    {"groups", OPT_STR, F(groups), NULL, 0, 0, "key exchange groups, X25519:P-256"},
    {"alpn", OPT_STR, F(alpn), NULL, 0, 0, "ALPN protocol to offer"},
    {"resume", OPT_BOOL, F(resume), "false", 0, 0, "crr: resume TLS sessions (tickets)"},
    {"verify", OPT_BOOL, F(verify), "false", 0, 0, "verify the server certificate"},
    {"cafile", OPT_STR, F(cafile), NULL, 0, 0, "CA bundle for --verify"},
    {"no_timing", OPT_BOOL, F(no_timing), "false", 0, 0, "do not time messages (instrument cost)"},
    {"cpu", OPT_STR, F(cpu), NULL, 0, 0, "pin worker threads to these CPUs: 0,1 or 0-3"},
    {"busy_poll", OPT_U32, F(busy_poll_us), NULL, 0, 100000,
     "spin up to N us for data before sleeping (latency; burns CPU)"},
    {"coalesce", OPT_U32, F(coalesce_us), "20", 0, 10000,
     "HTTP stream mode with 8+ requests in flight per thread: gather answers up to N us "
     "before sleeping, sparing the server a wake-up per answer (0: off)"},
    {"mss", OPT_U32, F(mss), NULL, 0, 65535,
     "TCP: largest segment, bytes (TCP_MAXSEG, as iperf3 -M)"},
    {"window", OPT_SIZE, F(window), NULL, 0, 1 << 30,
     "TCP: the client's socket buffers, caps bytes in flight (as iperf3 -w)"},
    {"cc", OPT_STR, F(cc), NULL, 0, 0,
     "TCP congestion control of both ends: cubic, bbr, reno (as iperf3 -C)"},
    {"csv", OPT_STR, F(csv), NULL, 0, 0, "append one result row to this CSV file"},
    {"hlog", OPT_STR, F(hlog), NULL, 0, 0, "write the interval histogram log here"},
    {"probe", OPT_STR, F(probe), "none", 0, 0,
     "latency under load: udp or tcp probe flow beside the load, or none"},
    {"probe_interval", OPT_DURATION, F(probe_interval_ns), "10ms", 0.001, 1,
     "probe: one request per interval (open loop)"},
    {"probe_size", OPT_SIZE, F(probe_size), "64", 16, 65507, "probe: request and echo bytes"},
    {"events", OPT_STR, F(events), NULL, 0, 0,
     "write live events, one JSON object a line, here ('-': standard output)"},
    {"json", OPT_BOOL, F(json), "false", 0, 0, "print the result as one JSON object"},
    {"quiet", OPT_BOOL, F(quiet), "false", 0, 0, "print only errors and the result"},
    {"stall", OPT_DURATION, F(stall_ns), NULL, 0, 60,
     "testing: ask the server to stall once this long, a quarter into measuring"},
    {"psk", OPT_STR, F(psk), NULL, 0, 0, "file with the server's pre-shared key (server --psk)"},
    {"start_at", OPT_DOUBLE, F(start_at_s), NULL, 0, 0,
     "client: start at this wall-clock time, seconds since the epoch (several hosts at once)"},
    {"out", OPT_STR, F(out), NULL, 0, 0,
     "client: write a results folder (summary.csv, client.hlog) for netrig merge"},
    {"host", OPT_STR, F(host), NULL, 0, 0,
     "client: this host's name in the row (default: hostname)"},
    {"stdio_control", OPT_BOOL, F(stdio_control), "false", 0, 0,
     "client: take start time and clock probes from netrig run on stdin (over ssh)"},
    {"server_host", OPT_STR, F(server_host), NULL, 0, 0,
     "netrig run: start the server on this host over ssh: ssh://[user@]host[:port]"},
    {"client_hosts", OPT_STR, F(client_hosts), NULL, 0, 0,
     "netrig run: run every step's client on each of these hosts: ssh://a, ssh://b"},
    {"netrig_path", OPT_STR, F(netrig_path), "netrig", 0, 0,
     "netrig run: the netrig binary on the remote hosts"},
    {"ssh_config", OPT_STR, F(ssh_config), NULL, 0, 0, "netrig run: ssh -F FILE for every ssh"},
    {NULL, OPT_STR, 0, 0, NULL, 0, 0, NULL},
};

static const char *client_hint(const struct opt_def *d)
{
    switch (d->type) {
    case OPT_RATE: return "a rate such as 50mbit, 1gbit or 20000/s";
    case OPT_PROTO: return "tcp, udp, http, tls, https, ws or wss";
    case OPT_MODE: return "stream, rr, crr or rate";
    case OPT_HEADER: return "a header 'K: V' (at most 16)";
    case OPT_MAXERR: return "a count such as 10, a percentage such as 5%, or off";
    }
    return "a value";
}

/* "N" errors, "PCT%" of the transactions, or "off". */
static int store_max_errors(struct netrig_config *cfg, const char *v)
{
    cfg->max_errors_on = false;
    cfg->max_errors = cfg->max_errors_pct = 0;
    if (strcmp(v, "off") == 0 || v[0] == '\0')
        return 0;
    char *end;
    double x = strtod(v, &end);
    bool pct = *end == '%';
    if (end == v || (pct ? end[1] != '\0' : *end != '\0') || !(x >= 0))
        return -1;
    if ((pct && x > 100) || x > 1e15)
        return -2;
    cfg->max_errors_on = true;
    cfg->max_errors = pct ? 0 : x;
    cfg->max_errors_pct = pct ? x : -1; /* -1: a count */
    return 0;
}

/* The client's own kinds: 0, -1 for a malformed value, -2 out of range. */
static int client_store(void *base, const struct opt_def *d, const char *v)
{
    struct netrig_config *cfg = base;
    double x = 0, y = 0;
    int e;
    switch (d->type) {
    case OPT_HEADER:
        if (cfg->nheaders >= CONFIG_MAX_HEADERS || strlen(v) >= sizeof(cfg->headers[0]) ||
            !strchr(v, ':'))
            return cfg->nheaders >= CONFIG_MAX_HEADERS ? -2 : -1;
        memcpy(cfg->headers[cfg->nheaders++], v, strlen(v) + 1);
        return 0;
    case OPT_RATE:
        if (units_parse_rate(v, &x, &y) != 0)
            return -1;
        cfg->rate_bps = x;
        cfg->rate_per_s = y;
        return 0;
    case OPT_PROTO:
        e = proto_from_name(v);
        if (e < 0)
            return -1;
        cfg->proto = (enum proto)e;
        return 0;
    case OPT_MODE:
        e = mode_from_name(v);
        if (e < 0)
            return -1;
        cfg->mode = (enum mode)e;
        return 0;
    case OPT_MAXERR: return store_max_errors(cfg, v);
    }
    return -1;
}

static void client_format(const void *base, const struct opt_def *d, char *buf, size_t len)
{
    const struct netrig_config *cfg = base;
    switch (d->type) {
    case OPT_HEADER: snprintf(buf, len, "%u header(s)", cfg->nheaders); break;
    case OPT_RATE:
        if (cfg->rate_per_s > 0)
            snprintf(buf, len, "%g/s", cfg->rate_per_s);
        else if (cfg->rate_bps > 0)
            units_fmt_rate_spec(cfg->rate_bps, buf, len);
        else
            snprintf(buf, len, "0");
        break;
    case OPT_PROTO: snprintf(buf, len, "%s", proto_name(cfg->proto)); break;
    case OPT_MODE: snprintf(buf, len, "%s", mode_name(cfg->mode)); break;
    case OPT_MAXERR:
        if (!cfg->max_errors_on)
            snprintf(buf, len, "off");
        else if (cfg->max_errors_pct >= 0)
            snprintf(buf, len, "%g%%", cfg->max_errors_pct);
        else
            snprintf(buf, len, "%g", cfg->max_errors);
        break;
    default: snprintf(buf, len, "?"); break;
    }
}

/* Rules on one value that the table's range cannot say, checked where the
 * value is set so that a scenario names the line of the key and a dry run
 * refuses what a run would: the link's syntax, and an interval that is off
 * or long enough for the client's schedule. */
static int check_value(void *base, const struct opt_def *d, char *err, size_t errlen)
{
    const struct netrig_config *cfg = base;
    double rate;
    if (strcmp(d->name, "link") == 0 && cfg->link[0] &&
        netns_link_parse(cfg->link, &rate, err, errlen) != 0)
        return -1;
    if (strcmp(d->name, "interval") == 0 && cfg->interval_ns &&
        cfg->interval_ns < CONFIG_INTERVAL_MIN_NS) {
        snprintf(err, errlen, "interval %gs is too short: 0 (off) or at least 10ms",
                 (double)cfg->interval_ns / 1e9);
        return -1;
    }
    return 0;
}

const struct optab opts_tab = {opts_table, client_store, client_hint, client_format, check_value};

void opts_defaults(struct netrig_config *cfg)
{
    optab_defaults(&opts_tab, cfg, sizeof(*cfg));
}

const struct opt_def *opts_find(const char *name)
{
    return optab_find(&opts_tab, name);
}

const char *opts_suggest(const char *name)
{
    return optab_suggest(&opts_tab, name);
}

int opts_set(struct netrig_config *cfg, const char *name, const char *value, char *err,
             size_t errlen)
{
    return optab_set(&opts_tab, cfg, name, value, err, errlen);
}

int opts_parse_argv(struct netrig_config *cfg, int argc, char **argv, char *err, size_t errlen)
{
    return optab_parse_argv(&opts_tab, cfg, argc, argv, err, errlen);
}

/* An IPv6 literal: "[::1]:7878", a bare "::1", or a URL's "[::1]" host. */
static bool ipv6_literal(const char *s)
{
    const char *u = strstr(s, "://");
    if (u)
        return u[3] == '[';
    const char *c = strchr(s, ':');
    return s[0] == '[' || (c && strchr(c + 1, ':'));
}

int opts_validate(const struct netrig_config *cfg, char *err, size_t errlen)
{
    if (cfg->url[0] == '\0' && cfg->server[0] == '\0' && cfg->link[0] == '\0') {
        snprintf(err, errlen, "no peer: give --server HOST:PORT or --url URL");
        return -1;
    }
    if (cfg->mode == MODE_CRR && cfg->proto == PROTO_UDP) {
        snprintf(err, errlen, "mode crr needs a connection: not available for udp");
        return -1;
    }
    if (cfg->mode == MODE_RATE && cfg->rate_per_s <= 0) {
        snprintf(err, errlen, "mode rate needs --rate N/s (transactions per second)");
        return -1;
    }
    if (cfg->echo && cfg->mode != MODE_RR && cfg->mode != MODE_RATE) {
        snprintf(err, errlen, "--echo works with mode rr or rate only");
        return -1;
    }
    if (cfg->reverse && cfg->bidir) {
        snprintf(err, errlen, "--reverse and --bidir exclude each other");
        return -1;
    }
    if (cfg->verify && cfg->cafile[0] == '\0') {
        snprintf(err, errlen, "--verify needs --cafile FILE");
        return -1;
    }
    if (cfg->proto == PROTO_UDP && (cfg->mss || cfg->window || cfg->cc[0])) {
        snprintf(err, errlen, "--mss, --window and --cc are TCP settings: not for --proto udp");
        return -1;
    }
    if (!net_cc_name_ok(cfg->cc)) {
        snprintf(err, errlen, "--cc '%s': a congestion control name such as cubic or bbr", cfg->cc);
        return -1;
    }
    const char *peer = cfg->url[0] ? cfg->url : cfg->server;
    if (cfg->ipv6 && peer[0] && !ipv6_literal(peer)) {
        snprintf(err, errlen, "--ipv6: '%s' is not an IPv6 address (write [::1]:7878)", peer);
        return -1;
    }
    struct cpulist cpus;
    if (cpulist_parse(cfg->cpu, &cpus, err, errlen) != 0 || cpulist_check(&cpus, err, errlen) != 0)
        return -1;
    return 0;
}

void opts_format(const struct netrig_config *cfg, const struct opt_def *d, char *buf, size_t len)
{
    optab_format(&opts_tab, cfg, d, buf, len);
}

void opts_print_help(FILE *out)
{
    optab_print_help(&opts_tab, out);
}
