#include "cmd.h"

#include <string.h>

const struct cmd_def cmd_table[] = {
    {"server", cmd_server, cmd_server_help, "answer tests from netrig clients (and HTTP, TLS)"},
    {"client", cmd_client, cmd_client_help, "run one test against a server or URL"},
    {"run", cmd_run, cmd_run_help, "run a scenario file: sweeps, repeats, results folder"},
    {"model", cmd_model, cmd_model_help, "fit and check results against the goodput model"},
    {"plot", cmd_plot, cmd_plot_help, "draw a results folder with gnuplot (PNG and SVG)"},
    {"compare", cmd_compare, cmd_compare_help, "compare two results folders step by step"},
    {"merge", cmd_merge, cmd_merge_help, "merge the results folders of several client hosts"},
    {"hist", cmd_hist, cmd_hist_help, "show, merge and import HdrHistogram logs"},
    {NULL, NULL, NULL, NULL},
};

const struct cmd_def *cmd_find(const char *name)
{
    for (const struct cmd_def *c = cmd_table; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

int cmd_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}
