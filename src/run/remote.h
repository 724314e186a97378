#ifndef NETRIG_REMOTE_H
#define NETRIG_REMOTE_H
/* The controller's side of a multi-host run: one `ssh HOST netrig client
 * --stdio-control ...` per client host and step (OpenSSH does the login,
 * the keys and the transport; no agent of our own), the line protocol of
 * remote_client.h over its stdin and stdout, NTP-style clock probes, one
 * absolute start for every host, and each host's result brought back.
 * ssh runs in its own process group, so Ctrl-C reaches the controller
 * only, which asks every host to stop and still collects what they
 * measured; a closed channel stops a remote client (its stdin ends). */
#include <signal.h>
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

/* Parses "ssh://[user@]host[:port], dest, ..." into s (zeroed by the
 * call). Returns 0 or -1 with a message naming the entry. */
int remote_parse_hosts(struct remote_set *s, const char *list, char *err, size_t errlen);

/* Splits one entry into ssh destination and port. Returns 0 or -1. */
int remote_parse_one(const char *spec, char *dest, size_t destlen, char *port, size_t portlen,
                     char *err, size_t errlen);

/* The ssh argument vector for running `cmd` (one shell string) on h:
 * ssh [-F cfg] -o BatchMode=yes -o ConnectTimeout=5 [-p PORT] -- DEST cmd.
 * args has room for 16 entries; returns the count. */
int remote_ssh_args(const struct remote_set *s, const struct remote_host *h, const char *cmd,
                    const char **args);

/* The pieces below serve the server's ssh too (remote_server.h). */

/* Appends w to the shell command cmd as one single-quoted word. */
void remote_put_word(char *cmd, size_t len, const char *w);

/* Starts ssh running cmd on h (remote_ssh_args), in a process group of its
 * own so that Ctrl-C reaches the controller only; h's pipes are set.
 * Returns 0 or -1. */
int remote_spawn(const struct remote_set *s, struct remote_host *h, const char *cmd);

/* Reads what s's hosts wrote (stdout into h->buf, stderr's last bytes
 * into h->errtxt; h->eof at the end of stdout), waiting up to ms. */
void remote_pump(struct remote_set *s, int ms);

/* The next whole stdout line of h (malloc'd, without its newline), or
 * NULL. */
char *remote_take_line(struct remote_host *h);

/* Closes h's channel (its remote command sees its stdin end), waits for
 * ssh, ends ssh's process group if it lingers, closes h's pipes. */
void remote_reap(struct remote_host *h);

/* Runs one test cfg describes on every live host at once. Each host's
 * output is in h[i].out when h[i].ok; a failed host gets h[i].why and is
 * marked dead. Returns the number of hosts that measured (0: none, with
 * err saying why). */
size_t remote_step(struct remote_set *s, const struct netrig_config *cfg,
                   volatile sig_atomic_t *stop, char *err, size_t errlen);

/* Frees the outputs of the last step. */
void remote_step_clear(struct remote_set *s);

/* meta.json's "hosts" value: one object per host with its offset, round
 * trip and state, and the run's largest start skew. Returns a malloc'd
 * string or NULL. */
char *remote_hosts_json(const struct remote_set *s);

void remote_close(struct remote_set *s);

#endif
