#ifndef NETRIG_SCENARIO_H
#define NETRIG_SCENARIO_H
/* Scenario files: INI text in, an array of steps out.
 *
 *   [global]          defaults for every step group
 *   duration = 2s
 *   [tcp-stream]      a step group: inherits [global], keys override it
 *   size = 1k,64k     a comma list is a sweep: one step per value
 *   conns = 1,4       several lists: their cross product
 *   repeat = 3        run each step three times
 *
 * Keys are the option table's names (opts.h). Every error names the file,
 * the line and the key; nothing is returned on error. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define SCENARIO_MAX_STEPS 10000
#define SCENARIO_MAX_VALUES 128 /* values in one comma list */
#define SCENARIO_NAME_MAX 128   /* step names fit the CSV's step column */

struct scenario_step {
    char name[SCENARIO_NAME_MAX];   /* "tcp-stream size=4k conns=2" */
    char file[SCENARIO_NAME_MAX];   /* the same, safe as a file name */
    char group[64];                 /* section name */
    char params[SCENARIO_NAME_MAX]; /* swept values only: "size=4k conns=2" */
    int line;                       /* line of the section header */
    uint32_t repeat;
    struct netrig_config cfg;
};

struct scenario {
    char file[512]; /* as given, for messages */
    char name[128]; /* file name without folder and .ini */
    char *text;     /* the scenario text (for meta.json) */
    struct scenario_step *steps;
    size_t nsteps;
};

/* Parses scenario text (NUL-terminated) read from `file` (used in
 * messages and for the scenario name). Fills sc (release with
 * scenario_close). Returns 0, or -1 with "FILE:LINE: message" in err and
 * sc empty. */
int scenario_parse(struct scenario *sc, const char *file, const char *text, char *err,
                   size_t errlen);

/* Reads the file at path and parses it. Returns 0 or -1 with a message. */
int scenario_load(struct scenario *sc, const char *path, char *err, size_t errlen);

/* Frees the steps and the text. Accepts a zeroed or closed scenario. */
void scenario_close(struct scenario *sc);

/* Maps a step name to a file name: letters, digits, '.', '_' and '-' stay,
 * everything else becomes '_' ("tcp size=4k" -> "tcp_size_4k"). */
void scenario_file_name(const char *name, char *out, size_t len);

/* True if a step names its own peer (server or url) and so needs no
 * embedded server. */
int scenario_step_has_peer(const struct scenario_step *st);

/* Writes the options of a step that differ from the defaults, as
 * "key=value" words separated by spaces ("proto=udp size=4096 ..."). */
void scenario_step_describe(const struct scenario_step *st, char *buf, size_t len);

#endif
