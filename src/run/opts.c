#include "opts.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cpulist.h"
#include "net.h"
#include "netns.h"
#include "units.h"

#define F(field) offsetof(struct netrig_config, field), sizeof(((struct netrig_config *)0)->field)

const struct opt_def opts_table[] = {
    {"server", OPT_STR, F(server), NULL, 0, 0, "HOST:PORT of the netrig server (or echo server)"},
    {"url", OPT_STR, F(url), NULL, 0, 0, "http:// or https:// URL of any HTTP/1.1 server"},
    {"proto", OPT_PROTO, F(proto), "tcp", 0, 0, "tcp, udp, http, tls or https"},
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
    {"repeat", OPT_U32, F(repeat), "1", 1, 1000, "netrig run: repetitions of each step (not for a client run)"},
    {"link_rate", OPT_BITRATE, F(link_rate_bps), NULL, 0, 0, "known bottleneck rate for the model (the row's link_rate_bps)"},
    {"tolerance", OPT_DOUBLE, F(tolerance_pct), "1", 0, 100, "model tolerance in percent (the row's tolerance_pct)"},
    {"link", OPT_STR, F(link), NULL, 0, 0, "netrig run: emulate a link in namespaces: tbf:RATE (root; not for a client run)"},
    {"ipv6", OPT_BOOL, F(ipv6), "false", 0, 0,
     "over IPv6: a run's own server on ::1 (2001:2::1 across a link); --server must be IPv6"},
    {"method", OPT_STR, F(method), "GET", 0, 0,
     "HTTP method: GET, HEAD or POST (with a --size body)"},
    {"header", OPT_HEADER, F(headers), NULL, 0, 0, "extra HTTP header 'K: V' (repeatable)"},
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
    {"mss", OPT_U32, F(mss), NULL, 0, 65535,
     "TCP: largest segment, bytes (TCP_MAXSEG, as iperf3 -M)"},
    {"window", OPT_SIZE, F(window), NULL, 0, 1 << 30,
     "TCP: the client's socket buffers, caps bytes in flight (as iperf3 -w)"},
    {"cc", OPT_STR, F(cc), NULL, 0, 0,
     "TCP congestion control of both ends: cubic, bbr, reno (as iperf3 -C)"},
    {"csv", OPT_STR, F(csv), NULL, 0, 0, "append one result row to this CSV file"},
    {"hlog", OPT_STR, F(hlog), NULL, 0, 0, "write the interval histogram log here"},
    {"json", OPT_BOOL, F(json), "false", 0, 0, "print the result as one JSON object"},
    {"quiet", OPT_BOOL, F(quiet), "false", 0, 0, "print only errors and the result"},
    {"stall", OPT_DURATION, F(stall_ns), NULL, 0, 60,
     "testing: ask the server to stall once this long, a quarter into measuring"},
    {"psk", OPT_STR, F(psk), NULL, 0, 0, "file with the server's pre-shared key (server --psk)"},
    {NULL, OPT_STR, 0, 0, NULL, 0, 0, NULL},
};

/* Names compare with '-' and '_' the same, so --resp-size and resp_size
 * both work. */
static bool name_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

