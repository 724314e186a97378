#include <stdio.h>

#include "cmd.h"

void cmd_compare_help(FILE *out)
{
    fprintf(out, "usage: netrig compare ...\n(this command is being built)\n");
}

int cmd_compare(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "netrig compare: not available in this build\n");
    return 2;
}
