#include "server_limits.h"

#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include "units.h"

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

uint64_t server_limits_auth_deadline(const struct server_limits *l, uint64_t open_ns)
{
    uint64_t t =
        l->auth_timeout_ns < l->hello_timeout_ns ? l->auth_timeout_ns : l->hello_timeout_ns;
    return open_ns > UINT64_MAX - t ? UINT64_MAX : open_ns + t;
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
