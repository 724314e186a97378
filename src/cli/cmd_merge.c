/* netrig merge DIR... -o OUT: the results folders of several client hosts
 * (run by pdsh, Slurm, a Kubernetes Job...) as one, histograms merged
 * exactly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "merge_dirs.h"

void cmd_merge_help(FILE *out)
{
    fprintf(out, "usage: netrig merge DIR... -o OUT [--no-plot]\n"
                 "\n"
                 "Merges results folders made by several client hosts at once (each host\n"
                 "running `netrig client --start-at TIME --out DIR`, or a netrig run) into\n"
                 "one folder OUT: per step one row per host (host column) and an `all` row\n"
                 "with messages, bytes and goodput summed, errors summed by class and the\n"
                 "latency percentiles of the exact sum of the hosts' histograms. Each\n"
                 "host's STEP.hlog becomes OUT/STEP.HOST.hlog beside the merged STEP.hlog;\n"
                 "then the model and the plots run on OUT. See docs/scale-out.md.\n"
                 "\n"
                 "  -o, --out OUT   the merged folder (must not hold results yet)\n"
                 "  --no-plot       do not draw the plots\n"
                 "\n"
                 "Exit status: 0 merged, 1 a host lacks a step the others have (merged from\n"
                 "the rest; the hosts column says how many), 2 usage or input error.\n");
}

int cmd_merge(int argc, char **argv)
{
    if (cmd_wants_help(argc, argv)) {
        cmd_merge_help(stdout);
        return 0;
    }
    const char **dirs = calloc((size_t)argc, sizeof(*dirs));
    if (!dirs)
        return 2;
    struct merge_dirs_opts o = {.dirs = dirs, .console = stdout, .argc = argc, .argv = argv};
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--out") == 0) && i + 1 < argc)
            o.out = argv[++i];
        else if (strncmp(argv[i], "--out=", 6) == 0)
            o.out = argv[i] + 6;
        else if (strcmp(argv[i], "--no-plot") == 0)
            o.no_plot = true;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "netrig merge: unknown option '%s' (options: -o OUT, --no-plot)\n",
                    argv[i]);
            free(dirs);
            return 2;
        } else
            dirs[o.ndirs++] = argv[i];
    }
    if (!o.out || o.ndirs == 0) {
        fprintf(stderr, "usage: netrig merge DIR... -o OUT [--no-plot]\n");
        free(dirs);
        return 2;
    }
    char err[4400];
    int rc = merge_dirs(&o, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "netrig merge: %s\n",
                rc == 1 ? "a host lacks a step the others have" : err);
    else
        printf("results: %s\n", o.out);
    free(dirs);
    return rc;
}
