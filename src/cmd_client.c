#include <stdio.h>

#include "cmd.h"

void cmd_client_help(FILE *out)
{
    fprintf(out, "usage: netrig client ...\n(this command is being built)\n");
}

int cmd_client(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "netrig client: not available in this build\n");
    return 2;
}
