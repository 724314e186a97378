#ifndef NETRIG_SERVER_LIMITS_H
#define NETRIG_SERVER_LIMITS_H
/* What a netrig server allows its clients: how many connections and tests
 * at once, how long, how fast and how large a test may be, how big an HTTP
 * request may be and how long a peer may dawdle. Every limit has a sane
 * default and a --name option of `netrig server` (both in the server's
 * option table, server_opts.c); the checks are pure functions the server
 * calls where a client asks for something. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct server_limits {
    uint32_t max_conns;       /* open connections of all kinds at once */
    uint32_t max_tests;       /* tests running at once */
    uint32_t max_peer_tests;  /* tests running at once from one client address */
    uint32_t max_test_conns;  /* connections (or UDP flows) one test may ask for */
    uint64_t max_duration_ns; /* warm-up + measured time one test may ask for */
    double max_rate_bps;      /* pacing a test may ask for, bits/s; 0 = any */
    double max_rate_per_s;    /* messages or transactions per second; 0 = any */
    uint64_t max_msg_size;    /* request and response payload bytes */
    uint32_t http_max_head;   /* request line + headers, bytes (431 beyond) */
    uint64_t http_max_body;   /* /bytes/N and /sink bodies, bytes (413 beyond) */
    uint32_t h2_max_streams;  /* HTTP/2 streams at once per connection (REFUSED_STREAM beyond) */
    uint32_t h2_window; /* HTTP/2 stream receive window, bytes (SETTINGS_INITIAL_WINDOW_SIZE) */
    uint64_t hello_timeout_ns; /* from accept to the first whole message */
    uint64_t idle_timeout_ns;  /* a control or HTTP connection with nothing going on */
    uint64_t grace_ns;         /* after a test's planned end before it is cut off */
    uint64_t data_timeout_ns;  /* from a test's ACCEPT to all its data connections */
    /* With --psk: connections that have not proved the key (silent, in
     * the exchange, or before their data hello) at once, and how long
     * one may take to prove it. */
    uint32_t max_unauth_conns;
    uint64_t auth_timeout_ns;
};

/* What a client asks of the server for one test. */
struct server_limits_ask {
    uint32_t conns;
    uint64_t duration_ns, warmup_ns;
    double rate_bps, rate_per_s;
    uint64_t size, resp_size;
};

/* Checks a test request. Returns 0, or -1 with the message the client
 * sees ("duration 2h exceeds the server's --max-duration 1h"). */
int server_limits_check_test(const struct server_limits *l, const struct server_limits_ask *a,
                             char *err, size_t errlen);

/* True if one more connection may be accepted while open are open. */
bool server_limits_admit_conn(const struct server_limits *l, uint32_t open);

/* With --psk: when a connection opened at open_ns that has not proved
 * the key is cut off (--auth-timeout, never later than --hello-timeout). */
uint64_t server_limits_auth_deadline(const struct server_limits *l, uint64_t open_ns);

/* True if one more test may start while running are running; otherwise a
 * message for the client. */
bool server_limits_admit_test(const struct server_limits *l, uint32_t running, char *err,
                              size_t errlen);

/* True if one more test may start for a client address (peer, for the
 * message) that has running tests running; otherwise a message. */
bool server_limits_admit_peer_test(const struct server_limits *l, const char *peer,
                                   uint32_t running, char *err, size_t errlen);

/* When a test that starts at start_ns must be over: its warm-up and
 * duration plus the grace period; the server ends it then whatever the
 * client does. */
uint64_t server_limits_test_deadline(const struct server_limits *l, uint64_t start_ns,
                                     uint64_t warmup_ns, uint64_t duration_ns);

/* Raises the soft open-file limit towards what max_conns needs (the hard
 * limit caps it). Returns the number of connections the process can hold;
 * if fewer than max_conns, a warning goes into warn (else warn is ""). */
uint32_t server_limits_raise_nofile(const struct server_limits *l, char *warn, size_t warnlen);

#endif
