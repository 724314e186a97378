#ifndef NETRIG_PROGRESS_H
#define NETRIG_PROGRESS_H
/* The console of a scenario run. On a terminal a status line (step i of
 * N, its parameters, elapsed and estimated time left) is redrawn in place
 * by a small thread; elsewhere each step start is one plain line. Every
 * plain line also goes to run.log, so the log reads like the console. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct progress {
    FILE *out; /* the console */
    FILE *log; /* run.log or NULL */
    bool tty;
    bool shown; /* a status line is on the screen */
    pthread_mutex_t mu;
    pthread_t thread;
    bool thread_on;
    bool stop;
    char what[256];         /* "[3/12] tcp-stream size=4k, repeat 1/3" */
    uint64_t run_start_ns;  /* start of the run */
    uint64_t item_start_ns; /* start of the current test */
    double planned_left_s;  /* planned seconds from the item's start to the end */
    double planned_done_s;  /* planned seconds of the finished tests */
};

/* Starts the console; tty selects the status line (and its thread).
 * Returns 0 or -1. */
int progress_init(struct progress *p, FILE *out, bool tty);

/* From now on plain lines are also appended to path. Returns 0 or -1. */
int progress_open_log(struct progress *p, const char *path);

/* Prints one plain line (newline added) to the console and run.log,
 * clearing the status line first. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void progress_line(struct progress *p, const char *fmt, ...);

/* Writes a line to run.log only (details the console leaves out). */
void progress_log(struct progress *p, const char *text);

/* A test starts: `what` describes it, planned_item_s is its planned
 * length (warm-up + duration), planned_left_s the planned length of this
 * and every later test. */
void progress_begin(struct progress *p, const char *what, double planned_item_s,
                    double planned_left_s);

/* The current test ended after planned_item_s planned seconds: the ratio
 * of real to planned time so far scales the estimate of what is left. */
void progress_end(struct progress *p, double planned_item_s);

/* Formats seconds as m:ss or h:mm:ss. */
void progress_fmt_time(double s, char *buf, size_t len);

/* Stops the thread, clears the status line, closes run.log. */
void progress_close(struct progress *p);

#endif
