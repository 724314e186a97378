#ifndef NETRIG_REMOTE_SERVER_H
#define NETRIG_REMOTE_SERVER_H
/* netrig run with server_host: the run's server, started over ssh as
 * `netrig server --listen ADDR --stdio-control` and held by its channel.
 * The server stops when that channel ends (the run closes it at its end,
 * on Ctrl-C as on success; a dead controller's ssh closes it too), so
 * no server outlives its run. */
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "remote.h"

struct remote_server {
    struct remote_set set; /* one host: the server's */
    char listen[256];      /* the address it listens on (the run's server) */
    bool up;               /* said it listens */
};

/* Starts the server on spec (ssh://[user@]host[:port] or an ssh
 * destination) listening on listen, and waits until it says it listens
 * (20 s at most, or until *stop). netrig_path and ssh_config as for the
 * client hosts ("" = netrig on PATH, ssh's own configuration). Returns 0,
 * or -1 with a message naming the host and ssh's (or the server's) last
 * words; the server is stopped again on failure. */
int remote_server_start(struct remote_server *rs, const char *spec, const char *listen,
                        const char *netrig_path, const char *ssh_config,
                        volatile sig_atomic_t *stop, char *err, size_t errlen);

/* Stops the server (closes its channel, waits for ssh, ends it if it
 * lingers) and frees rs. Returns 0, or -1 when the server had ended before
 * it was asked to, with why in err (the steps since then found no server).
 * A zeroed rs is fine. */
int remote_server_stop(struct remote_server *rs, char *err, size_t errlen);

#endif
