#ifndef NETRIG_EVENTS_H
#define NETRIG_EVENTS_H
/* The live event stream (--events FILE, "-" for standard output):
 * newline-delimited JSON, one object per line, flushed per line, written
 * only at interval and step boundaries from client_run's own thread
 * (never per message). The schema is docs/events.md. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "client.h"
#include "config.h"
#include "result.h"

#define EVENTS_SCHEMA_VERSION 1

struct events {
    FILE *f;     /* NULL: no stream asked for; every call does nothing */
    bool own;    /* f was opened here (not stdout) */
    bool failed; /* a write failed: the stream is incomplete */
    char step[128];
    uint32_t repeat;
};

/* Opens path ("-" standard output; NULL or "" none: ev stays off).
 * Returns 0, or -1 with a message naming the file. */
int events_open(struct events *ev, const char *path, char *err, size_t errlen);

/* Closes the stream. Returns 0, or -1 if any write failed (the caller
 * names the file). */
int events_close(struct events *ev);

/* "start": the run: scenario name ("" for a client run), its steps and
 * tests (steps x repeats), this host and netrig's version. */
void events_start(struct events *ev, const char *scenario, size_t nsteps, size_t ntests);

/* "step": a step's repetition begins (index from 1) with these settings,
 * each option of the table by name, as text opts_set accepts. */
void events_step(struct events *ev, size_t index, const char *name, uint32_t repeat,
                 const struct netrig_config *cfg);

/* "interval": one interval of the current step (client_stop.on_interval). */
void events_interval(struct events *ev, const struct client_interval *iv);

/* "end": a finished row, every column of summary.csv by its name. */
void events_end(struct events *ev, const struct test_result *r);

/* "error": what failed (message) and where (step, repeat, or "run"). */
void events_error(struct events *ev, const char *where, const char *message);

/* "done": how the run ended ("complete", "interrupted", "failed"), its
 * results folder (NULL: none, a client run), the rows kept and the
 * model's verdict counts (counts NULL: not checked). */
struct events_model_counts {
    size_t yes, no, cpu, steal, skip;
};
void events_done(struct events *ev, const char *status, const char *dir, size_t rows,
                 const struct events_model_counts *counts);

#endif
