#ifndef NETRIG_RUNNER_HOSTS_H
#define NETRIG_RUNNER_HOSTS_H
/* netrig run with client_hosts: the runner's part of a multi-host run.
 * Which hosts (the command line's, else the scenario's), one step on all
 * of them (remote.h), each host's row and .hlog into the results folder
 * and their merge (merge.h) handed back as the step's output. */
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "remote.h"
#include "remote_server.h"
#include "rundir.h"
#include "scenario.h"

/* The client_hosts list of the run: the command line's (cli, may be
 * NULL), else the first step's; NULL when the run is one machine's. */
const char *runner_hosts_list(const struct scenario *sc, const char *cli);

/* The server_host of the run: the command line's (cli, may be NULL),
 * else the first step's; NULL when the server is already running. */
const char *runner_hosts_server_host(const struct scenario *sc, const char *cli);

/* The data address of the run's server: the command line's --server
 * (cli), else the first step's server; NULL when none is given. */
const char *runner_hosts_server_addr(const struct scenario *sc, const char *cli);

/* Starts the run's server on host over ssh (remote_server.h), listening
 * on addr, with the ssh settings as runner_hosts_begin takes them.
 * Returns 0 or -1 with a message. */
int runner_hosts_server_start(struct remote_server *rs, const struct scenario *sc, const char *host,
                              const char *addr, const char *netrig_path, const char *ssh_config,
                              volatile sig_atomic_t *stop, char *err, size_t errlen);

/* Parses list and the ssh settings (the command line's when not NULL,
 * else the first step's) into hs. Returns 0 or -1 with a message. */
int runner_hosts_begin(struct remote_set *hs, const struct scenario *sc, const char *list,
                       const char *netrig_path, const char *ssh_config, char *err, size_t errlen);

/* Runs cfg on every host: writes each host's row (rundir_add_host) and
 * fills all with their merge (release with client_output_close, also on
 * failure). Returns 0 every host measured, 1 some did (err names the
 * others and why), -1 none did. */
int runner_hosts_step(struct remote_set *hs, struct results *res, uint32_t repeat,
                      const struct netrig_config *cfg, volatile sig_atomic_t *stop,
                      struct client_output *all, char *err, size_t errlen);

#endif
