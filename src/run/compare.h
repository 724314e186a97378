#ifndef NETRIG_COMPARE_H
#define NETRIG_COMPARE_H
/* Two runs side by side: steps matched by their parameters, the change of
 * goodput and of the p50 and p99 latency, whether the 95 % intervals
 * overlap, and whether a change is a regression beyond a threshold. */
#include <stdbool.h>
#include <stddef.h>

#include "summary.h"

enum { COMPARE_GOODPUT, COMPARE_P50, COMPARE_P99, COMPARE_N };

struct compare_pair {
    const struct summary_step *a, *b; /* one may be NULL: only in one run */
    double change_pct[COMPARE_N];     /* (b - a) / a * 100, NaN when unknown */
    bool differs[COMPARE_N];          /* the 95 % intervals do not overlap */
    bool regression[COMPARE_N];       /* worse by more than the threshold */
};

/* The metric (summary.h index) behind each compared column. */
extern const int compare_metric[COMPARE_N];

/* True when two steps ran with the same parameters: proto, mode, sizes,
 * conns, threads, pipeline and rate target. */
bool compare_same_params(const struct test_result *x, const struct test_result *y);

/* Pairs every step of a with the step of b with the same parameters (the
 * same name breaks ties); unmatched steps of either run get a pair of
 * their own. threshold_pct < 0 marks no regressions. *out is malloc'd.
 * Returns the number of pairs, or -1 (no memory). */
long compare_pairs(const struct summary_step *a, size_t na, const struct summary_step *b, size_t nb,
                   double threshold_pct, struct compare_pair **out);

/* Loads RUN (a results folder or a summary.csv) and summarises its steps.
 * Returns 0 or -1 with a message. */
int compare_load(const char *run, struct summary_step **steps, size_t *n, char *err, size_t errlen);

#endif
