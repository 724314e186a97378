/* The live event stream: one JSON object per line. Every line starts
 * with "event" (its kind), "schema" (EVENTS_SCHEMA_VERSION) and "time"
 * (epoch seconds); numbers are written as the CSV writes them. */
#include "events.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "opts.h"
#include "version.h"

int events_open(struct events *ev, const char *path, char *err, size_t errlen)
{
    memset(ev, 0, sizeof(*ev));
    if (!path || !path[0])
        return 0;
    if (strcmp(path, "-") == 0) {
        ev->f = stdout;
        return 0;
    }
    ev->f = fopen(path, "w");
    if (!ev->f)
        return snprintf(err, errlen, "--events %s: %s", path, strerror(errno)), -1;
    ev->own = true;
    return 0;
}

int events_close(struct events *ev)
{
    if (!ev->f)
        return 0;
    bool bad = ev->failed || ferror(ev->f);
    if (ev->own && fclose(ev->f) != 0)
        bad = true;
    ev->f = NULL;
    return bad ? -1 : 0;
}

static void put_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* A number as the CSV has it; NaN (not measured) is null. */
static void put_num(FILE *f, double v)
{
    if (isnan(v) || isinf(v)) {
        fputs("null", f);
        return;
    }
    char buf[40];
    result_fmt_double(v, buf, sizeof(buf));
    fputs(buf, f);
}

static void key(FILE *f, const char *k)
{
    fputc(',', f);
    put_str(f, k);
    fputc(':', f);
}

static bool begin(struct events *ev, const char *kind)
{
    if (!ev->f)
        return false;
    fprintf(ev->f, "{\"event\":\"%s\",\"schema\":%d,\"time\":", kind, EVENTS_SCHEMA_VERSION);
    put_num(ev->f, (double)clock_wall_ns() / 1e9);
    return true;
}

/* The line is whole before it is flushed: a reader never sees half. */
static void finish(struct events *ev)
{
    fputs("}\n", ev->f);
    if (fflush(ev->f) != 0)
        ev->failed = true;
}

static void step_ids(struct events *ev)
{
    key(ev->f, "step");
    put_str(ev->f, ev->step);
    key(ev->f, "repeat");
    fprintf(ev->f, "%u", ev->repeat);
}

void events_start(struct events *ev, const char *scenario, size_t nsteps, size_t ntests)
{
    if (!begin(ev, "start"))
        return;
    char host[256] = "";
    if (gethostname(host, sizeof(host) - 1) != 0)
        host[0] = '\0';
    key(ev->f, "scenario");
    put_str(ev->f, scenario);
    key(ev->f, "steps");
    fprintf(ev->f, "%zu", nsteps);
    key(ev->f, "tests");
    fprintf(ev->f, "%zu", ntests);
    key(ev->f, "host");
    put_str(ev->f, host);
    key(ev->f, "version");
    put_str(ev->f, NETRIG_VERSION);
    key(ev->f, "csv_schema");
    fprintf(ev->f, "%d", RESULT_SCHEMA_VERSION);
    finish(ev);
}

void events_step(struct events *ev, size_t index, const char *name, uint32_t repeat,
                 const struct netrig_config *cfg)
{
    if (!ev->f)
        return;
    snprintf(ev->step, sizeof(ev->step), "%s", name);
    ev->repeat = repeat;
    begin(ev, "step");
    key(ev->f, "index");
    fprintf(ev->f, "%zu", index);
    step_ids(ev);
    key(ev->f, "settings");
    fputc('{', ev->f);
    for (const struct opt_def *d = opts_table; d->name; d++) {
        char v[4200];
        opts_format(cfg, d, v, sizeof(v));
        if (d != opts_table)
            fputc(',', ev->f);
        put_str(ev->f, d->name);
        fputc(':', ev->f);
        put_str(ev->f, v);
    }
    fputc('}', ev->f);
    finish(ev);
}

static const char *source_name(enum iv_source s)
{
    switch (s) {
    case IV_CLIENT: return "client";
    case IV_CLIENT_SENT: return "client_sent";
    case IV_SERVER: return "server";
    case IV_BOTH: return "both";
    }
    return "client";
}

static double pct_us(const struct hist *h, double p)
{
    if (!h->counts || h->total_count == 0)
        return NAN;
    return (double)hist_value_at_percentile(h, p) / 1e3;
}

void events_interval(struct events *ev, const struct client_interval *iv)
{
    if (!begin(ev, "interval"))
        return;
    step_ids(ev);
    key(ev->f, "source");
    put_str(ev->f, source_name(iv->source));
    key(ev->f, "live");
    fputs(iv->source == IV_SERVER || iv->source == IV_BOTH ? "false" : "true", ev->f);
    static const char *const names[] = {"t_start_s",    "t_end_s",     "goodput_bps", "msgs_per_s",
                                        "messages",     "errors",      "lat_p50_us",  "lat_p99_us",
                                        "probe_p50_us", "probe_p99_us"};
    double v[] = {iv->t_start_s,    iv->t_end_s,     iv->goodput_bps,        iv->msgs_per_s,
                  iv->messages,     iv->errors,      pct_us(&iv->lat, 50.0), pct_us(&iv->lat, 99.0),
                  iv->probe_p50_us, iv->probe_p99_us};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        key(ev->f, names[i]);
        put_num(ev->f, v[i]);
    }
    finish(ev);
}

void events_end(struct events *ev, const struct test_result *r)
{
    if (!begin(ev, "end"))
        return;
    step_ids(ev);
    key(ev->f, "row");
    result_json_object(ev->f, r);
    finish(ev);
}

void events_error(struct events *ev, const char *where, const char *message)
{
    if (!begin(ev, "error"))
        return;
    key(ev->f, "where");
    put_str(ev->f, where);
    key(ev->f, "message");
    put_str(ev->f, message);
    finish(ev);
}

void events_done(struct events *ev, const char *status, const char *dir, size_t rows,
                 const struct events_model_counts *counts)
{
    if (!begin(ev, "done"))
        return;
    key(ev->f, "status");
    put_str(ev->f, status);
    key(ev->f, "dir");
    if (dir)
        put_str(ev->f, dir);
    else
        fputs("null", ev->f);
    key(ev->f, "rows");
    fprintf(ev->f, "%zu", rows);
    key(ev->f, "model");
    if (counts)
        fprintf(ev->f, "{\"yes\":%zu,\"no\":%zu,\"cpu\":%zu,\"steal\":%zu,\"skip\":%zu}",
                counts->yes, counts->no, counts->cpu, counts->steal, counts->skip);
    else
        fputs("null", ev->f);
    finish(ev);
}
