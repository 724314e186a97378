#include <stdio.h>

#include "cmd.h"

void cmd_hist_help(FILE *out)
{
    fprintf(out, "usage: netrig hist ...\n(this command is being built)\n");
}

int cmd_hist(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "netrig hist: not available in this build\n");
    return 2;
}
