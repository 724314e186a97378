#ifndef NETRIG_RUNNER_INT_H
#define NETRIG_RUNNER_INT_H
/* The runner's insides, shared by its files: runner.c checks, plans and
 * runs the steps and finishes the run; runner_step.c runs one repetition
 * (here or on the client hosts); runner_peer.c gives each step its peer
 * (the embedded server, on loopback or across an emulated link, or the
 * run's server over ssh); runner_text.c prints each test's line and the
 * table at the end; runner_after.c runs the model and the plots on the
 * finished folder. */
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"
#include "netns.h"
#include "progress.h"
#include "remote.h"
#include "remote_server.h"
#include "rundir.h"
#include "runner.h"
#include "server.h"

struct run {
    const struct scenario *sc;
    const struct runner_opts *o;
    struct results res;
    struct progress con;
    struct server *srv, *srv6; /* embedded servers: IPv4, and IPv6 when a step asks */
    char srv_addr[256], srv6_addr[256];
    char srv_meta[256];     /* the first embedded server, for meta.json */
    struct netns_link link; /* emulated link, when link = tbf:RATE */
    bool linked;
    const char *link_now; /* the spec of the link up now */
    size_t skipped;       /* optional steps left out (a link without root) */
    size_t tests_total;   /* steps x repeats */
    double planned_left_s;
    char msg[1024];            /* why the run stopped, "" when it did not */
    struct events ev;          /* --events: the live stream (off when not asked for) */
    struct remote_set hosts;   /* client_hosts: every step on these over ssh */
    struct remote_server rsrv; /* server_host: the run's server, over ssh */
    bool multi;
    bool host_failed; /* a client host failed: the run's exit says so */
    char *hosts_json;
    size_t failed; /* tests whose row says failed (their rows are kept) */
    char first_failed[768];
    volatile sig_atomic_t *stop;        /* set by Ctrl-C: client_run polls it */
    volatile sig_atomic_t *stop_signal; /* the signal that set it */
};

/* One repetition rep of step i: its config, client_run (or the client
 * hosts), its row into the folder, its console line and events. Returns 0
 * done (its row may say it failed: counted in R->failed), 1 interrupted,
 * -1 failed (R->msg). */
int runner_step_run(struct run *R, size_t i, uint32_t rep);

/* The link step st runs through: --link, else its link option, else
 * NULL (loopback or its own peer). */
const char *runner_peer_step_link(const struct scenario_step *st, const struct runner_opts *o);

/* The first link of the run, for --dry-run and the plan; NULL when none. */
const char *runner_peer_link_spec(const struct scenario *sc, const struct runner_opts *o);

/* A step netrig leaves out here: optional, and its link needs root. */
bool runner_peer_skipped(const struct scenario_step *st, const struct runner_opts *o);

/* Steps that need a link cannot run without root: said before a results
 * folder is made. Returns 0, or -1 with a message. */
int runner_peer_check_root(const struct scenario *sc, const struct runner_opts *o, char *err,
                           size_t errlen);

/* Whether some step needs the embedded server on loopback (no peer of
 * its own, no --server, no server_host, no client_hosts). */
bool runner_peer_needs_server(const struct scenario *sc, const struct runner_opts *o);

/* The peer step st needs: the embedded server on loopback, or across the
 * step's link (made when the link changes, its server with it). Returns 0
 * or -1 (R->msg). */
int runner_peer_ensure(struct run *R, const struct scenario_step *st);

/* Stops the embedded servers and takes the emulated link down. */
void runner_peer_end(struct run *R);

/* server_host: the run's server on its host over ssh, before the first
 * step. Returns 0, 1 interrupted, or -1 (R->msg). */
int runner_peer_remote_start(struct run *R);

/* The console line of one finished test: goodput, p50, p99, errors and
 * host steal worth naming. */
void runner_text_result(struct run *R, const struct scenario_step *st, uint32_t rep,
                        const struct test_result *t);

/* The table at the end: per step, runs, goodput with its 95 % interval,
 * messages per second, p50 and p99 (or why a step has no row). */
void runner_text_table(struct run *R);

/* Runs the model and the plots on the finished folder and says what the
 * model checked; the events' done line carries status and the verdict
 * counts. Neither changes the exit status. */
void runner_after_run(struct run *R, const char *status);

#endif
