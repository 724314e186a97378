#ifndef NETRIG_PLOT_SWEEP_H
#define NETRIG_PLOT_SWEEP_H
/* The figures drawn from summary.csv: throughput vs message size,
 * protocol overhead (efficiency B/(B+O), measured beside predicted) and
 * latency vs offered load. Each writes its data tables and driver and
 * registers the figure in c, or does nothing when the rows hold no sweep
 * for it. All return 0 or -1 with a message in err. */
#include "plot_ctx.h"
#include "plot_rows.h"
#include "plot_series.h"

/* set: the size sweeps (plot_series_build with by_rate 0). */
int plot_sweep_throughput(struct plot_ctx *c, const struct plot_rows *rows,
                          const struct plot_series_set *set, char *err, size_t errlen);
int plot_sweep_overhead(struct plot_ctx *c, const struct plot_rows *rows,
                        const struct plot_series_set *set, char *err, size_t errlen);

/* set: the rate sweeps (by_rate 1); one figure per series. */
int plot_sweep_load(struct plot_ctx *c, const struct plot_rows *rows,
                    const struct plot_series_set *set, char *err, size_t errlen);

/* Efficiency of row r in percent: predicted B/(B+O) from overhead_bytes,
 * and measured G/C (stream) or, for one serial connection (rr, crr), the
 * share of the time per transaction beyond t0 that payload occupies the
 * link. NaN when the row lacks the model columns. */
double plot_eff_pred(const struct test_result *r);
double plot_eff_meas(const struct test_result *r);

/* Picks microseconds or milliseconds for latencies up to max_us. */
void plot_lat_unit(double max_us, double *scale, const char **name);

#endif
