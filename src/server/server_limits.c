#include "server_limits.h"

#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include "units.h"

/* LIM_SIZE32 and LIM_SIZE64 take k/m/g sizes into uint32_t and uint64_t. */
enum lim_type { LIM_U32, LIM_SIZE32, LIM_SIZE64, LIM_DURATION, LIM_RATE };

struct lim_def {
    const char *name;
    enum lim_type type;
    size_t offset;
    const char *def;
    double min, max; /* inclusive; seconds for durations */
    const char *help;
};

#define L(field) offsetof(struct server_limits, field)

/* The rate entry writes max_rate_bps or max_rate_per_s, whichever the
 * text names; its offset is unused. */
static const struct lim_def lim_table[] = {
    {"max-conns", LIM_U32, L(max_conns), "10000", 1, 10000000,
     "open connections at once, all kinds"},
    {"max-tests", LIM_U32, L(max_tests), "64", 1, 100000, "tests at once"},
    {"max-tests-per-peer", LIM_U32, L(max_peer_tests), "8", 1, 100000,
     "tests at once from one client address"},
    {"max-test-conns", LIM_U32, L(max_test_conns), "10000", 1, 100000,
     "connections or UDP flows per test"},
    {"max-duration", LIM_DURATION, L(max_duration_ns), "1h", 0.001, 7 * 86400.0,
     "warm-up + duration per test"},
    {"max-rate", LIM_RATE, 0, NULL, 0, 0, "pacing per test: 10gbit and/or 1000000/s"},
    {"max-size", LIM_SIZE64, L(max_msg_size), "1g", 1, 4294967296.0, "payload bytes per message"},
    {"http-max-head", LIM_SIZE32, L(http_max_head), "16k", 256, 16384,
     "HTTP request line + headers (431 beyond)"},
    {"http-max-body", LIM_SIZE64, L(http_max_body), "1024g", 1, 1125899906842624.0,
     "HTTP /bytes/N and /sink bodies (413 beyond)"},
    {"hello-timeout", LIM_DURATION, L(hello_timeout_ns), "10s", 0.001, 3600,
     "accept to first whole request (slowloris)"},
    {"idle-timeout", LIM_DURATION, L(idle_timeout_ns), "60s", 0.001, 86400,
     "a connection with nothing going on"},
    {"grace", LIM_DURATION, L(grace_ns), "10s", 0.001, 3600, "a test may overrun its planned end"},
    {"data-timeout", LIM_DURATION, L(data_timeout_ns), "5s", 0.001, 3600,
     "accepted test to all its data connections"},
};

#define LIM_N (sizeof(lim_table) / sizeof(lim_table[0]))

static bool name_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a == '_' ? '-' : *a, y = *b == '_' ? '-' : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

static const struct lim_def *lim_find(const char *name)
{
    while (name[0] == '-')
        name++;
    for (size_t i = 0; i < LIM_N; i++)
        if (name_eq(lim_table[i].name, name))
            return &lim_table[i];
    return NULL;
}

/* Stores one value: 0, -1 malformed, -2 out of range. */
static int lim_store(struct server_limits *l, const struct lim_def *d, const char *v)
{
    char *base = (char *)l + d->offset;
    uint64_t u = 0;
    double bps = 0, per = 0;
    switch (d->type) {
    case LIM_U32:
    case LIM_SIZE32:
    case LIM_SIZE64:
        if (units_parse_size(v, &u) != 0 ||
            (d->type == LIM_U32 && strspn(v, "0123456789") != strlen(v)))
            return -1;
        if ((double)u < d->min || (double)u > d->max)
            return -2;
        if (d->type == LIM_SIZE64)
            *(uint64_t *)(void *)base = u;
        else
            *(uint32_t *)(void *)base = (uint32_t)u;
        return 0;
    case LIM_DURATION:
        if (units_parse_duration(v, &u) != 0)
            return -1;
        if ((double)u / 1e9 < d->min || (double)u / 1e9 > d->max)
            return -2;
        *(uint64_t *)(void *)base = u;
        return 0;
    case LIM_RATE:
        if (units_parse_rate(v, &bps, &per) != 0)
            return -1;
        if (bps > 0)
            l->max_rate_bps = bps;
        else
            l->max_rate_per_s = per;
        return 0;
    }
    return -1;
}

void server_limits_defaults(struct server_limits *l)
{
    memset(l, 0, sizeof(*l));
    for (size_t i = 0; i < LIM_N; i++)
        if (lim_table[i].def)
            (void)lim_store(l, &lim_table[i], lim_table[i].def);
}

int server_limits_set(struct server_limits *l, const char *name, const char *value, char *err,
                      size_t errlen)
{
    const struct lim_def *d = lim_find(name);
    if (!d)
        return 0;
    int r = lim_store(l, d, value);
    if (r == -1) {
        snprintf(err, errlen, "bad value '%s' for --%s", value, d->name);
        return -1;
    }
    if (r == -2) {
        snprintf(err, errlen, "value '%s' for --%s is out of range (%g to %g%s)", value, d->name,
                 d->min, d->max, d->type == LIM_DURATION ? " s" : "");
        return -1;
    }
    return 1;
}

void server_limits_print_help(FILE *out)
{
    fprintf(out, "Limits (what clients may ask of this server):\n");
    for (size_t i = 0; i < LIM_N; i++) {
        const struct lim_def *d = &lim_table[i];
        char opt[40];
        snprintf(opt, sizeof(opt), "--%s %s", d->name,
                 d->type == LIM_DURATION ? "T"
                 : d->type == LIM_RATE   ? "R"
                                         : "N");
        fprintf(out, "  %-20s %s (default %s)\n", opt, d->help, d->def ? d->def : "any");
    }
}

