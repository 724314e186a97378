#ifndef NETRIG_CMD_HIST_H
#define NETRIG_CMD_HIST_H
/* The actions of `netrig hist` that live in files of their own
 * (cmd_hist_merge.c, cmd_hist_import.c), as cmd_hist.c dispatches them. */

/* netrig hist merge / import; argv[0] is the action name. Exit status as
 * for every subcommand (0, or 2 for a usage or input error). */
int cmd_hist_merge(int argc, char **argv);
int cmd_hist_import(int argc, char **argv);

#endif
