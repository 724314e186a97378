#ifndef NETRIG_REMOTE_STEP_H
#define NETRIG_REMOTE_STEP_H
/* One step of a multi-host run on every client host: one `ssh HOST netrig
 * client --stdio-control ...` per host (remote_ssh.h), the line protocol
 * of remote_client.h over its stdin and stdout, NTP-style clock probes,
 * one absolute start for every host, and each host's result brought
 * back. */
#include <signal.h>
#include <stddef.h>

#include "client.h"
#include "remote_ssh.h"

/* Runs one test cfg describes on every live host at once. Each host's
 * output is in h[i].out when h[i].ok; a failed host gets h[i].why and is
 * marked dead. Returns the number of hosts that measured (0: none, with
 * err saying why). */
size_t remote_step(struct remote_set *s, const struct netrig_config *cfg,
                   volatile sig_atomic_t *stop, char *err, size_t errlen);

/* Frees the outputs of the last step. */
void remote_step_clear(struct remote_set *s);

#endif