/* A test paced one way is held to both caps: a bit rate implies a
 * message rate through the message size, and the other way round. */
static int check_rate(const struct server_limits *l, const struct server_limits_ask *a, char *err,
                      size_t errlen)
{
    char x[32], y[32];
    if (l->max_rate_bps <= 0 && l->max_rate_per_s <= 0)
        return 0;
    if (a->rate_bps <= 0 && a->rate_per_s <= 0) {
        snprintf(
            err, errlen, "the server allows paced tests only (--max-rate%s%s%s%s): ask for --rate",
            l->max_rate_bps > 0 ? " " : "",
            l->max_rate_bps > 0 ? units_fmt_bps(l->max_rate_bps, x, sizeof(x)) : "",
            l->max_rate_per_s > 0 ? " " : "",
            l->max_rate_per_s > 0 ? (snprintf(y, sizeof(y), "%g/s", l->max_rate_per_s), y) : "");
        return -1;
    }
    double bytes = (double)(a->size > a->resp_size ? a->size : a->resp_size);
    double bps = a->rate_bps > 0 ? a->rate_bps : a->rate_per_s * 8.0 * bytes;
    double per_s =
        a->rate_per_s > 0 ? a->rate_per_s : a->rate_bps / (8.0 * (bytes > 0 ? bytes : 1));
    if (l->max_rate_bps > 0 && bps > l->max_rate_bps) {
        snprintf(err, errlen, "rate %s exceeds the server's --max-rate %s",
                 units_fmt_bps(bps, x, sizeof(x)), units_fmt_bps(l->max_rate_bps, y, sizeof(y)));
        return -1;
    }
    if (l->max_rate_per_s > 0 && per_s > l->max_rate_per_s) {
        snprintf(err, errlen, "rate %.0f/s exceeds the server's --max-rate %g/s", per_s,
                 l->max_rate_per_s);
        return -1;
    }
    return 0;
}

int server_limits_check_test(const struct server_limits *l, const struct server_limits_ask *a,
                             char *err, size_t errlen)
{
    char x[32], y[32];
    if (a->conns > l->max_test_conns) {
        snprintf(err, errlen, "%u connections exceed the server's --max-test-conns %u", a->conns,
                 l->max_test_conns);
        return -1;
    }
    /* Compared without adding, so huge values cannot wrap. */
    if (a->duration_ns > l->max_duration_ns || a->warmup_ns > l->max_duration_ns - a->duration_ns) {
        snprintf(err, errlen, "warm-up + duration %s exceed the server's --max-duration %s",
                 units_fmt_ns(a->warmup_ns > UINT64_MAX - a->duration_ns
                                  ? (double)UINT64_MAX
                                  : (double)(a->warmup_ns + a->duration_ns),
                              x, sizeof(x)),
                 units_fmt_ns((double)l->max_duration_ns, y, sizeof(y)));
        return -1;
    }
    if (check_rate(l, a, err, errlen) != 0)
        return -1;
    if (a->size > l->max_msg_size || a->resp_size > l->max_msg_size) {
        snprintf(err, errlen, "message size %llu exceeds the server's --max-size %llu",
                 (unsigned long long)(a->size > a->resp_size ? a->size : a->resp_size),
                 (unsigned long long)l->max_msg_size);
        return -1;
    }
    return 0;
}

bool server_limits_admit_conn(const struct server_limits *l, uint32_t open)
{
    return open < l->max_conns;
}

bool server_limits_admit_test(const struct server_limits *l, uint32_t running, char *err,
                              size_t errlen)
{
    if (running < l->max_tests)
        return true;
    snprintf(err, errlen, "server busy: %u tests running (--max-tests %u); try again later",
             running, l->max_tests);
    return false;
}

bool server_limits_admit_peer_test(const struct server_limits *l, const char *peer,
                                   uint32_t running, char *err, size_t errlen)
{
    if (running < l->max_peer_tests)
        return true;
    snprintf(err, errlen,
             "server busy for %s: %u tests running from that address (--max-tests-per-peer %u); "
             "try again later",
             peer, running, l->max_peer_tests);
    return false;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t server_limits_test_deadline(const struct server_limits *l, uint64_t start_ns,
                                     uint64_t warmup_ns, uint64_t duration_ns)
{
    return sat_add(sat_add(sat_add(start_ns, warmup_ns), duration_ns), l->grace_ns);
}

uint32_t server_limits_raise_nofile(const struct server_limits *l, char *warn, size_t warnlen)
{
    /* Beyond the connections: listening sockets, epoll, per-test UDP
     * sockets, files. */
    const rlim_t reserve = 256;
    rlim_t want = (rlim_t)l->max_conns + reserve;
    struct rlimit rl;
    warn[0] = '\0';
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return l->max_conns;
    if (rl.rlim_cur < want) {
        rlim_t cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
        struct rlimit nl = {cur, rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &nl) == 0)
            rl.rlim_cur = cur;
    }
    if (rl.rlim_cur >= want)
        return l->max_conns;
    uint32_t can = rl.rlim_cur > reserve ? (uint32_t)(rl.rlim_cur - reserve) : 1;
    snprintf(warn, warnlen,
             "open-file limit %llu allows about %u connections, fewer than --max-conns %u "
             "(raise it with ulimit -n)",
             (unsigned long long)rl.rlim_cur, can, l->max_conns);
    return can;
}
