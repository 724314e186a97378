#ifndef NETRIG_SERVER_H
#define NETRIG_SERVER_H
/* The netrig server as a library: the server subcommand runs it in the
 * foreground; the scenario runner embeds one on loopback. */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "server_limits.h"

struct server_config {
    char listen[256]; /* ADDR:PORT, default 127.0.0.1:7878; port 0 = any */
    uint32_t threads;
    char cpu[64];          /* --cpu: thread i runs on the i-th CPU of this list */
    uint32_t busy_poll_us; /* --busy-poll: spin this long before sleeping */
    bool model_threads;    /* one thread per connection instead of epoll loops */
    bool tls;              /* TLS on by default for data connections that ask */
    char cert[512], key[512];
    char psk_file[512]; /* control connections must prove this key; "" = open */
    bool open_http;     /* with psk_file: serve HTTP/HTTPS to anyone all the same */
    bool quiet;
    bool stdio_control;       /* netrig server: stop when standard input ends (run over ssh) */
    bool reuseport;           /* share the port with another server already on it */
    struct server_limits lim; /* what clients may ask */
};

/* Sets every field to its default: the defaults of the server's option
 * table (server_opts.c). */
void server_config_defaults(struct server_config *c);

struct server; /* opaque */

/* Binds and starts the server's threads; returns at once. The bound
 * address (with the real port when 0 was asked) goes into bound. Returns
 * NULL with a message on failure. */
struct server *server_start(const struct server_config *c, char *bound, size_t boundlen, char *err,
                            size_t errlen);
/* The CPU time the server's threads have used so far, ns (the process's in
 * the threads model): what a client in the same process reads around its
 * window when the server reports no figures of its own (HTTP). */
uint64_t server_cpu_ns(struct server *s);
/* With --psk: connections closed or refused, before they proved the key,
 * to keep --max-unauth-conns. */
uint64_t server_unauth_closed(struct server *s);
/* Stops the threads, closes every socket and frees everything. NULL ok. */
void server_stop(struct server *s);

#endif
