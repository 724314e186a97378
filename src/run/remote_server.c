#include "remote_server.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <stdlib.h>

#include "clock.h"
#include "remote_ssh.h"

#define LISTEN_S 20.0 /* ssh login and the server's bind */

static double now_s(void)
{
    return (double)clock_wall_ns() / 1e9;
}

/* Waits for the server's "netrig server listening on" line. */
static int wait_listening(struct remote_server *rs, volatile sig_atomic_t *stop, char *why,
                          size_t whylen)
{
    struct remote_host *h = &rs->set.h[0];
    double end = now_s() + LISTEN_S;
    for (;;) {
        char *line;
        while ((line = remote_ssh_take_line(h)) != NULL) {
            bool up = strncmp(line, "netrig server listening on ", 27) == 0;
            free(line);
            if (up)
                return 0;
        }
        if (h->eof)
            return snprintf(why, whylen, "ssh ended before the server listened"), -1;
        if (stop && *stop)
            return snprintf(why, whylen, "interrupted before the server listened"), -1;
        if (now_s() > end)
            return snprintf(why, whylen, "the server did not listen within 20 s"), -1;
        remote_ssh_pump(&rs->set, 100);
    }
}

int remote_server_start(struct remote_server *rs, const char *spec, const char *listen,
                        const char *netrig_path, const char *ssh_config,
                        volatile sig_atomic_t *stop, char *err, size_t errlen)
{
    memset(rs, 0, sizeof(*rs));
    char perr[300];
    if (strpbrk(spec, ", \t")) {
        snprintf(err, errlen, "server_host '%s': one host", spec);
        return -1;
    }
    if (remote_parse_hosts(&rs->set, spec, perr, sizeof(perr)) != 0) {
        snprintf(err, errlen, "server_host: %s", perr);
        remote_close(&rs->set);
        return -1;
    }
    snprintf(rs->set.netrig_path, sizeof(rs->set.netrig_path), "%s",
             netrig_path && netrig_path[0] ? netrig_path : "netrig");
    snprintf(rs->set.ssh_config, sizeof(rs->set.ssh_config), "%s", ssh_config ? ssh_config : "");
    snprintf(rs->listen, sizeof(rs->listen), "%s", listen);
    struct remote_host *h = &rs->set.h[0];
    char cmd[2048] = "", why[200];
    remote_put_word(cmd, sizeof(cmd), rs->set.netrig_path);
    remote_put_word(cmd, sizeof(cmd), "server");
    remote_put_word(cmd, sizeof(cmd), "--listen");
    remote_put_word(cmd, sizeof(cmd), listen);
    remote_put_word(cmd, sizeof(cmd), "--stdio-control");
    int rc = remote_ssh_spawn(&rs->set, h, cmd) != 0
                 ? (snprintf(why, sizeof(why), "cannot start ssh"), -1)
                 : wait_listening(rs, stop, why, sizeof(why));
    if (rc == 0) {
        rs->up = true;
        return 0;
    }
    remote_ssh_pump(&rs->set, 200); /* ssh's last words, when it is ending */
    char last[512];
    remote_ssh_last_line(h, last, sizeof(last));
    snprintf(err, errlen, "server host %s (%s): %s%s%.500s%s", h->name, h->spec, why,
             last[0] ? " (" : "", last, last[0] ? ")" : "");
    remote_server_stop(rs, NULL, 0);
    return -1;
}

int remote_server_stop(struct remote_server *rs, char *err, size_t errlen)
{
    if (rs->set.n == 0)
        return 0;
    struct remote_host *h = &rs->set.h[0];
    int rc = 0;
    if (rs->up) {
        remote_ssh_pump(&rs->set, 0);
        if (h->eof) { /* it ended before the run asked it to */
            char last[512];
            remote_ssh_pump(&rs->set, 100);
            if (err)
                snprintf(err, errlen,
                         "server host %s (%s): the server ended during the run%s%.500s%s", h->name,
                         h->spec, h->errlen ? " (" : "",
                         remote_ssh_last_line(h, last, sizeof(last)), h->errlen ? ")" : "");
            rc = -1;
        }
    }
    h->ok = true; /* its exit status is the server's business, not a step's */
    remote_ssh_reap(h);
    remote_close(&rs->set);
    memset(rs, 0, sizeof(*rs));
    return rc;
}
