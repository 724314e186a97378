#include <stdio.h>

#include "cmd.h"

void cmd_model_help(FILE *out)
{
    fprintf(out, "usage: netrig model ...\n(this command is being built)\n");
}

int cmd_model(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "netrig model: not available in this build\n");
    return 2;
}
