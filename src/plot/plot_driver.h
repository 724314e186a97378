#ifndef NETRIG_PLOT_DRIVER_H
#define NETRIG_PLOT_DRIVER_H
/* The files netrig writes for gnuplot: data tables in RUN_DIR/plots/data/
 * and one driver per figure (data/NAME.gp) that sets the figure's
 * variables and loads its script from plots/ twice, once per output
 * format. A user can edit a script and re-run `gnuplot data/NAME.gp` from
 * RUN_DIR/plots. */
#include <stdio.h>

#include "plot_ctx.h"

/* Starts figure NAME drawn by plots/SCRIPT: opens data/NAME.gp and writes
 * the common variables (scripts, data, out, fig_title). Returns NULL with a
 * message in err (also when c->figs is full). */
FILE *plot_driver_begin(struct plot_ctx *c, const char *name, const char *script, const char *title,
                        char *err, size_t errlen);

/* Ends the figure plot_driver_begin started: appends the two loads (PNG
 * then SVG), closes f and adds the figure to c->figs. Returns 0 or -1. */
int plot_driver_end(struct plot_ctx *c, FILE *f, char *err, size_t errlen);

/* gnuplot assignments: var = "text" (escaped, control characters
 * dropped), var = number (NaN written as NaN), and array elements. */
void plot_gp_str(FILE *f, const char *var, const char *val);
void plot_gp_num(FILE *f, const char *var, double val);
void plot_gp_array(FILE *f, const char *var, size_t n);
void plot_gp_elem_str(FILE *f, const char *var, size_t i, const char *val);
void plot_gp_elem_num(FILE *f, const char *var, size_t i, double val);

/* Opens data/FILE for writing. Returns NULL with a message in err. */
FILE *plot_data_open(const struct plot_ctx *c, const char *file, char *err, size_t errlen);

/* Closes a data file, reporting a write error. Returns 0 or -1. */
int plot_data_close(FILE *f, const char *file, char *err, size_t errlen);

/* Writes a number for a data table: NaN as "NaN", which gnuplot skips. */
void plot_put(FILE *f, double v);

/* Picks a unit for bit rates up to max: scale (divide by it) and name. */
void plot_rate_unit(double max_bps, double *scale, const char **name);

/* gnuplot xtics for a log-2 byte axis from lo to hi: "'64 B' 64, ...". */
void plot_byte_tics(double lo, double hi, char *buf, size_t len);

#endif
