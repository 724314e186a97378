#ifndef NETRIG_REMOTE_CLIENT_H
#define NETRIG_REMOTE_CLIENT_H
/* The far end of a multi-host run: `netrig client --stdio-control ...`,
 * started by netrig run over ssh, speaks a line protocol on its stdin and
 * stdout (docs/scale-out.md):
 *
 *   client -> run   hello 1 HOSTNAME         options checked, ready
 *   run -> client   ping T1                  clock probe (controller ns)
 *   client -> run   pong T1 T2 T3            T2 received, T3 sent (own ns)
 *   run -> client   start T                  begin at T (own wall clock, ns)
 *   client -> run   started T                when it did
 *   run -> client   stop                     end early (Ctrl-C)
 *   client -> run   head CSV / row CSV       the result row
 *   client -> run   lat B64                  whole-test histogram (V2, base64)
 *   client -> run   iv T0 T1 GOODPUT MSGS B64   one interval
 *   client -> run   wall S                   epoch s of the start of measuring
 *   client -> run   pidle B64 / pload B64    probe = udp|tcp: its idle and loaded histograms
 *   client -> run   piv T0 T1 B64            one probe interval (times since pwall)
 *   client -> run   pwall S                  epoch s of the probe's start
 *   client -> run   done RC MESSAGE          last line
 *   client -> run   error MESSAGE            what went wrong (before done)
 *
 * Its stdin closing (the ssh channel gone, the controller dead) stops it
 * like Ctrl-C: a remote client never outlives its controller. */
#include <signal.h>
#include <stdio.h>

#include "config.h"

/* Sleeps until the wall clock reads epoch_s, or until *stop is set.
 * Returns 0 at the time, 1 when stopped. */
int remote_wait_until(double epoch_s, volatile sig_atomic_t *stop);

/* The client's name for the host column: cfg->host, else the hostname. */
void remote_host_name(const struct netrig_config *cfg, char *buf, size_t len);

/* Serves the protocol above on in/out for one test described by cfg.
 * Returns the exit status: 0 measured, 1 failed or stopped before the
 * start, 2 bad options. */
int remote_client_serve(struct netrig_config *cfg, FILE *in, FILE *out);

#endif
