#ifndef NETRIG_PLOT_SERIES_H
#define NETRIG_PLOT_SERIES_H
/* Groups summary rows into the series a figure draws: one series per
 * set of test parameters, its rows ordered along the swept parameter
 * (message size, response size or target rate). Repetitions of one step
 * share an x value and are averaged by the figure writers. */
#include <stddef.h>

#include "plot_rows.h"

enum plot_axis { PLOT_AXIS_SIZE, PLOT_AXIS_RESP, PLOT_AXIS_RATE };

struct plot_series {
    char label[96]; /* legend text: "tcp stream", "http rate resp=1 KiB" */
    char slug[64];  /* the same for file names: "tcp-stream" */
    int style;      /* line style in plots/style.gp: one colour per protocol */
    enum plot_axis axis;
    size_t *idx; /* row indices, ordered by x */
    size_t n;
    size_t nx; /* distinct x values, >= 2 */
};

struct plot_series_set {
    struct plot_series *s;
    size_t n;
};

/* Size sweeps (by_rate 0): rows with a goodput whose parameters differ only
 * in size_bytes (or, for requests of one size, in resp_bytes: HTTP bodies).
 * Rate sweeps (by_rate 1): rows differing only in rate_target. Series with
 * fewer than two x values are left out. Returns 0 or -1 (no memory). */
int plot_series_build(const struct plot_rows *rows, int by_rate, struct plot_series_set *set);
void plot_series_free(struct plot_series_set *set);

/* The value of row r along axis. */
double plot_series_x(const struct test_result *r, enum plot_axis axis);

/* "64 B", "16 KiB", "1.5 MiB": sizes as netrig's units parse them. */
void plot_fmt_bytes(double v, char *buf, size_t len);

/* The line style for protocol proto ("tcp" 1, "udp" 2, "http" 3, "tls" 4,
 * "https" 5, others 6). */
int plot_proto_style(const char *proto);

/* Length of the prefix all n names share, cut back to just after its last
 * punctuation, so labels can show what differs ("size=1024" rather than
 * "tcp-stream-size=1024"). 0 when n < 2. */
size_t plot_common_prefix(const char *const *names, size_t n);

/* Turns text into a file-name-safe slug of [a-z0-9.=-]. */
void plot_slug(const char *text, char *out, size_t len);

#endif
