#include "rundir.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "rundir_int.h"

static void fill_identity(struct test_result *t, const struct scenario *sc,
                          const struct scenario_step *st, uint32_t repeat)
{
    const struct netrig_config *c = &st->cfg;
    snprintf(t->scenario, sizeof(t->scenario), "%s", sc->name);
    snprintf(t->step, sizeof(t->step), "%s", st->name);
    t->repeat = repeat;
    /* The drivers fill these; a driver that does not still gets rows a
     * reader can match by parameters. */
    if (t->proto[0] == '\0')
        snprintf(t->proto, sizeof(t->proto), "%s", proto_name(c->proto));
    if (t->mode[0] == '\0')
        snprintf(t->mode, sizeof(t->mode), "%s", mode_name(c->mode));
    if (isnan(t->size_bytes))
        t->size_bytes = (double)c->size;
    if (isnan(t->conns))
        t->conns = c->conns;
    if (isnan(t->threads))
        t->threads = c->threads;
    if (isnan(t->pipeline))
        t->pipeline = c->pipeline;
}

int rundir_add(struct results *r, uint32_t repeat, struct client_output *out, char *err,
               size_t errlen)
{
    const struct scenario_step *st = &r->sc->steps[r->step];
    struct test_result *t = &out->result;
    fill_identity(t, r->sc, st, repeat);
    char p[4096];
    if (r->nrows == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        struct test_result *n = realloc(r->rows, cap * sizeof(*n));
        if (!n) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        r->rows = n;
        r->cap = cap;
    }
    /* Room to finish the summaries whatever happens next; without it the
     * test is not kept, and the summaries still agree. */
    if (rundir_reserve_grow(r) != 0) {
        snprintf(err, errlen, "%s: no room to keep this test: %s", r->dir, strerror(errno));
        return -1;
    }
    /* The row first: it is what a reader counts as a finished test. */
    rundir_path_in(r, "summary", ".csv", p, sizeof(p));
    if (result_csv_append(p, t) != 0) {
        snprintf(err, errlen, "%s: %s", p, strerror(errno));
        return -1;
    }
    r->rows[r->nrows++] = *t;
    errno = 0;
    if (rundir_step_files(r, out) != 0) {
        snprintf(err, errlen, "%s/%s.hlog or .hgrm: %s", r->dir, st->file,
                 errno ? strerror(errno) : "histogram error");
        return -1;
    }
    if (rundir_intervals_add(r, repeat, out) != 0) {
        snprintf(err, errlen, "%s/intervals.csv: %s", r->dir, strerror(errno));
        return -1;
    }
    if (rundir_write_summaries(r, "running", "") != 0) {
        snprintf(err, errlen, "%s/summary.json: %s", r->dir, strerror(errno));
        return -1;
    }
    return 0;
}

int rundir_add_host(struct results *r, uint32_t repeat, struct client_output *out, char *err,
                    size_t errlen)
{
    const struct scenario_step *st = &r->sc->steps[r->step];
    struct test_result *t = &out->result;
    fill_identity(t, r->sc, st, repeat);
    t->hosts[0] = '\0'; /* a part of the step, not the step */
    char p[4096], name[200], host[64];
    scenario_file_name(t->host, host, sizeof(host));
    snprintf(name, sizeof(name), "%s.%s", st->file, host);
    struct test_result *rows =
        r->nrows == r->cap ? realloc(r->rows, (r->cap + 32) * sizeof(*rows)) : r->rows;
    if (!rows) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    r->cap = rows == r->rows ? r->cap : r->cap + 32;
    r->rows = rows;
    rundir_path_in(r, "summary", ".csv", p, sizeof(p));
    if (rundir_reserve_grow(r) != 0 || result_csv_append(p, t) != 0) {
        snprintf(err, errlen, "%s: %s", p, strerror(errno));
        return -1;
    }
    r->rows[r->nrows++] = *t;
    if (rundir_step_host_hlog(r, out, name) != 0) {
        snprintf(err, errlen, "%s/%s.hlog: %s", r->dir, name,
                 errno ? strerror(errno) : "histogram error");
        return -1;
    }
    return 0;
}
