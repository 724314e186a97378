#ifndef NETRIG_SUMMARY_H
#define NETRIG_SUMMARY_H
/* Steps summarised over their repetitions: the rows of summary.csv grouped
 * by step, with mean and 95 % confidence interval of goodput and of each
 * latency percentile. Writes summary_ci.csv and summary.json; reads
 * summary.csv back (for compare). */
#include <stddef.h>
#include <stdio.h>

#include "result.h"
#include "confint.h"

/* The figures summarised: result columns, in summary_ci.csv order. */
enum {
    SUMMARY_GOODPUT,
    SUMMARY_MSGS,
    SUMMARY_LAT_MEAN,
    SUMMARY_P50,
    SUMMARY_P90,
    SUMMARY_P99,
    SUMMARY_P999,
    SUMMARY_P9999,
    SUMMARY_NMETRICS
};
extern const char *const summary_metrics[SUMMARY_NMETRICS];

struct summary_step {
    struct test_result first; /* identity: scenario, step, proto, size ... */
    size_t nrows;             /* repetitions summarised */
    struct confint ci[SUMMARY_NMETRICS];
};

#define SUMMARY_CI_MIN_N CONFINT_MIN_N

/* "" when n repetitions give an interval, else what to say instead:
 * "too few repeats for a 95 % interval (n = 2; 3 or more give one)". */
const char *summary_ci_note(size_t n, char *buf, size_t len);

/* Groups rows by step name, in first-seen order, and computes every
 * metric's interval. *out is malloc'd (free it). Returns 0 or -1 (no
 * memory). */
int summary_group(const struct test_result *rows, size_t n, struct summary_step **out,
                  size_t *nout);

/* The value of metric m in a row. */
double summary_metric(const struct test_result *r, int m);

/* summary_ci.csv: header, then one row per step: identity columns, n,
 * and METRIC_mean, METRIC_lo, METRIC_hi for each metric (lo and hi empty
 * when n < SUMMARY_CI_MIN_N), then ci_note (summary_ci_note). */
void summary_ci_csv(FILE *out, const struct summary_step *steps, size_t n);

/* Per-step extra facts for summary.json that the rows do not hold. */
struct summary_step_info {
    const char *name;
    const char *file;   /* base name of the .hlog / .hgrm */
    const char *params; /* swept values */
    unsigned planned;   /* repetitions asked for */
};

/* summary.json: {"schema", "scenario", "status", "message", "steps": [
 * {name, file, params, planned, done, results: [rows], ci95: {metric:
 * {n, mean, sd, lo, hi}}}]}. Steps without rows are listed with done 0. */
void summary_json(FILE *out, const char *scenario, const char *status, const char *message,
                  const struct summary_step_info *info, size_t ninfo,
                  const struct test_result *rows, size_t nrows);

/* Reads every row of a summary.csv file. *rows is malloc'd. Returns 0 or
 * -1 with a message naming the file and line. */
int summary_read_csv(const char *path, struct test_result **rows, size_t *n, char *err,
                     size_t errlen);

/* JSON string with escapes, quotes included. */
void summary_json_str(FILE *out, const char *s);
/* JSON number, null for NaN and infinities. */
void summary_json_num(FILE *out, double v);

#endif
