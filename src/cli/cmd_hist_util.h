#ifndef NETRIG_CMD_HIST_UTIL_H
#define NETRIG_CMD_HIST_UTIL_H
/* Helpers shared by the actions of `netrig hist` (cmd_hist*.c). */
#include <stdio.h>

/* Parses option `opt`'s value s as a finite number >= lo; prints the
 * error and returns -1 otherwise. */
int cmd_hist_util_number(const char *opt, const char *s, double lo, double *v);
/* fopen with "-" for stdin/stdout; prints the error naming the path. */
FILE *cmd_hist_util_open(const char *path, const char *mode);
/* Closes (or flushes stdin/stdout); -1 with a message on a write error. */
int cmd_hist_util_close(FILE *f, const char *path);

#endif
