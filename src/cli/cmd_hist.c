/* netrig hist: show, merge and import HdrHistogram interval logs. `show`
 * prints what Java's HistogramLogProcessor prints for the same log, so a
 * user can diff the two. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "cmd.h"
#include "cmd_hist.h"
#include "cmd_hist_util.h"
#include "hlog.h"

void cmd_hist_help(FILE *out)
{
    fprintf(out, "usage: netrig hist show FILE.hlog [--unit-ratio R] [--tag T] [--csv]\n"
                 "                        [--ticks N] [--start S] [--end S]\n"
                 "       netrig hist merge A.hlog B.hlog ... -o OUT.hlog [--align S]\n"
                 "       netrig hist import VALUES.txt -o OUT.hlog [--expected-interval N]\n"
                 "                        [--tag T] [--digits D] [--highest N] [--start-time S]\n"
                 "\n"
                 "show    percentile distribution of all intervals of a log merged (the text\n"
                 "        HistogramLogProcessor prints). Values are divided by --unit-ratio\n"
                 "        (default 1e6: nanoseconds shown as milliseconds). Only untagged\n"
                 "        intervals unless --tag; --start/--end select intervals by start\n"
                 "        time in seconds after the log's StartTime.\n"
                 "merge   one log from several (e.g. one per load generator): every interval\n"
                 "        kept with its absolute time, in time order; with --align S the\n"
                 "        intervals of the same tag whose starts round to the same S-second\n"
                 "        slot are added into one.\n"
                 "import  one interval from a text file of integers, one per line ('#'\n"
                 "        comments and blank lines allowed); --expected-interval N corrects\n"
                 "        for coordinated omission as values are recorded.\n"
                 "\"-\" names standard input or output.\n");
}

static int usage(const char *what, const char *arg)
{
    fprintf(stderr, "netrig hist: %s%s\n(see netrig hist --help)\n", what, arg);
    return 2;
}

/* --- show ------------------------------------------------------------ */

struct show_opts {
    const char *path, *tag;
    double ratio, start, end;
    int ticks;
    bool csv;
};

/* Adds one interval into the running total, growing it as Java's
 * auto-resizing accumulator does. */
static int accumulate(struct hist *acc, bool *have, const struct hist *h)
{
    if (!*have) {
        if (hist_init(acc, h->lowest, h->highest, h->digits) != 0)
            return -1;
        *have = true;
    }
    return hist_add_grow(acc, h);
}

static int show_read(const struct show_opts *o, struct hist *acc, bool *have, double *start_s)
{
    FILE *in = cmd_hist_util_open(o->path, "r");
    if (!in)
        return -1;
    struct hlog_reader r;
    hlog_reader_init(&r, in);
    r.name = o->path;
    char err[512];
    int rc;
    struct hist h;
    while ((rc = hlog_read_interval(&r, &h, err, sizeof(err))) == 1) {
        bool want = o->tag ? strcmp(h.tag, o->tag) == 0 : h.tag[0] == '\0';
        double offset = (double)h.start_ms / 1000.0 - r.start_time_s;
        if (offset > o->end) {
            hist_close(&h);
            break;
        }
        if (want && offset >= o->start && accumulate(acc, have, &h) != 0) {
            snprintf(err, sizeof(err), "%s:%ld: histogram too large to merge", o->path, r.line);
            rc = -1;
        }
        hist_close(&h);
        if (rc < 0)
            break;
    }
    if (rc < 0)
        fprintf(stderr, "netrig hist: %s\n", err);
    *start_s = r.start_time_s;
    hlog_reader_close(&r);
    if (in != stdin)
        fclose(in);
    return rc < 0 ? -1 : 0;
}

static int show(const struct show_opts *o)
{
    struct hist acc;
    bool have = false;
    double start_s = 0;
    if (show_read(o, &acc, &have, &start_s) != 0) {
        if (have)
            hist_close(&acc);
        return 2;
    }
    if (!have) {
        fprintf(stderr, "netrig hist: %s: no %s%s%s intervals%s\n", o->path,
                o->tag ? "'" : "untagged", o->tag ? o->tag : "", o->tag ? "'-tagged" : "",
                o->start > 0 || o->end < INFINITY ? " in that time range" : "");
        return 2;
    }
    if (start_s != 0.0) {
        char secs[64], date[80];
        hist_fmt_java(secs, sizeof(secs), start_s, 3);
        time_t t = (time_t)floor(start_s);
        struct tm tm;
        if (!localtime_r(&t, &tm) || !strftime(date, sizeof(date), "%a %b %d %H:%M:%S %Z %Y", &tm))
            snprintf(date, sizeof(date), "?");
        printf("#[StartTime: %s (seconds since epoch), %s]\n", secs, date);
    }
    hist_write_hgrm(stdout, &acc, o->ticks, o->ratio, o->csv);
    hist_close(&acc);
    return cmd_hist_util_close(stdout, "standard output") == 0 ? 0 : 2;
}

static int cmd_show(int argc, char **argv)
{
    struct show_opts o = {NULL, NULL, 1e6, 0, INFINITY, 5, false};
    double v;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--csv") == 0) {
            o.csv = true;
        } else if (strcmp(a, "--tag") == 0 && next) {
            o.tag = argv[++i];
        } else if (strcmp(a, "--unit-ratio") == 0) {
            if (cmd_hist_util_number(a, next, 1e-300, &o.ratio) != 0)
                return 2;
            i++;
        } else if (strcmp(a, "--ticks") == 0) {
            if (cmd_hist_util_number(a, next, 1, &v) != 0 || v > 1000)
                return v > 1000 ? usage("at most 1000 ticks per half distance: ", next) : 2;
            o.ticks = (int)v;
            i++;
        } else if (strcmp(a, "--start") == 0 || strcmp(a, "--end") == 0) {
            if (cmd_hist_util_number(a, next, 0, a[2] == 's' ? &o.start : &o.end) != 0)
                return 2;
            i++;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage("show: unknown option or missing value: ", a);
        } else if (!o.path) {
            o.path = a;
        } else {
            return usage("show: one log at a time; extra argument ", a);
        }
    }
    if (!o.path)
        return usage("show: which .hlog file?", "");
    return show(&o);
}

int cmd_hist(int argc, char **argv)
{
    if (argc < 2 || cmd_wants_help(argc, argv)) {
        cmd_hist_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "show") == 0)
        return cmd_show(argc - 1, argv + 1);
    if (strcmp(sub, "merge") == 0)
        return cmd_hist_merge(argc - 1, argv + 1);
    if (strcmp(sub, "import") == 0)
        return cmd_hist_import(argc - 1, argv + 1);
    /* `netrig hist FILE.hlog` is short for show. */
    if (sub[0] != '-')
        return cmd_show(argc, argv);
    return usage("unknown action (show, merge or import): ", sub);
}
