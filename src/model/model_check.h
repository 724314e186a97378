#ifndef NETRIG_MODEL_CHECK_H
#define NETRIG_MODEL_CHECK_H
/* Checking a results folder against the goodput model (model.h), as one
 * call: read RUN_DIR/summary.csv (or the CSV named), fit and check every
 * row, rewrite the CSV with its model columns and write model.txt beside
 * it. What `netrig model` and the end of `netrig run` both do; neither
 * prints here, the caller reports the verdicts it gets back. */
#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "result_file.h"

struct model_check_opts {
    struct model_opts model;
    bool ipv6;      /* IPv6 headers instead of IPv4 */
    bool calibrate; /* time AES-256-GCM here and add E for TLS */
    bool no_write;  /* check only: leave the CSV and model.txt alone */
};

/* The outcome: the rows with their verdicts (model_ok) and the counts. */
struct model_check {
    char csv[4096]; /* the CSV checked */
    char txt[4096]; /* model.txt beside it */
    struct result_file file;
    struct model_run run; /* nyes, nno, ncpu, nsteal, nskip */
};

/* Defaults: the model's (model_opts_defaults), IPv4, no calibration. */
void model_check_opts_init(struct model_check_opts *o);

/* Checks input (a results folder or a summary.csv). Returns 0 with the
 * verdicts in mc, or -1 with a message naming the file (and line) at
 * fault: the input is missing or does not parse, or a file could not be
 * written. Release mc with model_check_close either way. */
int model_check_run(const char *input, const struct model_check_opts *o, struct model_check *mc,
                    char *err, size_t errlen);

/* "N rows: A within tolerance, B outside, ..." (no newline). */
void model_check_counts(const struct model_check *mc, char *buf, size_t len);

void model_check_close(struct model_check *mc);

#endif
