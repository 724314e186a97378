#include "server_opts.h"

#include <string.h>

#include "cpulist.h"
#include "units.h"

/* The server's own kinds of value, stored by the hooks below. */
enum {
    OPT_RATE_CAP = OPT_CUSTOM, /* max_rate_bps and/or max_rate_per_s */
    OPT_MODEL,                 /* model_threads: epoll or threads */
};

#define F(field) offsetof(struct server_config, field), sizeof(((struct server_config *)0)->field)

const struct opt_def server_opts_table[] = {
    {"listen", OPT_STR, F(listen), "127.0.0.1:7878", 0, 0,
     "ADDR:PORT; [::1]:7878 for IPv6, 0.0.0.0:7878 for every interface"},
    {"threads", OPT_U32, F(threads), "1", 1, 256, "worker threads, each with its own epoll loop"},
    {"cpu", OPT_STR, F(cpu), NULL, 0, 0, "pin thread i to the i-th CPU of this list: 0,1 or 0-3"},
    {"busy-poll", OPT_U32, F(busy_poll_us), NULL, 0, 100000,
     "spin up to N us for data before sleeping (latency; burns CPU)"},
    {"model", OPT_MODEL, F(model_threads), "epoll", 0, 0,
     "epoll: threads multiplex all connections; threads: a thread per connection"},
    {"tls", OPT_BOOL, F(tls), "false", 0, 0,
     "also accept TLS (HTTPS, TLS data); self-signed EC P-256 certificate unless --cert"},
    {"cert", OPT_STR, F(cert), NULL, 0, 0, "PEM certificate (chain) for TLS; turns on --tls"},
    {"key", OPT_STR, F(key), NULL, 0, 0,
     "PEM private key for --cert (default: in the --cert file)"},
    {"psk", OPT_STR, F(psk_file), NULL, 0, 0,
     "control connections must prove the key in this private file (clients: --psk FILE)"},
    {"open-http", OPT_BOOL, F(open_http), "false", 0, 0,
     "with --psk: serve HTTP and HTTPS to anyone all the same (else 403)"},
    {"quiet", OPT_BOOL, F(quiet), "false", 0, 0, "print nothing but errors"},
    {"stdio-control", OPT_BOOL, F(stdio_control), "false", 0, 0,
     "stop when standard input ends or says stop (netrig run's server_host, over ssh)"},
    {"reuseport", OPT_BOOL, F(reuseport), "false", 0, 0,
     "share the port with a server already on it (SO_REUSEPORT: connections land on either)"},
    /* What clients may ask of this server (server_limits.h). */
    {"max-conns", OPT_U32, F(lim.max_conns), "10000", 1, 10000000,
     "limit: open connections at once, all kinds"},
    {"max-unauth-conns", OPT_U32, F(lim.max_unauth_conns), "256", 1, 10000000,
     "limit: with --psk, connections not yet past the key at once (oldest idle closed)"},
    {"max-tests", OPT_U32, F(lim.max_tests), "64", 1, 100000, "limit: tests at once"},
    {"max-tests-per-peer", OPT_U32, F(lim.max_peer_tests), "8", 1, 100000,
     "limit: tests at once from one client address"},
    {"max-test-conns", OPT_U32, F(lim.max_test_conns), "10000", 1, 100000,
     "limit: connections or UDP flows per test"},
    {"max-duration", OPT_DURATION, F(lim.max_duration_ns), "1h", 0.001, 7 * 86400.0,
     "limit: warm-up + duration per test"},
    {"max-rate", OPT_RATE_CAP, 0, 0, NULL, 0, 0,
     "limit: pacing per test, 10gbit and/or 1000000/s (give it twice for both; none = any)"},
    {"max-size", OPT_SIZE, F(lim.max_msg_size), "1g", 1, 4294967296.0,
     "limit: payload bytes per message"},
    {"http-max-head", OPT_SIZE32, F(lim.http_max_head), "16k", 256, 16384,
     "limit: HTTP request line + headers (431 beyond)"},
    {"http-max-body", OPT_SIZE, F(lim.http_max_body), "1024g", 1, 1125899906842624.0,
     "limit: HTTP /bytes/N and /sink bodies (413 beyond)"},
    {"h2-max-streams", OPT_U32, F(lim.h2_max_streams), "128", 1, 1024,
     "limit: HTTP/2 streams at once per connection (SETTINGS_MAX_CONCURRENT_STREAMS)"},
    {"h2-window", OPT_SIZE32, F(lim.h2_window), "1m", 65535, 2147483647.0,
     "limit: HTTP/2 stream receive window (SETTINGS_INITIAL_WINDOW_SIZE): a POST's bytes in "
     "flight"},
    {"hello-timeout", OPT_DURATION, F(lim.hello_timeout_ns), "10s", 0.001, 3600,
     "limit: accept to first whole request (slowloris)"},
    {"auth-timeout", OPT_DURATION, F(lim.auth_timeout_ns), "3s", 0.001, 3600,
     "limit: with --psk, accept to a proved key (or a data hello)"},
    {"idle-timeout", OPT_DURATION, F(lim.idle_timeout_ns), "60s", 0.001, 86400,
     "limit: a connection with nothing going on"},
    {"grace", OPT_DURATION, F(lim.grace_ns), "10s", 0.001, 3600,
     "limit: a test may overrun its planned end"},
    {"data-timeout", OPT_DURATION, F(lim.data_timeout_ns), "5s", 0.001, 3600,
     "limit: accepted test to all its data connections"},
    {NULL, OPT_STR, 0, 0, NULL, 0, 0, NULL},
};

