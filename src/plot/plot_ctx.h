#ifndef NETRIG_PLOT_CTX_H
#define NETRIG_PLOT_CTX_H
/* What the figure files (plot_sweep.c, plot_hgrm.c, plot_ts.c, their
 * drivers and report_html.c) share while plot_run (plot.h) draws a
 * results folder: the folders, the link rate and the list of figures.
 * The parts include this, never plot.h: the dispatcher sits above them. */
#include <limits.h>
#include <stddef.h>

struct plot_opts;

#define PLOT_MAX_FIGS 64

struct plot_fig {
    char name[96];   /* output base name in RUN_DIR/plots: "throughput" */
    char title[160]; /* the figure's title, for the report */
    char script[32]; /* the plots/ script that draws it */
};

struct plot_ctx {
    const struct plot_opts *opts;
    const char *run_dir;
    char plots_dir[PATH_MAX]; /* RUN_DIR/plots */
    char data_dir[PATH_MAX];  /* RUN_DIR/plots/data */
    char scripts_dir[PATH_MAX];
    double link_bps;
    struct plot_fig figs[PLOT_MAX_FIGS];
    size_t nfigs;
    int drawn; /* figures gnuplot drew */
};

#endif
