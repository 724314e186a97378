#ifndef NETRIG_PLOT_HGRM_H
#define NETRIG_PLOT_HGRM_H
/* Latency percentile spectra from the .hgrm files of a results folder (the
 * HdrHistogram percentile distribution text: value, percentile as a
 * fraction, total count, 1/(1-percentile); netrig writes values in
 * microseconds). One figure per protocol and mode, one curve per step. */
#include <stddef.h>

#include "plot_ctx.h"
#include "plot_rows.h"

struct plot_hgrm {
    double *value; /* as written: microseconds for netrig's files */
    double *pct;   /* fraction, 0 .. 1 */
    size_t n;
};

/* Reads the rows of an .hgrm file; header, blank and '#' lines are
 * skipped. A file without a single row is an error. Returns 0 or -1. */
int plot_hgrm_read(const char *path, struct plot_hgrm *h, char *err, size_t errlen);
void plot_hgrm_free(struct plot_hgrm *h);

/* Writes the spectrum figures for every .hgrm in c->run_dir, grouping the
 * files by the protocol and mode of the summary row whose step they are
 * named after. Returns 0 (also when there are none) or -1. */
int plot_spectrum(struct plot_ctx *c, const struct plot_rows *rows, char *err, size_t errlen);

#endif
