#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "plot.h"
#include "units.h"

void cmd_plot_help(FILE *out)
{
    fprintf(out,
            "usage: netrig plot RUN_DIR [--scripts DIR] [--link-rate RATE]\n"
            "\n"
            "Draws the results folder RUN_DIR with gnuplot: PNG and SVG figures in\n"
            "RUN_DIR/plots/, their data tables and gnuplot drivers in RUN_DIR/plots/data/,\n"
            "and RUN_DIR/index.html with the figures, the summary and the model check.\n"
            "A figure is drawn only when the run holds its data:\n"
            "  throughput        goodput vs message size, measured and model (size sweeps)\n"
            "  overhead          efficiency B/(B+O), measured and predicted (model columns)\n"
            "  load-*            p50/p99/p99.9 and achieved rate vs target rate (rate sweeps)\n"
            "  spectrum-*        latency by percentile, one curve per step (.hgrm files)\n"
            "  timeseries-*      goodput and p99 per interval over the run (intervals.csv)\n"
            "\n"
            "options:\n"
            "  --scripts DIR     the gnuplot scripts (default: netrig's plots/ folder)\n"
            "  --link-rate RATE  link rate to draw, e.g. 100mbit (default: meta.json)\n"
            "\n"
            "Exit status: 0 drawn, 1 gnuplot missing or a figure failed, 2 usage or input\n"
            "error. Needs gnuplot (apt-get install gnuplot-nox).\n");
}

int cmd_plot(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        cmd_plot_help(stdout);
        return 0;
    }
    struct plot_opts o;
    plot_opts_init(&o);
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--scripts") == 0 || strcmp(a, "--link-rate") == 0) && i + 1 == argc) {
            fprintf(stderr, "netrig plot: %s needs a value\n", a);
            return 2;
        }
        if (strcmp(a, "--scripts") == 0) {
            o.scripts_dir = argv[++i];
        } else if (strcmp(a, "--link-rate") == 0) {
            double per_s;
            if (units_parse_rate(argv[++i], &o.link_bps, &per_s) != 0 || !(o.link_bps > 0)) {
                fprintf(stderr,
                        "netrig plot: bad value '%s' for --link-rate: expected a "
                        "bit rate such as 100mbit or 10gbit\n",
                        argv[i]);
                return 2;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "netrig plot: unknown option '%s' (see netrig plot --help)\n", a);
            return 2;
        } else if (dir) {
            fprintf(stderr, "netrig plot: one RUN_DIR only ('%s' and '%s')\n", dir, a);
            return 2;
        } else {
            dir = a;
        }
    }
    if (!dir) {
        cmd_plot_help(stderr);
        return 2;
    }
    char err[2048];
    struct plot_ctx ctx;
    int rc = plot_run(dir, &o, &ctx, err, sizeof(err));
    switch (rc) {
    case PLOT_OK:
        printf("%d figure%s in %s/plots, report %s/index.html\n", ctx.drawn,
               ctx.drawn == 1 ? "" : "s", dir, dir);
        return 0;
    case PLOT_ERR_INPUT: fprintf(stderr, "netrig plot: %s\n", err); return 2;
    default: fprintf(stderr, "netrig plot: %s\n", err); return 1;
    }
}
