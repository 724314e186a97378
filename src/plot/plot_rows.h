#ifndef NETRIG_PLOT_ROWS_H
#define NETRIG_PLOT_ROWS_H
/* The rows of a results folder's summary.csv, held in memory for the plot
 * data preparation, and the small statistics the figures need (mean and
 * 95 % confidence interval over repetitions). */
#include <stddef.h>

#include "result.h"

struct plot_rows {
    struct test_result *r;
    size_t n;
};

/* Reads every data row of the summary.csv at path. A row that does not
 * parse is an error naming the file and line. Returns 0 or -1. */
int plot_rows_load(const char *path, struct plot_rows *rows, char *err, size_t errlen);
void plot_rows_free(struct plot_rows *rows);

struct plot_stat {
    size_t n;    /* values that were not NaN */
    double mean; /* NaN when n == 0 */
    double half; /* half width of the 95 % CI (Student t); NaN when n < 2 */
};

/* Mean and 95 % confidence interval of the non-NaN values in v. */
struct plot_stat plot_stat_of(const double *v, size_t n);

/* Two-sided 95 % Student t quantile for df degrees of freedom (df >= 1). */
double plot_t95(size_t df);

/* The first row whose step name matches name, a file's base name: equal
 * letters and digits, any punctuation matching any punctuation (a writer
 * may have replaced '/' or ' ' in a step name), and a trailing repeat
 * suffix "-rN" on name allowed. NULL when none does. */
const struct test_result *plot_rows_step(const struct plot_rows *rows, const char *name);

#endif
