#include <stdio.h>

#include "cmd.h"

void cmd_run_help(FILE *out)
{
    fprintf(out, "usage: netrig run ...\n(this command is being built)\n");
}

int cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "netrig run: not available in this build\n");
    return 2;
}
