/* netrig hist import: a text file of integers (one per line) becomes a
 * one-interval HdrHistogram log that every HdrHistogram tool can read. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cmd_hist.h"
#include "cmd_hist_util.h"
#include "hlog.h"

struct import_opts {
    const char *in, *out, *tag;
    double interval, digits, highest, start_s, length_s;
};

/* Records every value of the file; errors name the file and line. */
static int import_values(const struct import_opts *o, FILE *in, struct hist *h)
{
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = 0;
    while (rc == 0 && getline(&line, &cap, in) >= 0) {
        lineno++;
        char *p = line + strspn(line, " \t");
        p[strcspn(p, "\r\n")] = '\0';
        for (size_t n = strlen(p); n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'); n--)
            p[n - 1] = '\0';
        if (p[0] == '\0' || p[0] == '#')
            continue;
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || *end != '\0' || errno || v < 0 || p[0] == '+') {
            fprintf(stderr, "netrig hist: %s:%ld: '%.40s' is not a non-negative integer\n", o->in,
                    lineno, p);
            rc = -1;
        } else if (!hist_record_corrected(h, v, (int64_t)o->interval)) {
            fprintf(stderr,
                    "netrig hist: %s:%ld: %lld is beyond the histogram's range (--highest %.0f)\n",
                    o->in, lineno, v, o->highest);
            rc = -1;
        }
    }
    if (rc == 0 && ferror(in)) {
        fprintf(stderr, "netrig hist: %s: read error\n", o->in);
        rc = -1;
    }
    free(line);
    return rc;
}

static int import_write(const struct import_opts *o, struct hist *h)
{
    FILE *out = cmd_hist_util_open(o->out, "w");
    if (!out)
        return -1;
    char comment[300];
    snprintf(comment, sizeof(comment), "Imported by netrig hist import from %s", o->in);
    struct hlog_writer w;
    int rc = hlog_writer_init(&w, out, o->start_s, comment);
    h->start_ms = w.base_ms;
    h->end_ms = w.base_ms + (int64_t)llround(o->length_s * 1000.0);
    if (rc == 0)
        rc = hlog_write_interval(&w, h);
    if (cmd_hist_util_close(out, o->out) != 0)
        rc = -1;
    if (rc != 0 && strcmp(o->out, "-") != 0)
        remove(o->out);
    return rc;
}

static int import_run(const struct import_opts *o)
{
    if (strpbrk(o->tag, ", \r\n") || strlen(o->tag) >= sizeof(((struct hist *)0)->tag)) {
        fprintf(stderr, "netrig hist: --tag: at most 63 characters, no comma, space or newline\n");
        return 2;
    }
    struct hist h;
    if (hist_init(&h, 1, (int64_t)o->highest, (int)o->digits) != 0) {
        fprintf(stderr, "netrig hist: no histogram with --highest %.0f and --digits %.0f\n",
                o->highest, o->digits);
        return 2;
    }
    snprintf(h.tag, sizeof(h.tag), "%s", o->tag);
    FILE *in = cmd_hist_util_open(o->in, "r");
    int rc = in ? import_values(o, in, &h) : -1;
    if (in && in != stdin)
        fclose(in);
    if (rc == 0)
        rc = import_write(o, &h);
    hist_close(&h);
    return rc == 0 ? 0 : 2;
}

int cmd_hist_import(int argc, char **argv)
{
    struct import_opts o = {NULL, NULL, "", 0, 3, 3600e9, (double)(clock_wall_ns() / 1000000) / 1e3,
                            0};
    static const struct {
        const char *name;
        size_t off;
        double lo;
    } nums[] = {
        {"--expected-interval", offsetof(struct import_opts, interval), 0},
        {"--digits", offsetof(struct import_opts, digits), 0},
        {"--highest", offsetof(struct import_opts, highest), 2},
        {"--start-time", offsetof(struct import_opts, start_s), 0},
        {"--length", offsetof(struct import_opts, length_s), 0},
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        size_t k = 0;
        while (k < sizeof(nums) / sizeof(nums[0]) && strcmp(a, nums[k].name) != 0)
            k++;
        if (k < sizeof(nums) / sizeof(nums[0])) {
            double *field = (double *)((char *)&o + nums[k].off);
            if (cmd_hist_util_number(a, next, nums[k].lo, field) != 0)
                return 2;
            i++;
        } else if (strcmp(a, "-o") == 0 && next) {
            o.out = argv[++i];
        } else if (strcmp(a, "--tag") == 0 && next) {
            o.tag = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "netrig hist import: unknown option or missing value: %s\n", a);
            return 2;
        } else if (!o.in) {
            o.in = a;
        } else {
            fprintf(stderr, "netrig hist import: one input file (extra argument %s)\n", a);
            return 2;
        }
    }
    if (!o.in || !o.out) {
        fprintf(stderr, "netrig hist import: usage: netrig hist import VALUES.txt -o OUT.hlog\n");
        return 2;
    }
    if (o.highest > 9.2e18 || o.digits > 5 || o.digits != floor(o.digits)) {
        fprintf(stderr, "netrig hist import: --digits is 0..5, --highest below 2^63\n");
        return 2;
    }
    return import_run(&o);
}
