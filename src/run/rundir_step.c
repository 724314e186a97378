#include "rundir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "rundir_int.h"

int rundir_step_begin(struct results *r, size_t i)
{
    r->step = i;
    r->hlog_started = false;
    r->hlog_buf = NULL;
    r->hlog_len = 0;
    r->hlog_mem = open_memstream(&r->hlog_buf, &r->hlog_len);
    if (!r->hlog_mem)
        return -1;
    if (hist_init_default(&r->lat) != 0)
        return -1;
    r->lat_on = true;
    return 0;
}

static int64_t epoch_ms(double s)
{
    return (int64_t)llround(s * 1000);
}

/* The wall time a log of out starts at: the probe starts before the load. */
static double first_wall(const struct client_output *out)
{
    return out->nprobe_iv && out->probe_start_wall_s < out->start_wall_s ? out->probe_start_wall_s
                                                                         : out->start_wall_s;
}

/* probe = udp|tcp: the probe's intervals, tagged "probe" (tools that read
 * untagged lines by default see the load's alone), into w. */
static int hlog_add_probe(struct hlog_writer *w, struct client_output *out)
{
    for (size_t i = 0; i < out->nprobe_iv; i++) {
        struct client_interval *iv = &out->probe_iv[i];
        snprintf(iv->lat.tag, sizeof(iv->lat.tag), "probe");
        iv->lat.start_ms = epoch_ms(out->probe_start_wall_s + iv->t_start_s);
        iv->lat.end_ms = epoch_ms(out->probe_start_wall_s + iv->t_end_s);
        if (hlog_write_interval(w, &iv->lat) != 0)
            return -1;
    }
    return 0;
}

/* Interval lines for one repetition; a driver that kept no intervals
 * gives one interval spanning the whole measurement. Intervals stay
 * untagged so that HdrHistogram tools (and netrig hist show) read them by
 * default; repetitions follow each other in time. */
static int hlog_add(struct results *r, struct client_output *out)
{
    const struct scenario_step *st = &r->sc->steps[r->step];
    if (!r->hlog_started) {
        char comment[300];
        snprintf(comment, sizeof(comment), "netrig %s: %s (latency in ns)", r->sc->name, st->name);
        /* Whole milliseconds, as the interval times: no interval may
         * start before the log. */
        double start = (double)epoch_ms(first_wall(out)) / 1000;
        if (hlog_writer_init(&r->hw, r->hlog_mem, start, comment) != 0)
            return -1;
        r->hlog_started = true;
    }
    if (out->nintervals == 0) {
        out->lat.tag[0] = '\0';
        out->lat.start_ms = epoch_ms(out->start_wall_s);
        double d = isnan(out->result.duration_s) ? 0 : out->result.duration_s;
        out->lat.end_ms = epoch_ms(out->start_wall_s + d);
        return hlog_write_interval(&r->hw, &out->lat) == 0 ? hlog_add_probe(&r->hw, out) : -1;
    }
    for (size_t i = 0; i < out->nintervals; i++) {
        struct client_interval *iv = &out->intervals[i];
        iv->lat.tag[0] = '\0';
        iv->lat.start_ms = epoch_ms(out->start_wall_s + iv->t_start_s);
        iv->lat.end_ms = epoch_ms(out->start_wall_s + iv->t_end_s);
        if (hlog_write_interval(&r->hw, &iv->lat) != 0)
            return -1;
    }
    return hlog_add_probe(&r->hw, out);
}

static void hgrm_fn(FILE *f, const void *arg)
{
    /* ns recorded, microseconds shown: the unit of the CSV columns. */
    hist_write_hgrm(f, arg, 5, 1000.0, false);
}

/* probe = udp|tcp: STEP.probe_idle.hgrm and STEP.probe_load.hgrm, the
 * probe's round trips before the load and under it (the repetitions so far
 * merged), for the idle-against-loaded spectrum. */
static int probe_files(struct results *r, const struct client_output *out)
{
    if (out->probe_idle.total_count == 0 && out->probe_load.total_count == 0)
        return 0;
    if (!r->probe_on) {
        if (hist_init_default(&r->probe_idle) != 0)
            return -1;
        if (hist_init_default(&r->probe_load) != 0) {
            hist_close(&r->probe_idle);
            return -1;
        }
        r->probe_on = true;
    }
    if (hist_add(&r->probe_idle, &out->probe_idle) != 0 ||
        hist_add(&r->probe_load, &out->probe_load) != 0)
        return -1;
    const char *file = r->sc->steps[r->step].file;
    char p[4096];
    if (r->probe_idle.total_count &&
        (rundir_path_in(r, file, ".probe_idle.hgrm", p, sizeof(p)) != 0 ||
         rundir_write_with(p, hgrm_fn, &r->probe_idle, NULL) != 0))
        return -1;
    if (r->probe_load.total_count &&
        (rundir_path_in(r, file, ".probe_load.hgrm", p, sizeof(p)) != 0 ||
         rundir_write_with(p, hgrm_fn, &r->probe_load, NULL) != 0))
        return -1;
    return 0;
}

