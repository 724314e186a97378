#ifndef NETRIG_RUNDIR_H
#define NETRIG_RUNDIR_H
/* The results folder of a scenario run:
 *   summary.csv      one row per step and repetition (appended whole)
 *   summary_ci.csv   one row per step: mean and 95 % interval over repeats
 *   summary.json     the rows and intervals, per step
 *   STEP.hlog        interval histograms of the step (every repetition)
 *   STEP.hgrm        percentile distribution of the step, microseconds
 *   intervals.csv    one row per interval: goodput and latency over time
 *   meta.json        machine, build, command line, times, scenario text
 *   run.log          what the console showed (written by progress.c)
 * Every file but summary.csv, intervals.csv and run.log is replaced whole after each
 * repetition (temporary file + rename), so an interrupted run leaves
 * every finished repetition complete and nothing half written.
 * A hidden .reserve file holds enough disk to finish summary.json and
 * meta.json, so that a run that fills its disk still ends with both
 * finalised and listing the rows summary.csv has. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "client.h"
#include "hist.h"
#include "hlog.h"
#include "meta.h"
#include "scenario.h"
#include "summary.h"

struct rundir_host_log {
    char host[64];
    FILE *mem;
    char *buf;
    size_t len;
    struct hlog_writer hw;
};

struct results {
    char dir[3800];
    const struct scenario *sc;
    struct meta_run meta;
    struct test_result *rows; /* every finished repetition, in order */
    size_t nrows, cap;
    struct summary_step_info *info; /* one per scenario step */
    double run_start_s;             /* epoch seconds, origin of intervals.csv */
    bool intervals_header;          /* intervals.csv has its header */
    /* Disk kept aside (.reserve) for the last summaries of a run that
     * fills its disk; grown before each repetition is written. */
    int reserve_fd; /* -1 = none */
    uint64_t reserve_len;
    size_t json_len, meta_len; /* sizes of the last summary.json and meta.json */
    /* the step being run */
    size_t step;
    struct hist lat; /* its repetitions merged */
    bool lat_on;
    struct hist probe_idle, probe_load; /* probe = udp|tcp: the same, the probe's */
    bool probe_on;
    FILE *hlog_mem; /* its .hlog text so far */
    char *hlog_buf;
    size_t hlog_len;
    struct hlog_writer hw;
    bool hlog_started;
    /* several client hosts: each host's .hlog of the step so far */
    struct rundir_host_log **host_logs; /* each its own block: memstreams point into it */
    size_t nhost_logs;
};

/* The default folder: results/NAME-YYYYmmdd-HHMMSS (local time), with -2,
 * -3 ... appended if that exists. */
void rundir_default_dir(const char *name, double epoch_s, char *out, size_t len);

/* Creates dir (and parents) and claims it by creating summary.csv (with
 * its header) exclusively: a folder that already holds a summary.csv is
 * refused, so two runs never mix, even two started at once. Returns 0, -2
 * when the folder is taken, or -1 (cannot create or write it) with a
 * message. */
int rundir_open(struct results *r, const struct scenario *sc, const char *dir, char *err,
                size_t errlen);

/* Writes meta.json from r->meta (filled by the caller). Returns 0 or -1. */
int rundir_write_meta(struct results *r);

/* Starts step i (index in sc->steps). Returns 0 or -1 (no memory). */
int rundir_step_begin(struct results *r, size_t i);

/* Records one finished repetition: fills the row's scenario, step and
 * repeat, appends it to summary.csv, rewrites the step's .hlog and .hgrm
 * and the summaries. Returns 0 or -1 with a message naming the file. */
int rundir_add(struct results *r, uint32_t repeat, struct client_output *out, char *err,
               size_t errlen);

/* Records one host's part of a multi-host step (call it for each host
 * before rundir_add of the step's "all" row): the row (its host set, hosts
 * empty) goes to summary.csv, its intervals to STEP.HOST.hlog (every
 * repetition of the step, rewritten whole). Returns 0 or -1 with a
 * message naming the file. */
int rundir_add_host(struct results *r, uint32_t repeat, struct client_output *out, char *err,
                    size_t errlen);

/* Ends the current step, freeing its histograms. */
void rundir_step_end(struct results *r);

/* Frees the disk kept aside for the last summaries: call it before
 * writing them with the run's final status. Safe to call twice. */
void rundir_release_reserve(struct results *r);

/* Rewrites summary.json (with status and message) and summary_ci.csv.
 * Returns 0 or -1 with errno set. */
int rundir_write_summaries(struct results *r, const char *status, const char *message);

/* Frees everything. */
void rundir_close(struct results *r);

#endif
