#ifndef NETRIG_NETNS_H
#define NETRIG_NETNS_H
/* Link emulation: two network namespaces joined by a veth pair whose ends
 * are both shaped by tbf at the asked rate, so the path between them is a
 * full-duplex link of known rate C. The server side is 198.18.0.1 and
 * 2001:2::1, the client side 198.18.0.2 and 2001:2::2 (the benchmarking
 * ranges of RFC 2544 and RFC 5180); nothing reaches any other network.
 * Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN).
 *
 * Use: netns_link_setup, then netns_link_enter(SERVER) on a thread before
 * it creates the server's sockets and threads (new threads inherit the
 * namespace of the thread that creates them), netns_link_enter(CLIENT) in
 * the same way for the client, netns_link_leave to come back, and
 * netns_link_teardown on every path out, Ctrl-C included. */
#include <stdbool.h>
#include <stddef.h>

#define NETNS_SERVER_ADDR "198.18.0.1"
#define NETNS_CLIENT_ADDR "198.18.0.2"
/* IPv6 beside it: 2001:2::/48, the IPv6 benchmarking range (RFC 5180). */
#define NETNS_SERVER_ADDR6 "2001:2::1"
#define NETNS_CLIENT_ADDR6 "2001:2::2"

enum netns_side { NETNS_SERVER, NETNS_CLIENT };

struct netns_link {
    char ns[2][32];   /* namespace names, indexed by enum netns_side */
    char veth[2][16]; /* interface names */
    double rate_bps;
    double queue_bytes; /* tbf's limit: the queue a flow can fill, bytes */
    int home_fd;        /* the namespace the process started in */
    bool created;
};

/* Parses "tbf:RATE" (RATE as tc and iperf3 write it: 100mbit, 1gbit).
 * Returns 0 or -1 with a message. */
int netns_link_parse(const char *spec, double *rate_bps, char *err, size_t errlen);

/* Creates the namespaces (named after the pid), the veth pair, the
 * addresses and the tbf qdiscs; first removes namespaces left by netrig
 * processes that no longer exist. On failure removes what it made and
 * returns -1 with a message naming the command that failed; not root is
 * a clear error too. */
int netns_link_setup(const char *spec, struct netns_link *out, char *err, size_t errlen);

/* Moves the calling thread into one side's namespace. */
int netns_link_enter(const struct netns_link *l, enum netns_side side, char *err, size_t errlen);

/* Moves the calling thread back to the namespace the process started in. */
int netns_link_leave(const struct netns_link *l, char *err, size_t errlen);

/* Deletes both namespaces (which destroys the veth pair and its qdiscs).
 * Safe to call twice and on a link never set up (zeroed). */
void netns_link_teardown(struct netns_link *l);

/* The address a server in `side` listens on / a client connects to. */
const char *netns_link_addr(enum netns_side side);

#endif
