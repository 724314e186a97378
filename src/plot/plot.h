#ifndef NETRIG_PLOT_H
#define NETRIG_PLOT_H
/* Figures for a results folder: netrig prepares whitespace data tables
 * and a small gnuplot driver per figure in RUN_DIR/plots/data/, then runs
 * gnuplot on the scripts in plots/ (one per kind of figure, sharing
 * plots/style.gp) to write PNG and SVG into RUN_DIR/plots/, and finally
 * writes RUN_DIR/index.html. A figure is made only when the run holds the
 * data for it. */
#include <stddef.h>

#include "plot_ctx.h"

/* plot_run's results. */
enum {
    PLOT_OK = 0,
    PLOT_ERR = -1,        /* bad input or a failed figure; message in err */
    PLOT_NO_GNUPLOT = -2, /* data and index.html written, no gnuplot on PATH */
    PLOT_ERR_INPUT = -3,  /* not a results folder, or a file in it does not parse */
};

struct plot_opts {
    const char *scripts_dir; /* NULL: found by plot_find_scripts */
    double link_bps;         /* link rate to draw; NaN: meta.json's link_rate_bps */
    int timeout_s;           /* per gnuplot run; 0 = 60 s */
};

/* Sets the defaults: scripts found, link rate from meta.json, 60 s. */
void plot_opts_init(struct plot_opts *o);

/* Prepares the data and drivers of every figure the run at dir has data
 * for, runs gnuplot on each and writes index.html. Returns PLOT_OK,
 * PLOT_NO_GNUPLOT (everything but the images was written; err says how to
 * install gnuplot), PLOT_ERR_INPUT or PLOT_ERR with a message in err. When ctx_out is not
 * NULL it receives the figure list. */
int plot_run(const char *dir, const struct plot_opts *o, struct plot_ctx *ctx_out, char *err,
             size_t errlen);

/* plot_run with the defaults; what `netrig run` calls at its end. A run
 * should warn, not fail, on PLOT_NO_GNUPLOT. *drawn receives the number
 * of figures gnuplot drew. */
int plot_run_dir(const char *dir, int *drawn, char *err, size_t errlen);

/* The message given when gnuplot is missing. */
extern const char plot_no_gnuplot_msg[];

#endif
