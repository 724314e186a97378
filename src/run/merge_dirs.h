#ifndef NETRIG_MERGE_DIRS_H
#define NETRIG_MERGE_DIRS_H
/* netrig merge: results folders made by several client hosts at once
 * (each `netrig client --start-at T --out DIR`, or a netrig run per host)
 * made one results folder, as netrig run makes it over ssh: per step one
 * row per host and an "all" row (merge.h), STEP.HOST.hlog per host and
 * the merged STEP.hlog, then the model and the plots. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "client.h"

struct merge_dirs_opts {
    const char *const *dirs; /* the hosts' folders */
    size_t ndirs;
    const char *out; /* the merged folder; must not hold a summary.csv */
    bool no_plot;
    int argc; /* the command line, for meta.json */
    char **argv;
    FILE *console; /* one line per step, then the model's counts */
};

/* Reads path (a .hlog) into o's intervals (times relative to the first
 * interval's start, which becomes o->start_wall_s) and o->lat (their sum):
 * the untagged intervals, the load's. Those tagged "probe" go to
 * o->probe_iv (o->probe_start_wall_s their first start), other tags are
 * skipped. o->result is left alone. Returns 0, or -1 with "PATH:LINE: what". */
int merge_read_hlog(const char *path, struct client_output *o, char *err, size_t errlen);

/* Merges the folders. Returns 0, 1 when a host lacks a step the others
 * have (the step is merged from the rest, its hosts column says so), or
 * 2 (unreadable input, a folder with repetitions, the output taken) with
 * a message naming the folder or file. */
int merge_dirs(const struct merge_dirs_opts *o, char *err, size_t errlen);

#endif
