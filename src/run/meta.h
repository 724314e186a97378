#ifndef NETRIG_META_H
#define NETRIG_META_H
/* meta.json of a results folder: where, when and with what a run was
 * made, so a number can be traced back to its machine and build. */
#include <stdbool.h>
#include <stdio.h>

struct meta_run {
    const char *scenario_file;
    const char *scenario_name;
    const char *scenario_text;
    int argc;
    char **argv;        /* the command line, argv[0] = "netrig" or the path */
    double start_s;     /* epoch seconds */
    double end_s;       /* epoch seconds, < 0 while running */
    const char *status; /* "running", "complete", "interrupted", "failed" */
    const char *message;
    const char *server;     /* the peer of steps without their own, "" if none */
    bool embedded;          /* that server was started by the run */
    double link_rate_bps;   /* the emulated link's rate, else the scenario's link_rate, 0 = none */
    const char *hosts_json; /* several client hosts: their clocks and states (JSON), or NULL */
};

/* Writes the JSON object: host, kernel (uname), cpu model and count
 * (/proc/cpuinfo), netrig version and git commit, OpenSSL version,
 * command line, start and end times (ISO 8601 and epoch), scenario. */
void meta_json(FILE *out, const struct meta_run *m);

/* The CPU model name from /proc/cpuinfo, or "unknown". */
void meta_cpu_model(char *buf, size_t len);

/* Local time as ISO 8601 with offset, "2024-05-01T12:00:00+0200". */
void meta_iso_time(double epoch_s, char *buf, size_t len);

#endif
