#ifndef NETRIG_NET_H
#define NETRIG_NET_H
/* Socket helpers: addresses, listening and connecting sockets, options,
 * TCP_INFO and blocking transfers with a deadline (for the control
 * connection). Every function that can fail writes a message naming the
 * address or option at fault into err. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct net_addr {
    struct sockaddr_storage ss;
    socklen_t len;
};

/* Splits "HOST:PORT", "[v6]:PORT", "[v6]", "HOST" or a bare IPv6 address
 * (port def_port) into host (without brackets) and port, without
 * resolving. Every HOST:PORT of the command line goes through here.
 * Returns 0, or -1 on a malformed string or a host longer than hostlen-1. */
int net_split_hostport(const char *s, uint16_t def_port, char *host, size_t hostlen,
                       uint16_t *port);
/* Parses "HOST:PORT", "[v6]:PORT" or "HOST" (port def_port) as
 * net_split_hostport does. HOST may be a name (resolved, first result).
 * Returns 0 or -1. */
int net_parse_addr(const char *s, uint16_t def_port, struct net_addr *a, char *err, size_t errlen);
/* "127.0.0.1:7878" or "[::1]:7878". Returns buf. */
const char *net_format_addr(const struct net_addr *a, char *buf, size_t len);
uint16_t net_addr_port(const struct net_addr *a);
void net_addr_set_port(struct net_addr *a, uint16_t port);
bool net_addr_is_loopback(const struct net_addr *a);

/* Non-blocking, close-on-exec socket of a's family. Returns fd or -1. */
int net_socket(const struct net_addr *a, int type, char *err, size_t errlen);
/* Bound (and for SOCK_STREAM listening) socket; reuseport lets several
 * threads share the port. Returns fd or -1. */
int net_listen(const struct net_addr *a, int type, bool reuseport, char *err, size_t errlen);
/* Whether a's port is free for a new listener: a bind without
 * SO_REUSEPORT, undone at once (no listen, so nothing is ever accepted).
 * A port held by another listener, with SO_REUSEPORT or not, fails it.
 * Returns 0, -2 with "ADDR is already in use by another server", or -1
 * (another failure, message in err). */
int net_listen_probe(const struct net_addr *a, char *err, size_t errlen);
/* TCP settings of a connection, set before it connects (the MSS and the
 * window scale are fixed by the handshake); zero / empty: the system's. */
struct net_tune {
    uint32_t mss;    /* TCP_MAXSEG: largest segment this end sends and accepts */
    uint32_t window; /* SO_SNDBUF and SO_RCVBUF: caps the bytes in flight */
    char cc[16];     /* TCP_CONGESTION: cubic, bbr, reno ... */
};
/* Applies t to a TCP socket (NULL: nothing). Returns 0, or -1 with a
 * message naming the setting the kernel refused. */
int net_tune_apply(int fd, const struct net_tune *t, char *err, size_t errlen);
/* Tries t on a scratch TCP socket of that family: whether the kernel takes
 * it (a congestion control that is not available or not allowed fails
 * here, before any test). Returns 0 or -1 with a message. */
int net_tune_check(const struct net_tune *t, int family, char *err, size_t errlen);
/* Starts a non-blocking connect (a TCP socket tuned by t, NULL: as the
 * system has it); the fd becomes writable when done (then see
 * net_connect_result). Returns fd or -1. */
int net_connect_start(const struct net_addr *a, int type, const struct net_tune *t, char *err,
                      size_t errlen);
/* 0 when the connect succeeded, else the errno value it failed with. */
int net_connect_result(int fd);
/* Connects and waits up to timeout_ns. Returns a non-blocking fd or -1. */
int net_connect_wait(const struct net_addr *a, int type, const struct net_tune *t,
                     uint64_t timeout_ns, char *err, size_t errlen);
/* The address a socket is bound to. Returns 0 or -1. */
int net_local_addr(int fd, struct net_addr *a);

int net_set_nonblock(int fd, bool on);
/* Makes a socket blocking with a receive timeout of usec, for one that
 * sleeps in recv for its answer (its other calls pass MSG_DONTWAIT).
 * Returns 0, or -1 with the socket left non-blocking. */
int net_set_recv_wait(int fd, uint32_t usec);
int net_set_nodelay(int fd);
/* SO_BUSY_POLL: a blocking read on a network device's socket polls the
 * device's queue for up to usec first. Raising it past net.core.busy_read
 * needs CAP_NET_ADMIN; callers treat failure as "not available". */
int net_set_busy_poll(int fd, uint32_t usec);
/* Socket buffer sizes; 0 leaves one unchanged. Beyond the system's
 * limits only where the process may (CAP_NET_ADMIN). */
int net_set_bufs(int fd, int sndbuf, int rcvbuf);
/* Close with an RST instead of FIN, leaving no TIME_WAIT behind. */
void net_close_reset(int fd);

struct net_tcp_info {
    uint32_t retrans; /* total retransmitted segments */
    uint32_t rtt_us;
    uint32_t cwnd; /* segments */
    uint32_t mss;
    char cc[16]; /* congestion control in use */
};
int net_tcp_info(int fd, struct net_tcp_info *ti);
/* The congestion control a TCP socket uses, into cc (16 bytes); "" when
 * it cannot be read. */
void net_tcp_cc(int fd, char cc[16]);
/* A congestion control name as the kernel's are written (cubic, bbr,
 * dctcp): 1 to 15 of a-z, 0-9, '_' and '-'. The empty name is the default. */
bool net_cc_name_ok(const char *cc);

/* Blocking-style transfers on a non-blocking fd, bounded by an absolute
 * CLOCK_MONOTONIC deadline. Return 0, or -1 (errno ETIMEDOUT on timeout,
 * EPIPE when the peer closed). */
int net_send_all(int fd, const void *buf, size_t len, uint64_t deadline_ns);
int net_recv_full(int fd, void *buf, size_t len, uint64_t deadline_ns);

#endif
