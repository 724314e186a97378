#ifndef NETRIG_CONFINT_H
#define NETRIG_CONFINT_H
/* Summary statistics over repetitions: mean and a 95 % confidence interval
 * from Student's t distribution. */
#include <stdbool.h>
#include <stddef.h>

/* The 97.5 % quantile of Student's t with df degrees of freedom (the factor
 * of a two-sided 95 % interval): a table for df <= 30, the Cornish-Fisher
 * expansion beyond (error below 1e-5). df = 0 gives NaN. */
double confint_t975(unsigned df);

/* The fewest values that give a 95 % interval worth printing: with two,
 * t = 12.7 makes it wider than the mean itself. The reports say "too few
 * repeats" below it. */
#define CONFINT_MIN_N 3

struct confint {
    size_t n;    /* values used (NaN values are skipped) */
    double mean; /* NaN when n = 0 */
    double sd;   /* sample standard deviation; NaN when n < 2 */
    double half; /* half width of the 95 % interval; NaN when n < 2 */
    double lo, hi;
};

/* Mean and 95 % interval of the non-NaN values of x[0..n). */
void confint_mean95(const double *x, size_t n, struct confint *out);

/* True when both intervals exist and overlap. Intervals that cannot be
 * compared (n < 2 on either side) count as overlapping: no claim made. */
bool confint_overlap(const struct confint *a, const struct confint *b);

#endif
