#include <stdio.h>

#include "cmd.h"

void cmd_server_help(FILE *out)
{
    fprintf(out, "usage: netrig server ...\n(this command is being built)\n");
}

int cmd_server(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "netrig server: not available in this build\n");
    return 2;
}
