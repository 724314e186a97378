#ifndef NETRIG_REMOTE_H
#define NETRIG_REMOTE_H
/* The controller's side of a multi-host run: the client hosts it was
 * given (ssh://user@host:port or ssh destinations), each host's name, the
 * quoting of a remote command, and what meta.json says of the hosts. A
 * host's ssh channel is remote_ssh.h; one step on every host,
 * remote_step.h. */
#include <stddef.h>

#include "remote_ssh.h"

/* Parses "ssh://[user@]host[:port], dest, ..." into s (zeroed by the
 * call). Returns 0 or -1 with a message naming the entry. */
int remote_parse_hosts(struct remote_set *s, const char *list, char *err, size_t errlen);

/* Splits one entry into ssh destination and port. Returns 0 or -1. */
int remote_parse_one(const char *spec, char *dest, size_t destlen, char *port, size_t portlen,
                     char *err, size_t errlen);

/* Appends w to the shell command cmd as one single-quoted word (the
 * server's ssh uses it too: remote_server.h). */
void remote_put_word(char *cmd, size_t len, const char *w);

/* meta.json's "hosts" value: one object per host with its offset, round
 * trip and state, and the run's largest start skew. Returns a malloc'd
 * string or NULL. */
char *remote_hosts_json(const struct remote_set *s);

/* Reaps every host's channel (remote_ssh_reap) and frees s. */
void remote_close(struct remote_set *s);

#endif