int rundir_step_files(struct results *r, struct client_output *out)
{
    const struct scenario_step *st = &r->sc->steps[r->step];
    char p[4096];
    if (hlog_add(r, out) != 0 || fflush(r->hlog_mem) != 0)
        return -1;
    if (rundir_path_in(r, st->file, ".hlog", p, sizeof(p)) != 0 ||
        fileio_write_atomic(p, r->hlog_buf, r->hlog_len) != 0)
        return -1;
    if (hist_add(&r->lat, &out->lat) != 0)
        return -1;
    if (rundir_path_in(r, st->file, ".hgrm", p, sizeof(p)) != 0 ||
        rundir_write_with(p, hgrm_fn, &r->lat, NULL) != 0)
        return -1;
    return probe_files(r, out);
}

/* The host's .hlog text of the current step, started on first use. */
static struct rundir_host_log *host_log(struct results *r, const struct client_output *out)
{
    const char *host = out->result.host;
    for (size_t i = 0; i < r->nhost_logs; i++)
        if (strcmp(r->host_logs[i]->host, host) == 0)
            return r->host_logs[i];
    struct rundir_host_log **v = realloc(r->host_logs, (r->nhost_logs + 1) * sizeof(*v));
    if (!v)
        return NULL;
    r->host_logs = v;
    struct rundir_host_log *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    v[r->nhost_logs++] = l;
    snprintf(l->host, sizeof(l->host), "%s", host);
    l->mem = open_memstream(&l->buf, &l->len);
    if (!l->mem)
        return NULL;
    char comment[400];
    snprintf(comment, sizeof(comment), "netrig %s: %s on %s (latency in ns)", r->sc->name,
             r->sc->steps[r->step].name, host);
    if (hlog_writer_init(&l->hw, l->mem, (double)epoch_ms(first_wall(out)) / 1000, comment) != 0)
        return NULL;
    return l;
}

int rundir_step_host_hlog(struct results *r, struct client_output *out, const char *name)
{
    char p[4096];
    struct rundir_host_log *l = host_log(r, out);
    int rc = l ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < out->nintervals; i++) {
        struct hist *h = &out->intervals[i].lat;
        h->tag[0] = '\0';
        h->start_ms = epoch_ms(out->start_wall_s + out->intervals[i].t_start_s);
        h->end_ms = epoch_ms(out->start_wall_s + out->intervals[i].t_end_s);
        rc = hlog_write_interval(&l->hw, h);
    }
    if (rc == 0 && out->nintervals == 0) {
        out->lat.tag[0] = '\0';
        double d = isnan(out->result.duration_s) ? 0 : out->result.duration_s;
        out->lat.start_ms = epoch_ms(out->start_wall_s);
        out->lat.end_ms = epoch_ms(out->start_wall_s + d);
        rc = hlog_write_interval(&l->hw, &out->lat);
    }
    if (rc == 0)
        rc = hlog_add_probe(&l->hw, out);
    if (rc != 0 || fflush(l->mem) != 0 || rundir_path_in(r, name, ".hlog", p, sizeof(p)) != 0 ||
        fileio_write_atomic(p, l->buf, l->len) != 0)
        return -1;
    return 0;
}

void rundir_step_end(struct results *r)
{
    for (size_t i = 0; i < r->nhost_logs; i++) {
        if (r->host_logs[i]->mem)
            fclose(r->host_logs[i]->mem);
        free(r->host_logs[i]->buf);
        free(r->host_logs[i]);
    }
    free(r->host_logs);
    r->host_logs = NULL;
    r->nhost_logs = 0;
    if (r->hlog_mem)
        fclose(r->hlog_mem);
    r->hlog_mem = NULL;
    free(r->hlog_buf);
    r->hlog_buf = NULL;
    if (r->lat_on)
        hist_close(&r->lat);
    r->lat_on = false;
    if (r->probe_on) {
        hist_close(&r->probe_idle);
        hist_close(&r->probe_load);
    }
    r->probe_on = false;
}