const struct opt_def *opts_find(const char *name)
{
    for (const struct opt_def *d = opts_table; d->name; d++)
        if (name_eq(d->name, name))
            return d;
    return NULL;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost =
                tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *opts_suggest(const char *name)
{
    const char *best = NULL;
    size_t bestd = 3;
    char norm[64];
    size_t n = 0;
    for (; name[n] && n < sizeof(norm) - 1; n++)
        norm[n] = name[n] == '-' ? '_' : name[n];
    norm[n] = '\0';
    for (const struct opt_def *d = opts_table; d->name; d++) {
        size_t dist = edit_distance(norm, d->name);
        /* A prefix of a long name is also a likely slip. */
        if (n >= 3 && strncmp(d->name, norm, n) == 0)
            dist = 1;
        if (dist < bestd) {
            bestd = dist;
            best = d->name;
        }
    }
    return best;
}

static const char *type_hint(enum opt_type t)
{
    switch (t) {
    case OPT_SIZE: return "a size such as 1500, 4k or 1m";
    case OPT_U32:
    case OPT_U64: return "a whole number";
    case OPT_DURATION: return "a duration such as 500ms, 10s or 2m";
    case OPT_RATE: return "a rate such as 50mbit, 1gbit or 20000/s";
    case OPT_BITRATE: return "a bit rate such as 100mbit or 1gbit";
    case OPT_DOUBLE: return "a number";
    case OPT_BOOL: return "true or false";
    case OPT_PROTO: return "tcp, udp, http, tls or https";
    case OPT_MODE: return "stream, rr, crr or rate";
    case OPT_STR:
    case OPT_HEADER: return "text";
    }
    return "a value";
}

static int parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(v, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(v, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

static int check_range(const struct opt_def *d, double v)
{
    if (d->min == 0 && d->max == 0)
        return 0;
    return v < d->min || v > d->max ? -1 : 0;
}

/* Stores one value; returns 0, -1 for a malformed value, -2 out of range. */
static int store(struct netrig_config *cfg, const struct opt_def *d, const char *v)
{
    char *base = (char *)cfg + d->offset;
    uint64_t u = 0;
    double x = 0, y = 0;
    int e;
    switch (d->type) {
    case OPT_STR:
        if (strlen(v) >= d->size)
            return -2;
        memcpy(base, v, strlen(v) + 1);
        return 0;
    case OPT_HEADER:
        if (cfg->nheaders >= CONFIG_MAX_HEADERS || strlen(v) >= sizeof(cfg->headers[0]) ||
            !strchr(v, ':'))
            return cfg->nheaders >= CONFIG_MAX_HEADERS ? -2 : -1;
        memcpy(cfg->headers[cfg->nheaders++], v, strlen(v) + 1);
        return 0;
    case OPT_SIZE:
    case OPT_U64:
    case OPT_U32:
        e = d->type == OPT_SIZE ? units_parse_size(v, &u) : units_parse_size(v, &u);
        if (e != 0 || (d->type != OPT_SIZE && strspn(v, "0123456789") != strlen(v)))
            return -1;
        if (check_range(d, (double)u) != 0 || (d->type == OPT_U32 && u > UINT32_MAX))
            return -2;
        if (d->type == OPT_U32)
            *(uint32_t *)(void *)base = (uint32_t)u;
        else
            *(uint64_t *)(void *)base = u;
        return 0;
    case OPT_DURATION:
        if (units_parse_duration(v, &u) != 0)
            return -1;
        if (check_range(d, (double)u / 1e9) != 0)
            return -2;
        *(uint64_t *)(void *)base = u;
        return 0;
    case OPT_RATE:
        if (units_parse_rate(v, &x, &y) != 0)
            return -1;
        cfg->rate_bps = x;
        cfg->rate_per_s = y;
        return 0;
    case OPT_BITRATE:
        if (units_parse_rate(v, &x, &y) != 0 || y != 0)
            return -1;
        *(double *)(void *)base = x;
        return 0;
    case OPT_DOUBLE:
        if (units_parse_double(v, &x) != 0)
            return -1;
        if (check_range(d, x) != 0)
            return -2;
        *(double *)(void *)base = x;
        return 0;
    case OPT_BOOL: return parse_bool(v, (bool *)(void *)base);
    case OPT_PROTO:
        e = proto_from_name(v);
        if (e < 0)
            return -1;
        *(enum proto *)(void *)base = (enum proto)e;
        return 0;
    case OPT_MODE:
        e = mode_from_name(v);
        if (e < 0)
            return -1;
        *(enum mode *)(void *)base = (enum mode)e;
        return 0;
    }
    return -1;
}

void opts_defaults(struct netrig_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    for (const struct opt_def *d = opts_table; d->name; d++)
        if (d->def && store(cfg, d, d->def) != 0)
            fprintf(stderr, "netrig: internal error: bad default for %s\n", d->name);
}

/* Rules on one value that the table's range cannot say, checked where the
 * value is set so that a scenario names the line of the key and a dry run
 * refuses what a run would: the link's syntax, and an interval that is off
 * or long enough for the client's schedule. */
static int check_value(const struct netrig_config *cfg, const struct opt_def *d, char *err,
                       size_t errlen)
{
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

int opts_set(struct netrig_config *cfg, const char *name, const char *value, char *err,
             size_t errlen)
{
    const struct opt_def *d = opts_find(name);
    if (!d) {
        const char *s = opts_suggest(name);
        if (s)
            snprintf(err, errlen, "unknown option '%s' (did you mean '%s'?)", name, s);
        else
            snprintf(err, errlen, "unknown option '%s'", name);
        return -1;
    }
    int r = store(cfg, d, value);
    if (r == -1) {
        snprintf(err, errlen, "bad value '%s' for %s: expected %s", value, d->name,
                 type_hint(d->type));
        return -1;
    }
    if (r == -2) {
        if (d->type == OPT_STR || d->type == OPT_HEADER)
            snprintf(err, errlen, "value for %s is too long or too many", d->name);
        else
            snprintf(err, errlen, "value '%s' for %s is out of range (%g to %g)", value, d->name,
                     d->min, d->max);
        return -1;
    }
    return check_value(cfg, d, err, errlen);
}

int opts_parse_argv(struct netrig_config *cfg, int argc, char **argv, char *err, size_t errlen)
{
    int i = 0;
    while (i < argc) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0')
            return strcmp(a, "--") == 0 ? i + 1 : i;
        char name[64];
        const char *eq = strchr(a + 2, '=');
        size_t nl = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        if (nl >= sizeof(name)) {
            snprintf(err, errlen, "unknown option '%s'", a);
            return -1;
        }
        memcpy(name, a + 2, nl);
        name[nl] = '\0';
        const struct opt_def *d = opts_find(name);
        const char *value;
        if (eq) {
            value = eq + 1;
        } else if (d && d->type == OPT_BOOL &&
                   (i + 1 >= argc || parse_bool(argv[i + 1], &(bool){false}) != 0)) {
            value = "true";
        } else if (d && i + 1 < argc) {
            value = argv[++i];
        } else if (d) {
            snprintf(err, errlen, "option --%s needs a value: %s", name, type_hint(d->type));
            return -1;
        } else {
            value = "";
        }
        char e[256];
        if (opts_set(cfg, name, value, e, sizeof(e)) != 0) {
            snprintf(err, errlen, "%s", e);
            return -1;
        }
        i++;
    }
    return i;
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
    const char *base = (const char *)cfg + d->offset;
    switch (d->type) {
    case OPT_STR: snprintf(buf, len, "%s", base); break;
    case OPT_HEADER: snprintf(buf, len, "%u header(s)", cfg->nheaders); break;
    case OPT_SIZE:
    case OPT_U64:
        snprintf(buf, len, "%llu", (unsigned long long)*(const uint64_t *)(const void *)base);
        break;
    case OPT_U32: snprintf(buf, len, "%u", *(const uint32_t *)(const void *)base); break;
    case OPT_DURATION:
        snprintf(buf, len, "%gs", (double)*(const uint64_t *)(const void *)base / 1e9);
        break;
    case OPT_RATE:
        if (cfg->rate_per_s > 0)
            snprintf(buf, len, "%g/s", cfg->rate_per_s);
        else if (cfg->rate_bps > 0)
            snprintf(buf, len, "%gbit", cfg->rate_bps);
        else
            snprintf(buf, len, "0");
        break;
    case OPT_BITRATE: snprintf(buf, len, "%gbit", *(const double *)(const void *)base); break;
    case OPT_DOUBLE: snprintf(buf, len, "%g", *(const double *)(const void *)base); break;
    case OPT_BOOL:
        snprintf(buf, len, "%s", *(const bool *)(const void *)base ? "true" : "false");
        break;
    case OPT_PROTO:
        snprintf(buf, len, "%s", proto_name(*(const enum proto *)(const void *)base));
        break;
    case OPT_MODE:
        snprintf(buf, len, "%s", mode_name(*(const enum mode *)(const void *)base));
        break;
    }
}

void opts_print_help(FILE *out)
{
    for (const struct opt_def *d = opts_table; d->name; d++) {
        char flag[40];
        snprintf(flag, sizeof(flag), "--%s", d->name);
        for (char *p = flag; *p; p++)
            if (*p == '_')
                *p = '-';
        fprintf(out, "  %-16s %s", flag, d->help);
        if (d->def)
            fprintf(out, " [%s]", d->def);
        fputc('\n', out);
    }
}
