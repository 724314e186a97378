#ifndef NETRIG_REMOTE_SSH_H
#define NETRIG_REMOTE_SSH_H
/* The ssh channel to a host of a multi-host run: `ssh HOST CMD` (OpenSSH
 * does the login, the keys and the transport; no agent of our own) with
 * its stdin, stdout and stderr on pipes, read as lines. ssh runs in its own
 * process group, so Ctrl-C reaches the controller only, which asks every
 * host to stop and still collects what they measured; a closed channel
 * stops a remote command that ends with its stdin. Also the hosts' types,
 * which the channel fills. */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "client.h"

struct remote_host {
    char spec[256]; /* as given: ssh://user@host:22 or an ssh destination */
    char dest[256]; /* user@host for ssh */
    char port[8];   /* "" = ssh's own */
    char name[64];  /* the host column and STEP.HOST.hlog */
    bool dead;      /* failed in an earlier step: not asked again */
    /* the step in flight */
    pid_t pid;
    int in_fd, out_fd, err_fd;
    char *buf; /* stdout bytes not yet taken as lines */
    size_t len, cap;
    char errtxt[1024]; /* ssh's (and the remote's) stderr, last bytes */
    size_t errlen;
    bool hello, started, done, ok, eof;
    char why[600];   /* why it failed */
    char *head;      /* the CSV header line */
    double offset_s; /* remote clock - controller clock */
    double rtt_s;    /* round trip of the best probe */
    double start_s;  /* when it started, controller clock */
    struct client_output out;
};

struct remote_set {
    struct remote_host *h;
    size_t n;
    char netrig_path[256];
    char ssh_config[512];
    double skew_s; /* start skew of the last step: latest - earliest start */
    double max_skew_s;
};

/* The ssh argument vector for running `cmd` (one shell string) on h:
 * ssh [-F cfg] -o BatchMode=yes -o ConnectTimeout=5 [-p PORT] -- DEST cmd.
 * args has room for 16 entries; returns the count. */
int remote_ssh_args(const struct remote_set *s, const struct remote_host *h, const char *cmd,
                    const char **args);

/* Starts ssh running cmd on h (remote_ssh_args), in a process group of its
 * own so that Ctrl-C reaches the controller only; h's pipes are set.
 * Returns 0 or -1. */
int remote_ssh_spawn(const struct remote_set *s, struct remote_host *h, const char *cmd);

/* Marks h failed (done) with what, and ssh's last line of stderr in
 * brackets; a host already failed or measured keeps its state. */
void remote_ssh_fail(struct remote_host *h, const char *what);
/* The last line h (ssh, or the command it ran) wrote to stderr, into buf
 * (empty when none); returns buf. */
const char *remote_ssh_last_line(const struct remote_host *h, char *buf, size_t len);

/* Reads what s's hosts wrote (stdout into h->buf, stderr's last bytes
 * into h->errtxt; h->eof at the end of stdout), waiting up to ms. */
void remote_ssh_pump(struct remote_set *s, int ms);

/* The next whole stdout line of h (malloc'd, without its newline), or
 * NULL. */
char *remote_ssh_take_line(struct remote_host *h);

/* Writes line to h's channel; on a short write closes it (the remote
 * command sees its stdin end). */
void remote_ssh_send(struct remote_host *h, const char *line);

/* Closes h's channel (its remote command sees its stdin end), waits for
 * ssh, ends ssh's process group if it lingers, closes h's pipes. */
void remote_ssh_reap(struct remote_host *h);

#endif
