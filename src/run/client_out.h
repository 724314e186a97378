#ifndef NETRIG_CLIENT_OUT_H
#define NETRIG_CLIENT_OUT_H
/* `netrig client --out DIR`: one test written as a one-step results
 * folder (summary.csv with the host column, client.hlog, client.hgrm,
 * intervals.csv, summary.json, meta.json), the input `netrig merge` reads
 * when another launcher (pdsh, Slurm, a Kubernetes Job) ran the hosts. */
#include <stddef.h>

#include "client.h"

/* The step's name and file name in such a folder. */
#define CLIENT_OUT_STEP "client"

/* Writes o (the row's host set by the caller) into dir, which must not
 * hold a summary.csv yet. argc/argv go to meta.json. Returns 0 or -1 with
 * a message naming the file. */
int client_out_write(const char *dir, const struct netrig_config *cfg, struct client_output *o,
                     int argc, char **argv, char *err, size_t errlen);

#endif
