/* Small helpers about one expanded step: its file name, whether it names
 * its own peer, and a short description for --dry-run and run.log. */
#include <stdio.h>
#include <string.h>

#include "opts.h"
#include "scenario.h"

void scenario_file_name(const char *name, char *out, size_t len)
{
    if (len == 0)
        return;
    size_t i = 0;
    for (; name[i] && i + 1 < len; i++) {
        char ch = name[i];
        bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
        out[i] = keep ? ch : '_';
    }
    out[i] = '\0';
    /* "." and ".." are folder names, and a leading dot hides the file. */
    if (out[0] == '.')
        out[0] = '_';
}

int scenario_step_has_peer(const struct scenario_step *st)
{
    return st->cfg.server[0] != '\0' || st->cfg.url[0] != '\0';
}

void scenario_step_describe(const struct scenario_step *st, char *buf, size_t len)
{
    struct netrig_config def;
    opts_defaults(&def);
    size_t n = 0;
    buf[0] = '\0';
    for (const struct opt_def *d = opts_table; d->name && n < len; d++) {
        char v[1100], dv[1100];
        opts_format(&st->cfg, d, v, sizeof(v));
        opts_format(&def, d, dv, sizeof(dv));
        /* What every reader of a step wants to see, default or not. */
        bool always = strcmp(d->name, "proto") == 0 || strcmp(d->name, "mode") == 0 ||
                      strcmp(d->name, "size") == 0 || strcmp(d->name, "duration") == 0;
        if (!always && strcmp(v, dv) == 0)
            continue;
        int w = snprintf(buf + n, len - n, "%s%s=%s", n ? " " : "", d->name, v);
        if (w < 0)
            break;
        n += (size_t)w;
    }
}
