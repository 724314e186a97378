/* netrig run SCENARIO.ini [--server HOST:PORT] [--out DIR] [--dry-run]
 * [--no-plot]: a whole benchmark from one file into one results folder. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "netns.h"
#include "runner.h"
#include "scenario.h"

void cmd_run_help(FILE *out)
{
    fprintf(out, "usage: netrig run SCENARIO.ini [--server HOST:PORT] [--out DIR] [--dry-run]\n"
                 "                  [--no-plot]\n"
                 "\n"
                 "Runs every step of a scenario file (sweeps expanded, each step repeated\n"
                 "`repeat` times) and writes one results folder: summary.csv, summary_ci.csv,\n"
                 "summary.json, STEP.hlog and STEP.hgrm per step, meta.json and run.log.\n"
                 "Steps that name no server or url use --server, or else a server that\n"
                 "netrig starts on loopback for the run. Ctrl-C stops the run and keeps\n"
                 "every finished step. See docs/scenarios.md for the file format.\n"
                 "\n"
                 "  --server HOST:PORT  the peer of every step without a url\n"
                 "  --out DIR           the results folder (default results/NAME-YYYYmmdd-HHMMSS)\n"
                 "  --dry-run           print the expanded steps and exit\n"
                 "  --no-plot           do not run `netrig plot` at the end\n"
                 "  --link tbf:RATE     run through an emulated link of RATE (root; see\n"
                 "                      docs/model.md), as `link =` in [global] does\n"
                 "  --events FILE       live events, one JSON object a line ('-': standard\n"
                 "                      output, the console then goes to stderr); docs/events.md\n"
                 "  --client-hosts LIST run every step's client on each of these hosts over\n"
                 "                      ssh (ssh://[user@]host[:port], ...; docs/scale-out.md)\n"
                 "  --server-host DEST  start the server on this host over ssh, listening on\n"
                 "                      --server (or the scenario's server), and stop it after\n"
                 "  --netrig-path PATH  the netrig binary on those hosts (default: netrig)\n"
                 "  --ssh-config FILE   ssh -F FILE for every ssh the run makes\n"
                 "\n"
                 "Exit status: 0 all steps done, 1 a step failed or the run was interrupted,\n"
                 "2 usage or scenario error (nothing runs).\n");
}

struct run_args {
    const char *file;
    const char *server;
    const char *out;
    const char *link;
    const char *events;
    const char *client_hosts, *server_host, *netrig_path, *ssh_config;
    bool dry_run, no_plot;
};

/* --name VALUE or --name=VALUE; returns the value or NULL. */
static const char *value_of(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v;
        if ((v = value_of(argc, argv, &i, "--server")) != NULL)
            a->server = v;
        else if ((v = value_of(argc, argv, &i, "--out")) != NULL)
            a->out = v;
        else if ((v = value_of(argc, argv, &i, "--link")) != NULL)
            a->link = v;
        else if ((v = value_of(argc, argv, &i, "--events")) != NULL)
            a->events = v;
        else if ((v = value_of(argc, argv, &i, "--client-hosts")) != NULL)
            a->client_hosts = v;
        else if ((v = value_of(argc, argv, &i, "--server-host")) != NULL)
            a->server_host = v;
        else if ((v = value_of(argc, argv, &i, "--netrig-path")) != NULL)
            a->netrig_path = v;
        else if ((v = value_of(argc, argv, &i, "--ssh-config")) != NULL)
            a->ssh_config = v;
        else if (strcmp(arg, "--dry-run") == 0)
            a->dry_run = true;
        else if (strcmp(arg, "--no-plot") == 0)
            a->no_plot = true;
        else if (arg[0] == '-' && arg[1] != '\0') {
            fprintf(stderr,
                    "netrig run: unknown option or missing value '%s' "
                    "(options: --server HOST:PORT, --out DIR, --link tbf:RATE, --client-hosts "
                    "LIST, --server-host DEST, --netrig-path PATH, --ssh-config FILE, --dry-run, "
                    "--no-plot)\n",
                    arg);
            return -1;
        } else if (!a->file) {
            a->file = arg;
        } else {
            fprintf(stderr, "netrig run: one scenario file at a time ('%s' and '%s')\n", a->file,
                    arg);
            return -1;
        }
    }
    if (!a->file) {
        fprintf(stderr, "usage: netrig run SCENARIO.ini [--server HOST:PORT] [--out DIR] "
                        "[--dry-run] [--no-plot]\n");
        return -1;
    }
    double rate;
    char err[160];
    if (a->link && netns_link_parse(a->link, &rate, err, sizeof(err)) != 0) {
        fprintf(stderr, "netrig run: --link: %s\n", err);
        return -1;
    }
    if (a->server && !strchr(a->server, ':')) {
        fprintf(stderr, "netrig run: --server '%s': expected HOST:PORT\n", a->server);
        return -1;
    }
    return 0;
}

int cmd_run(int argc, char **argv)
{
    struct run_args a = {0};
    if (parse_args(argc, argv, &a) != 0)
        return 2;
    struct scenario sc;
    char err[1024];
    if (scenario_load(&sc, a.file, err, sizeof(err)) != 0) {
        fprintf(stderr, "netrig run: %s\n", err);
        return 2;
    }
    /* meta.json records the command as typed, with the program name. */
    char **cmdline = calloc((size_t)argc + 2, sizeof(*cmdline));
    if (!cmdline) {
        scenario_close(&sc);
        return 2;
    }
    cmdline[0] = "netrig";
    for (int i = 0; i < argc; i++)
        cmdline[i + 1] = argv[i];
    struct runner_opts o = {.server = a.server,
                            .out_dir = a.out,
                            .link = a.link,
                            .no_plot = a.no_plot,
                            .client_hosts = a.client_hosts,
                            .server_host = a.server_host,
                            .netrig_path = a.netrig_path,
                            .ssh_config = a.ssh_config,
                            .argc = argc + 1,
                            .argv = cmdline,
                            .events = a.events,
                            .console = stdout,
                            .tty = isatty(STDOUT_FILENO) != 0};
    if (a.events && strcmp(a.events, "-") == 0) { /* standard output is the stream's */
        o.console = stderr;
        o.tty = isatty(STDERR_FILENO) != 0;
    }
    int rc = 0;
    if (runner_check(&sc, &o, err, sizeof(err)) != 0) {
        fprintf(stderr, "netrig run: %s\n", err);
        rc = 2;
    } else if (a.dry_run)
        runner_dry_run(&sc, &o, stdout);
    else
        rc = runner_run(&sc, &o);
    free(cmdline);
    scenario_close(&sc);
    return rc;
}
