/* What the actions of `netrig hist` (show, merge, import) share: number
 * options and files named on the command line, "-" for stdin/stdout. */
#include "cmd_hist_util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int cmd_hist_util_number(const char *opt, const char *s, double lo, double *v)
{
    char *end;
    errno = 0;
    *v = s ? strtod(s, &end) : NAN;
    if (!s || end == s || *end != '\0' || errno || !isfinite(*v) || *v < lo) {
        fprintf(stderr, "netrig hist: %s needs a number >= %g, not '%s'\n", opt, lo,
                s ? s : "(nothing)");
        return -1;
    }
    return 0;
}

FILE *cmd_hist_util_open(const char *path, const char *mode)
{
    if (strcmp(path, "-") == 0)
        return mode[0] == 'r' ? stdin : stdout;
    FILE *f = fopen(path, mode);
    if (!f)
        fprintf(stderr, "netrig hist: %s: %s\n", path, strerror(errno));
    return f;
}

int cmd_hist_util_close(FILE *f, const char *path)
{
    int bad = ferror(f);
    if (f != stdin && f != stdout)
        bad |= fclose(f) != 0;
    else
        bad |= fflush(f) != 0;
    if (bad)
        fprintf(stderr, "netrig hist: %s: write error\n", path);
    return bad ? -1 : 0;
}
