#ifndef NETRIG_PLOT_GNUPLOT_H
#define NETRIG_PLOT_GNUPLOT_H
/* Finding and running gnuplot and the figure scripts. */
#include <stddef.h>

/* Looks for an executable "gnuplot" in each directory of $PATH. Returns 0
 * with its path in out, or -1 when there is none. */
int plot_gnuplot_find(char *out, size_t len);

/* The folder holding the figure scripts (it must contain style.gp):
 * given (the --scripts option) if not NULL, else $NETRIG_PLOTS, else the
 * source tree's plots/ the binary was built from, else share/netrig/plots
 * beside the binary's prefix, /usr/local/share/netrig/plots and
 * /usr/share/netrig/plots. Returns 0, or -1 with the places tried in err. */
int plot_find_scripts(const char *given, char *out, size_t len, char *err, size_t errlen);

/* Runs `gnuplot driver` in cwd with stdout and stderr to log, killing it
 * after timeout_s seconds. Returns 0 if gnuplot exited with status 0,
 * else -1 with the reason and the first lines of the log in err. */
int plot_gnuplot_run(const char *gnuplot, const char *cwd, const char *driver, const char *log,
                     int timeout_s, char *err, size_t errlen);

#endif
