#ifndef NETRIG_PLOT_TS_H
#define NETRIG_PLOT_TS_H
/* Time series: per-interval goodput and p99 over the run, from the
 * results folder's intervals.csv (RFC 4180, header row; columns step,
 * t_s (seconds since the run started, at the end of the interval),
 * goodput_bps, p99_us, and optionally repeat; others are ignored). One
 * figure per protocol and mode; each step is a segment of the curve. */
#include "plot_ctx.h"
#include "plot_rows.h"

/* Writes the time series figures; nothing when RUN_DIR/intervals.csv does
 * not exist. Returns 0 or -1 with a message naming the file and line. */
int plot_timeseries(struct plot_ctx *c, const struct plot_rows *rows, char *err, size_t errlen);

/* Splits one CSV record in place (quotes removed, "" kept as "). Returns the
 * field count, at most max, or -1 for an unterminated quote. */
int plot_csv_split(char *line, char **fields, int max);

#endif
