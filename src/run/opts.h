#ifndef NETRIG_OPTS_H
#define NETRIG_OPTS_H
/* The client's option table: name, type, field, default and help for
 * every client setting, run by the option table engine (optab.h). It
 * serves the command line (--name value), scenario files (name = value),
 * the defaults and the help text, and suggests the nearest name for a
 * typo. */
#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "optab.h"

/* The client's own kinds of value, stored by the hooks in opts.c. */
enum {
    OPT_RATE = OPT_CUSTOM, /* rate_bps + rate_per_s pair: "50mbit" or "20000/s" */
    OPT_PROTO,             /* enum proto */
    OPT_MODE,              /* enum mode */
    OPT_HEADER,            /* appended to headers[] */
    OPT_MAXERR,            /* max_errors or max_errors_pct: "10", "5%" or "off" */
};

/* The table, terminated by an entry with name NULL, and the engine's
 * view of it (the table with the client's hooks). */
extern const struct opt_def opts_table[];
extern const struct optab opts_tab;

/* Sets every field to its default. */
void opts_defaults(struct netrig_config *cfg);

/* The entry named `name` (dashes and underscores are the same), or NULL. */
const struct opt_def *opts_find(const char *name);

/* The known name nearest to `name` by edit distance, or NULL if none is
 * close enough to be a plausible typo. */
const char *opts_suggest(const char *name);

/* Sets option `name` from text. Returns 0, or -1 with a message in err
 * ("unknown option 'szie' (did you mean 'size'?)", "bad value '12q' for
 * size: expected a size such as 1500, 4k or 1m"). */
int opts_set(struct netrig_config *cfg, const char *name, const char *value, char *err,
             size_t errlen);

/* Parses --name value / --name=value / --flag arguments into cfg, starting
 * at argv[0]. Stops at the first non-option and returns its index, or -1
 * with a message in err. "--help" is not handled here. */
int opts_parse_argv(struct netrig_config *cfg, int argc, char **argv, char *err, size_t errlen);

/* Checks cross-field constraints (a size where a mode needs it, --url or
 * --server present, ...). Returns 0 or -1 with a message. */
int opts_validate(const struct netrig_config *cfg, char *err, size_t errlen);

/* Writes the option list with defaults and help. */
void opts_print_help(FILE *out);

/* Writes the value of entry `d` in cfg as text (the same text opts_set
 * accepts). */
void opts_format(const struct netrig_config *cfg, const struct opt_def *d, char *buf, size_t len);

#endif
