#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "clock.h"

static int parse_port(const char *s, uint16_t *port)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *s == '\0' || *end != '\0' || v < 0 || v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

int net_split_hostport(const char *s, uint16_t def_port, char *host, size_t hostlen, uint16_t *port)
{
    const char *colon;
    size_t hl;
    *port = def_port;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || (close[1] != '\0' && close[1] != ':'))
            return -1;
        hl = (size_t)(close - s - 1);
        if (hl == 0 || hl >= hostlen)
            return -1;
        memcpy(host, s + 1, hl);
        colon = close[1] == ':' ? close + 1 : NULL;
    } else {
        colon = strrchr(s, ':');
        if (colon && strchr(s, ':') != colon)
            colon = NULL; /* bare IPv6 without brackets: no port */
        hl = colon ? (size_t)(colon - s) : strlen(s);
        if (hl == 0 || hl >= hostlen)
            return -1;
        memcpy(host, s, hl);
    }
    host[hl] = '\0';
    return colon && parse_port(colon + 1, port) != 0 ? -1 : 0;
}

int net_parse_addr(const char *s, uint16_t def_port, struct net_addr *a, char *err, size_t errlen)
{
    char host[256];
    uint16_t port;
    if (net_split_hostport(s, def_port, host, sizeof(host), &port) != 0)
        goto bad;
    struct addrinfo hints = {.ai_flags = AI_NUMERICSERV}, *res = NULL;
    char ps[8];
    snprintf(ps, sizeof(ps), "%u", port);
    int rc = getaddrinfo(host, ps, &hints, &res);
    if (rc != 0 || !res) {
        snprintf(err, errlen, "address '%s': %s", s, gai_strerror(rc));
        return -1;
    }
    memset(a, 0, sizeof(*a));
    memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
    a->len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
bad:
    snprintf(err, errlen, "address '%s': expected HOST:PORT or [IPv6]:PORT", s);
    return -1;
}

const char *net_format_addr(const struct net_addr *a, char *buf, size_t len)
{
    char h[INET6_ADDRSTRLEN] = "?";
    if (a->ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, h, sizeof(h));
        snprintf(buf, len, "[%s]:%u", h, ntohs(s6->sin6_port));
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->ss;
        inet_ntop(AF_INET, &s4->sin_addr, h, sizeof(h));
        snprintf(buf, len, "%s:%u", h, ntohs(s4->sin_port));
    }
    return buf;
}

