#ifndef NETRIG_CMD_HIST_H
#define NETRIG_CMD_HIST_H
/* Pieces of `netrig hist` shared by its actions (cmd_hist*.c). */
#include <stdio.h>

/* netrig hist merge / import; argv[0] is the action name. Exit status as
 * for every subcommand (0, or 2 for a usage or input error). */
int cmd_hist_merge(int argc, char **argv);
int cmd_hist_import(int argc, char **argv);

/* Parses option `opt`'s value s as a finite number >= lo; prints the
 * error and returns -1 otherwise. */
int cmd_hist_number(const char *opt, const char *s, double lo, double *v);
/* fopen with "-" for stdin/stdout; prints the error naming the path. */
FILE *cmd_hist_open(const char *path, const char *mode);
/* Closes (or flushes stdin/stdout); -1 with a message on a write error. */
int cmd_hist_close(FILE *f, const char *path);

#endif
