#include <stdio.h>

#include "cmd.h"

void cmd_plot_help(FILE *out)
{
    fprintf(out, "usage: netrig plot ...\n(this command is being built)\n");
}

int cmd_plot(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "netrig plot: not available in this build\n");
    return 2;
}
