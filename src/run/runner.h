#ifndef NETRIG_RUNNER_H
#define NETRIG_RUNNER_H
/* Runs an expanded scenario: every step and repetition through
 * client_run, an embedded loopback server when no step names its own
 * peer, the results folder (rundir.h), the console (progress.h), and a
 * clean stop on Ctrl-C, a failed step or a peer that died. */
#include <stdbool.h>
#include <stdio.h>

#include "scenario.h"

struct runner_opts {
    const char *server;  /* --server HOST:PORT: the peer of every step without a url */
    const char *out_dir; /* --out DIR, or NULL for results/NAME-STAMP */
    const char *link;    /* --link tbf:RATE, or NULL for the scenario's link option */
    bool no_plot;        /* skip `netrig plot` at the end */
    const char *events;  /* --events FILE ("-" standard output), or NULL */
    /* several hosts (NULL: the scenario's keys): docs/scale-out.md */
    const char *client_hosts; /* --client-hosts ssh://a,ssh://b */
    const char *server_host;  /* --server-host ssh://host: start the server there */
    const char *netrig_path;  /* --netrig-path */
    const char *ssh_config;   /* --ssh-config FILE */
    int argc;                 /* the command line, for meta.json */
    char **argv;
    FILE *console; /* stdout */
    bool tty;      /* the console is a terminal: status line */
};

/* Runs sc. Returns the exit status: 0 every step done, 1 a step failed or
 * the run was interrupted (finished steps are kept), 2 the results folder
 * could not be made. */
int runner_run(const struct scenario *sc, const struct runner_opts *o);

/* Checks every step as its run would before the first test: the peer the
 * options give it, the client's rules (client_check), one link for the
 * run, no --server with a link. Returns 0, or -1 with "FILE:LINE: [step]
 * message" (the step's section line) in err. */
int runner_check(const struct scenario *sc, const struct runner_opts *o, char *err, size_t errlen);

/* Prints the expanded steps (--dry-run): number, name, repetitions and
 * the options that differ from the defaults, then the totals. */
void runner_dry_run(const struct scenario *sc, const struct runner_opts *o, FILE *out);

/* Planned seconds of one repetition of a step (warm-up + duration). */
double runner_planned_s(const struct scenario_step *st);

#endif