static const char *server_hint(const struct opt_def *d)
{
    return d->type == OPT_MODEL ? "epoll or threads" : "a rate such as 10gbit or 1000000/s";
}

/* A rate cap given in bits/s and one given per second are two caps: each
 * --max-rate sets the one it names and keeps the other. */
static int server_store(void *base, const struct opt_def *d, const char *v)
{
    struct server_config *c = base;
    double bps = 0, per = 0;
    if (d->type == OPT_MODEL) {
        if (strcmp(v, "epoll") != 0 && strcmp(v, "threads") != 0)
            return -1;
        c->model_threads = strcmp(v, "threads") == 0;
        return 0;
    }
    if (units_parse_rate(v, &bps, &per) != 0)
        return -1;
    if (bps > 0)
        c->lim.max_rate_bps = bps;
    else
        c->lim.max_rate_per_s = per;
    return 0;
}

static void server_format(const void *base, const struct opt_def *d, char *buf, size_t len)
{
    const struct server_config *c = base;
    if (d->type == OPT_MODEL)
        snprintf(buf, len, "%s", c->model_threads ? "threads" : "epoll");
    else if (c->lim.max_rate_bps > 0)
        snprintf(buf, len, "%gbit", c->lim.max_rate_bps);
    else if (c->lim.max_rate_per_s > 0)
        snprintf(buf, len, "%g/s", c->lim.max_rate_per_s);
    else
        snprintf(buf, len, "0");
}

/* A CPU list is checked where it is given; a certificate or key means
 * TLS. */
static int server_check(void *base, const struct opt_def *d, char *err, size_t errlen)
{
    struct server_config *c = base;
    if (strcmp(d->name, "cpu") == 0 && c->cpu[0]) {
        struct cpulist l;
        char e[200];
        if (cpulist_parse(c->cpu, &l, e, sizeof(e)) != 0) {
            snprintf(err, errlen, "bad value '%s' for cpu: %s", c->cpu, e);
            return -1;
        }
    }
    if (strcmp(d->name, "cert") == 0 || strcmp(d->name, "key") == 0)
        c->tls = true;
    return 0;
}

const struct optab server_opts_tab = {server_opts_table, server_store, server_hint, server_format,
                                      server_check};

void server_config_defaults(struct server_config *c)
{
    optab_defaults(&server_opts_tab, c, sizeof(*c));
}

int server_opts_set(struct server_config *c, const char *name, const char *value, char *err,
                    size_t errlen)
{
    return optab_set(&server_opts_tab, c, name, value, err, errlen);
}

int server_opts_parse_argv(struct server_config *c, int argc, char **argv, char *err, size_t errlen)
{
    int used = optab_parse_argv(&server_opts_tab, c, argc, argv, err, errlen);
    if (used < 0)
        return -1;
    if (used < argc) {
        snprintf(err, errlen, "unexpected argument '%s': options are --name value", argv[used]);
        return -1;
    }
    return 0;
}

void server_opts_print_help(FILE *out)
{
    optab_print_help(&server_opts_tab, out);
}