uint16_t net_addr_port(const struct net_addr *a)
{
    if (a->ss.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
    return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

void net_addr_set_port(struct net_addr *a, uint16_t port)
{
    if (a->ss.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&a->ss)->sin6_port = htons(port);
    else
        ((struct sockaddr_in *)&a->ss)->sin_port = htons(port);
}

bool net_addr_is_loopback(const struct net_addr *a)
{
    if (a->ss.ss_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
    uint32_t ip = ntohl(((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr);
    return (ip >> 24) == 127;
}

int net_socket(const struct net_addr *a, int type, char *err, size_t errlen)
{
    int fd = socket(a->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        snprintf(err, errlen, "socket: %s", strerror(errno));
    return fd;
}

/* The message of a failed bind, plain words for a port in use. */
static void bind_error(const struct net_addr *a, int e, char *err, size_t errlen)
{
    char as[80];
    net_format_addr(a, as, sizeof(as));
    if (e == EADDRINUSE)
        snprintf(err, errlen, "%s is already in use by another server", as);
    else
        snprintf(err, errlen, "bind %s: %s", as, strerror(e));
}

int net_listen_probe(const struct net_addr *a, char *err, size_t errlen)
{
    int fd = net_socket(a, SOCK_STREAM, err, errlen);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    int rc = 0;
    if (bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0) {
        rc = errno == EADDRINUSE ? -2 : -1;
        bind_error(a, errno, err, errlen);
    }
    close(fd);
    return rc;
}

int net_listen(const struct net_addr *a, int type, bool reuseport, char *err, size_t errlen)
{
    char as[80];
    int fd = net_socket(a, type, err, errlen);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (reuseport)
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    if (bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0) {
        bind_error(a, errno, err, errlen);
        close(fd);
        return -1;
    }
    if (type == SOCK_STREAM && listen(fd, 1024) != 0) {
        snprintf(err, errlen, "listen %s: %s", net_format_addr(a, as, sizeof(as)), strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int net_tune_apply(int fd, const struct net_tune *t, char *err, size_t errlen)
{
    if (!t)
        return 0;
    int v = (int)t->mss;
    if (t->mss && setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &v, sizeof(v)) != 0) {
        snprintf(err, errlen, "mss %u: %s", t->mss, strerror(errno));
        return -1;
    }
    if (t->window && net_set_bufs(fd, (int)t->window, (int)t->window) != 0) {
        snprintf(err, errlen, "window %u: %s", t->window, strerror(errno));
        return -1;
    }
    if (t->cc[0] &&
        setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, t->cc, (socklen_t)strlen(t->cc)) != 0) {
        snprintf(err, errlen,
                 "congestion control '%s': %s (available: see "
                 "/proc/sys/net/ipv4/tcp_available_congestion_control)",
                 t->cc, strerror(errno));
        return -1;
    }
    return 0;
}

int net_tune_check(const struct net_tune *t, int family, char *err, size_t errlen)
{
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    int rc = net_tune_apply(fd, t, err, errlen);
    close(fd);
    return rc;
}

int net_connect_start(const struct net_addr *a, int type, const struct net_tune *t, char *err,
                      size_t errlen)
{
    char as[80];
    int fd = net_socket(a, type, err, errlen);
    if (fd < 0)
        return -1;
    if (type == SOCK_STREAM && net_tune_apply(fd, t, err, errlen) != 0) {
        close(fd);
        return -1;
    }
    if (connect(fd, (const struct sockaddr *)&a->ss, a->len) != 0 && errno != EINPROGRESS) {
        snprintf(err, errlen, "connect %s: %s", net_format_addr(a, as, sizeof(as)),
                 strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int net_connect_result(int fd)
{
    int e = 0;
    socklen_t l = sizeof(e);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) != 0)
        return errno;
    return e;
}

static int wait_fd(int fd, short ev, uint64_t deadline_ns)
{
    for (;;) {
        uint64_t now = clock_now_ns();
        if (now >= deadline_ns) {
            errno = ETIMEDOUT;
            return -1;
        }
        uint64_t ms = (deadline_ns - now + 999999) / 1000000;
        struct pollfd p = {.fd = fd, .events = ev};
        int n = poll(&p, 1, ms > 60000 ? 60000 : (int)ms);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return -1;
    }
}

int net_connect_wait(const struct net_addr *a, int type, const struct net_tune *t,
                     uint64_t timeout_ns, char *err, size_t errlen)
{
    char as[80];
    int fd = net_connect_start(a, type, t, err, errlen);
    if (fd < 0)
        return -1;
    int e = wait_fd(fd, POLLOUT, clock_now_ns() + timeout_ns) == 0 ? net_connect_result(fd) : errno;
    if (e != 0) {
        snprintf(err, errlen, "connect %s: %s", net_format_addr(a, as, sizeof(as)), strerror(e));
        close(fd);
        return -1;
    }
    return fd;
}

int net_local_addr(int fd, struct net_addr *a)
{
    a->len = sizeof(a->ss);
    return getsockname(fd, (struct sockaddr *)&a->ss, &a->len);
}

int net_set_nonblock(int fd, bool on)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -1;
    fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
    return fcntl(fd, F_SETFL, fl);
}

int net_set_recv_wait(int fd, uint32_t usec)
{
    struct timeval tv = {(time_t)(usec / 1000000u), (suseconds_t)(usec % 1000000u)};
    if (net_set_nonblock(fd, false) != 0)
        return -1;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
        net_set_nonblock(fd, true);
        return -1;
    }
    return 0;
}

int net_set_nodelay(int fd)
{
    int one = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int net_set_busy_poll(int fd, uint32_t usec)
{
    int v = usec > INT32_MAX ? INT32_MAX : (int)usec;
    return setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &v, sizeof(v));
}

int net_set_bufs(int fd, int sndbuf, int rcvbuf)
{
    int rc = 0;
    /* The FORCE forms pass net.core.[rw]mem_max when allowed (root);
     * otherwise the plain ones get what the limits allow. */
    if (sndbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) != 0)
        rc |= setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0)
        rc |= setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    return rc ? -1 : 0;
}

void net_close_reset(int fd)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(fd);
}

int net_tcp_info(int fd, struct net_tcp_info *ti)
{
    struct tcp_info t;
    socklen_t l = sizeof(t);
    memset(&t, 0, sizeof(t));
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &t, &l) != 0)
        return -1;
    ti->retrans = t.tcpi_total_retrans;
    ti->rtt_us = t.tcpi_rtt;
    ti->cwnd = t.tcpi_snd_cwnd;
    ti->mss = t.tcpi_snd_mss;
    net_tcp_cc(fd, ti->cc);
    return 0;
}

void net_tcp_cc(int fd, char cc[16])
{
    socklen_t l = 15;
    memset(cc, 0, 16);
    if (getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, &l) != 0)
        cc[0] = '\0';
}

bool net_cc_name_ok(const char *cc)
{
    size_t n = strlen(cc);
    return n <= 15 && strspn(cc, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

int net_send_all(int fd, const void *buf, size_t len, uint64_t deadline_ns)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (wait_fd(fd, POLLOUT, deadline_ns) != 0)
                return -1;
        } else {
            return -1;
        }
    }
    return 0;
}

int net_recv_full(int fd, void *buf, size_t len, uint64_t deadline_ns)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = recv(fd, p, len, 0);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
        } else if (n == 0) {
            errno = EPIPE;
            return -1;
        } else if (errno == EAGAIN || errno == EINTR) {
            if (wait_fd(fd, POLLIN, deadline_ns) != 0)
                return -1;
        } else {
            return -1;
        }
    }
    return 0;
}
