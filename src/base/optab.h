#ifndef NETRIG_OPTAB_H
#define NETRIG_OPTAB_H
/* The option table engine: a table of entries (name, type, field offset,
 * default, range, help) over a struct whose address is passed in (the
 * base). One engine serves every table: the client's settings
 * (struct netrig_config, run/opts.c) and the server's (struct
 * server_config, server/server_opts.c). From a table it sets fields from
 * text, fills defaults, parses --name value arguments, suggests the
 * nearest name for a typo, formats values back and writes the help, so
 * every command names options, values and ranges the same way. */
#include <stddef.h>
#include <stdio.h>

/* The kinds of value the engine stores itself. A table owner numbers its
 * own kinds from OPT_CUSTOM on and stores them with its hooks. */
enum opt_type {
    OPT_STR,      /* char array of `size` bytes */
    OPT_SIZE,     /* uint64_t bytes, k/m/g 1024-based */
    OPT_SIZE32,   /* uint32_t bytes, k/m/g 1024-based */
    OPT_U32,      /* uint32_t count */
    OPT_U64,      /* uint64_t count */
    OPT_DURATION, /* uint64_t ns, ms/s/m; the range is in seconds */
    OPT_BITRATE,  /* double bits/s only */
    OPT_DOUBLE,   /* double */
    OPT_BOOL,     /* bool; a bare --flag is true */
    OPT_CUSTOM,   /* first kind of a table's own */
};

struct opt_def {
    const char *name; /* as typed: --name on the command line, name = in files */
    int type;         /* an enum opt_type, or a table's own kind >= OPT_CUSTOM */
    size_t offset;
    size_t size;     /* for OPT_STR: the array size */
    const char *def; /* default as text, NULL = zero */
    double min, max; /* numeric range, inclusive; both 0 = unchecked */
    const char *help;
};

struct optab {
    const struct opt_def *defs; /* terminated by an entry with name NULL */
    /* Kinds >= OPT_CUSTOM: store text into base (0, -1 malformed, -2 out
     * of range), say what a value looks like, write it back as text. */
    int (*store)(void *base, const struct opt_def *d, const char *v);
    const char *(*hint)(const struct opt_def *d);
    void (*format)(const void *base, const struct opt_def *d, char *buf, size_t len);
    /* Optional: rules on one value that a range cannot say, called after
     * it is stored; may set fields that follow from it. 0 or -1 with a
     * message naming the option. */
    int (*check)(void *base, const struct opt_def *d, char *err, size_t errlen);
};

/* Sets every field of base to its default (base is zeroed first;
 * base_size is the size of the struct). */
void optab_defaults(const struct optab *t, void *base, size_t base_size);

/* The entry named `name` (dashes and underscores are the same), or NULL. */
const struct opt_def *optab_find(const struct optab *t, const char *name);

/* The known name nearest to `name` by edit distance, or NULL if none is
 * close enough to be a plausible typo. */
const char *optab_suggest(const struct optab *t, const char *name);

/* Sets option `name` from text. Returns 0, or -1 with a message in err
 * ("unknown option 'szie' (did you mean 'size'?)", "bad value '12q' for
 * size: expected a size such as 1500, 4k or 1m", "value for listen is too
 * long: at most 255 characters"). */
int optab_set(const struct optab *t, void *base, const char *name, const char *value, char *err,
              size_t errlen);

/* Parses --name value / --name=value / --flag arguments into base,
 * starting at argv[0]. Stops at the first non-option (after "--", past
 * it) and returns its index, or -1 with a message in err. */
int optab_parse_argv(const struct optab *t, void *base, int argc, char **argv, char *err,
                     size_t errlen);

/* Writes the value of entry `d` in base as text (the text optab_set
 * accepts). */
void optab_format(const struct optab *t, const void *base, const struct opt_def *d, char *buf,
                  size_t len);

/* Writes one line per option: --name, help, [default; range]. */
void optab_print_help(const struct optab *t, FILE *out);

#endif
