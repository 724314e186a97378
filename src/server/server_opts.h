#ifndef NETRIG_SERVER_OPTS_H
#define NETRIG_SERVER_OPTS_H
/* The server's option table: every setting of struct server_config, the
 * limits of struct server_limits among them, with its name, default,
 * range and help, run by the option table engine (optab.h) that also runs
 * the client's. `netrig server` parses its command line with it and
 * `netrig help server` prints it; server_config_defaults fills its
 * defaults. */
#include <stddef.h>
#include <stdio.h>

#include "optab.h"
#include "server.h"

/* The table, terminated by an entry with name NULL, with its hooks. */
extern const struct opt_def server_opts_table[];
extern const struct optab server_opts_tab;

/* Sets option `name` ("listen", "max-conns"; dashes and underscores are
 * the same) from text. Returns 0, or -1 with a message naming the option
 * ("unknown option 'lisen' (did you mean 'listen'?)", "value for listen
 * is too long: at most 255 characters"). */
int server_opts_set(struct server_config *c, const char *name, const char *value, char *err,
                    size_t errlen);

/* Parses --name value / --name=value / --flag arguments (argv[0] is the
 * first option) into c. Returns 0, or -1 with a message; an argument that
 * is not an option is an error. */
int server_opts_parse_argv(struct server_config *c, int argc, char **argv, char *err,
                           size_t errlen);

/* Writes one line per option with its default and range. */
void server_opts_print_help(FILE *out);

#endif
