/* netrig: throughput and latency measurement for TCP, UDP, HTTP/1.1 and TLS.
 * main only dispatches; every subcommand lives in its own cmd_*.c. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "result.h"
#include "version.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: netrig COMMAND [OPTIONS]\n\ncommands:\n");
    for (const struct cmd_def *c = cmd_table; c->name; c++)
        fprintf(out, "  %-9s %s\n", c->name, c->summary);
    fprintf(out, "  %-9s %s\n", "help", "help on a command: netrig help COMMAND");
    fprintf(out, "  %-9s %s\n", "", "the summary.csv columns: netrig help columns");
    fprintf(out, "\nnetrig --version prints the version.\n");
}

/* The summary.csv schema as a Markdown table: the README's column list is
 * checked against this by the test suite. */
static void print_columns(FILE *out)
{
    fprintf(out, "| column | meaning and unit |\n|---|---|\n");
    for (const struct result_column *c = result_columns; c->name; c++)
        fprintf(out, "| `%s` | %s |\n", c->name, c->unit_help);
}

int main(int argc, char **argv)
{
    /* A peer that closes its end must not kill the process: writes return
     * EPIPE and the drivers count it. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("netrig %s%s%s\n", NETRIG_VERSION, NETRIG_GIT_COMMIT[0] ? " " : "",
               NETRIG_GIT_COMMIT);
        return 0;
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[2], "columns") == 0) {
            print_columns(stdout);
            return 0;
        }
        const struct cmd_def *c = cmd_find(argv[2]);
        if (!c) {
            fprintf(stderr, "netrig: no command '%s'\n", argv[2]);
            return 2;
        }
        c->help(stdout);
        return 0;
    }
    const struct cmd_def *c = cmd_find(name);
    if (!c) {
        fprintf(stderr, "netrig: unknown command '%s'\n\n", name);
        usage(stderr);
        return 2;
    }
    if (cmd_wants_help(argc - 1, argv + 1)) {
        c->help(stdout);
        return 0;
    }
    return c->run(argc - 1, argv + 1);
}
