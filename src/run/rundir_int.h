#ifndef NETRIG_RUNDIR_INT_H
#define NETRIG_RUNDIR_INT_H
/* The results folder's insides, shared by its files: rundir.c the folder
 * (its claim, the disk kept aside, files replaced whole, the summaries),
 * rundir_add.c the rows, rundir_step.c the step's .hlog and .hgrm files,
 * rundir_intervals.c intervals.csv. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rundir.h"

/* out = DIR/NAMEEXT. Returns 0, or -1 with errno ENAMETOOLONG. */
int rundir_path_in(const struct results *r, const char *name, const char *ext, char *out,
                   size_t len);

/* Renders with fn into memory, then replaces path in one rename; *size
 * (when not NULL) gets the bytes written. Returns 0 or -1. */
int rundir_write_with(const char *path, void (*fn)(FILE *, const void *), const void *arg,
                      size_t *size);

/* Grows .reserve to what finishing the run would need now. Returns 0 or
 * -1 with errno set (ENOSPC: the disk cannot hold another repetition). */
int rundir_reserve_grow(struct results *r);

/* The current step's files after one repetition: its .hlog (the
 * repetition's intervals appended), its .hgrm (the repetitions so far
 * merged) and, with a probe, its .probe_idle.hgrm and .probe_load.hgrm.
 * Returns 0 or -1 (errno set when the system said why). */
int rundir_step_files(struct results *r, struct client_output *out);

/* One host's part of the current step: its intervals appended to the
 * host's .hlog text, written whole to DIR/NAME.hlog. Returns 0 or -1
 * (errno set when the system said why). */
int rundir_step_host_hlog(struct results *r, struct client_output *out, const char *name);

/* Appends one repetition's rows to intervals.csv (its header first).
 * Returns 0 or -1 with errno set. */
int rundir_intervals_add(struct results *r, uint32_t repeat, const struct client_output *out);

#endif
