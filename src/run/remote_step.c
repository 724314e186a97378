#include "remote_step.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "opts.h"
#include "remote.h"

#define PROBES 8     /* clock probes per host and step; the fastest counts */
#define HELLO_S 20.0 /* ssh login and the remote's checks */
#define COLLECT_SLACK_S 30.0

/* Options a remote client must not get: the run's own, and the outputs
 * that the protocol replaces. */
static bool not_for_remote(const char *name)
{
    static const char *const skip[] = {"server_host", "client_hosts", "netrig_path",   "ssh_config",
                                       "csv",         "hlog",         "json",          "quiet",
                                       "out",         "host",         "stdio_control", "repeat",
                                       "link",        "header",       "start_at"};
    for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
        if (strcmp(skip[i], name) == 0)
            return true;
    return false;
}

static void remote_cmd(const struct remote_set *s, const struct remote_host *h,
                       const struct netrig_config *cfg, char *cmd, size_t len)
{
    struct netrig_config def;
    opts_defaults(&def);
    cmd[0] = '\0';
    remote_put_word(cmd, len, s->netrig_path);
    remote_put_word(cmd, len, "client");
    remote_put_word(cmd, len, "--stdio-control");
    remote_put_word(cmd, len, "--host");
    remote_put_word(cmd, len, h->name);
    for (const struct opt_def *d = opts_table; d->name; d++) {
        char v[1100], dv[1100], opt[80];
        opts_format(cfg, d, v, sizeof(v));
        opts_format(&def, d, dv, sizeof(dv));
        if (not_for_remote(d->name) || strcmp(v, dv) == 0)
            continue;
        snprintf(opt, sizeof(opt), "--%s", d->name);
        remote_put_word(cmd, len, opt);
        remote_put_word(cmd, len, v);
    }
    for (uint32_t i = 0; i < cfg->nheaders; i++) {
        remote_put_word(cmd, len, "--header");
        remote_put_word(cmd, len, cfg->headers[i]);
    }
}

static double now_s(void)
{
    return (double)clock_wall_ns() / 1e9;
}

static int decode_hist(const char *b64, struct hist *h)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    char err[256];
    int rc = hist_base64_decode(b64, strlen(b64), &buf, &len);
    if (rc == 0)
        rc = hist_decode(h, buf, len, err, sizeof(err));
    free(buf);
    return rc;
}

/* Appends iv to the series v[0..*n), which takes its histogram over (or
 * frees it when there is no memory). */
static int append(struct client_interval **v, size_t *n, struct client_interval *iv)
{
    struct client_interval *w = realloc(*v, (*n + 1) * sizeof(*w));
    if (!w) {
        hist_close(&iv->lat);
        return -1;
    }
    *v = w;
    w[(*n)++] = *iv;
    return 0;
}

static int take_interval(struct remote_host *h, const char *line)
{
    struct client_interval iv;
    memset(&iv, 0, sizeof(iv));
    iv.probe_p50_us = iv.probe_p99_us = NAN; /* not sent over the channel */
    int used = 0;
    if (sscanf(line, "iv %lf %lf %lf %lf %n", &iv.t_start_s, &iv.t_end_s, &iv.goodput_bps,
               &iv.msgs_per_s, &used) != 4 ||
        used == 0 || decode_hist(line + used, &iv.lat) != 0)
        return -1;
    return append(&h->out.intervals, &h->out.nintervals, &iv);
}

/* probe = udp|tcp: "piv T0 T1 B64", tagged "probe" for the .hlog. */
static int take_probe_interval(struct remote_host *h, const char *line)
{
    struct client_interval iv;
    memset(&iv, 0, sizeof(iv));
    iv.goodput_bps = iv.msgs_per_s = iv.probe_p50_us = iv.probe_p99_us = NAN;
    int used = 0;
    if (sscanf(line, "piv %lf %lf %n", &iv.t_start_s, &iv.t_end_s, &used) != 2 || used == 0 ||
        decode_hist(line + used, &iv.lat) != 0)
        return -1;
    snprintf(iv.lat.tag, sizeof(iv.lat.tag), "probe");
    return append(&h->out.probe_iv, &h->out.nprobe_iv, &iv);
}

/* One line of the protocol from h after the start. */
static void take_result_line(struct remote_host *h, const char *line)
{
    unsigned long long t;
    int rc = 0;
    char why[200];
    if (sscanf(line, "started %llu", &t) == 1) {
        h->started = true;
        h->start_s = (double)t / 1e9 - h->offset_s;
    } else if (strncmp(line, "head ", 5) == 0) {
        free(h->head);
        h->head = strdup(line + 5);
    } else if (strncmp(line, "row ", 4) == 0) {
        rc = h->head ? result_csv_parse(h->head, line + 4, &h->out.result, why, sizeof(why)) : -1;
    } else if (strncmp(line, "lat ", 4) == 0) {
        hist_close(&h->out.lat);
        rc = decode_hist(line + 4, &h->out.lat);
    } else if (strncmp(line, "iv ", 3) == 0) {
        rc = take_interval(h, line);
    } else if (strncmp(line, "pidle ", 6) == 0) {
        hist_close(&h->out.probe_idle);
        rc = decode_hist(line + 6, &h->out.probe_idle);
    } else if (strncmp(line, "pload ", 6) == 0) {
        hist_close(&h->out.probe_load);
        rc = decode_hist(line + 6, &h->out.probe_load);
    } else if (strncmp(line, "piv ", 4) == 0) {
        rc = take_probe_interval(h, line);
    } else if (sscanf(line, "pwall %lf", &h->out.probe_start_wall_s) == 1) {
    } else if (sscanf(line, "wall %lf", &h->out.start_wall_s) == 1) {
    } else if (strncmp(line, "error ", 6) == 0) {
        snprintf(h->why, sizeof(h->why), "%s", line + 6);
    } else if (strncmp(line, "done ", 5) == 0) {
        h->ok = atoi(line + 5) == 0 && !isnan(h->out.result.duration_s);
        if (h->ok)
            h->why[0] = '\0'; /* measured, with an error noted in its row */
        else if (!h->why[0])
            snprintf(h->why, sizeof(h->why), "%s", line + 5);
        h->done = true;
    }
    if (rc != 0)
        remote_ssh_fail(h, "bad result line from the host");
}

/* Waits until every live host said hello (or failed). */
static void wait_hello(struct remote_set *s, volatile sig_atomic_t *stop)
{
    double end = now_s() + HELLO_S;
    for (;;) {
        size_t waiting = 0;
        for (size_t i = 0; i < s->n; i++) {
            struct remote_host *h = &s->h[i];
            char *line;
            while (!h->hello && !h->done && (line = remote_ssh_take_line(h)) != NULL) {
                if (strncmp(line, "hello ", 6) == 0)
                    h->hello = true;
                else if (strncmp(line, "error ", 6) == 0)
                    snprintf(h->why, sizeof(h->why), "netrig client: %s", line + 6);
                else if (strncmp(line, "done", 4) == 0)
                    h->done = true;
                free(line);
            }
            if (!h->hello && !h->done && h->eof)
                remote_ssh_fail(h, "ssh ended before netrig client was ready");
            waiting += !h->hello && !h->done;
        }
        if (waiting == 0 || (stop && *stop))
            return;
        if (now_s() > end) {
            for (size_t i = 0; i < s->n; i++)
                if (!s->h[i].hello)
                    remote_ssh_fail(&s->h[i], "not ready within 20 s");
            return;
        }
        remote_ssh_pump(s, 100);
    }
}

/* NTP-style probes: offset = ((t2 - t1) + (t3 - t4)) / 2 of the probe
 * with the shortest round trip (t4 - t1) - (t3 - t2). */
static void sync_clock(struct remote_set *s, struct remote_host *h)
{
    h->rtt_s = INFINITY;
    for (int k = 0; k < PROBES && !h->done; k++) {
        char line[64];
        uint64_t t1 = clock_wall_ns();
        snprintf(line, sizeof(line), "ping %llu\n", (unsigned long long)t1);
        remote_ssh_send(h, line);
        double end = now_s() + 5;
        char *l = NULL;
        unsigned long long a, t2, t3;
        while (!(l = remote_ssh_take_line(h)) && !h->eof && now_s() < end)
            remote_ssh_pump(s, 50);
        uint64_t t4 = clock_wall_ns();
        if (!l || sscanf(l, "pong %llu %llu %llu", &a, &t2, &t3) != 3 || a != t1) {
            free(l);
            remote_ssh_fail(h, "no answer to the clock probe");
            return;
        }
        free(l);
        double rtt = ((double)(t4 - t1) - ((double)t3 - (double)t2)) / 1e9;
        if (rtt < h->rtt_s) {
            h->rtt_s = rtt;
            h->offset_s = (((double)t2 - (double)t1) + ((double)t3 - (double)t4)) / 2e9;
        }
    }
}

static void collect(struct remote_set *s, double deadline, volatile sig_atomic_t *stop)
{
    bool stopped = false;
    for (;;) {
        size_t waiting = 0;
        for (size_t i = 0; i < s->n; i++) {
            struct remote_host *h = &s->h[i];
            char *line;
            while (!h->done && (line = remote_ssh_take_line(h)) != NULL) {
                take_result_line(h, line);
                free(line);
            }
            if (!h->done && h->eof)
                remote_ssh_fail(h,
                                h->started ? "ssh ended mid-step" : "ssh ended before the start");
            waiting += !h->done;
        }
        if (waiting == 0)
            return;
        if (stop && *stop && !stopped) {
            for (size_t i = 0; i < s->n; i++)
                remote_ssh_send(&s->h[i], "stop\n");
            stopped = true;
            deadline = now_s() + 10;
        }
        if (now_s() > deadline) {
            for (size_t i = 0; i < s->n; i++)
                remote_ssh_fail(&s->h[i], "no result in time");
            return;
        }
        remote_ssh_pump(s, 100);
    }
}

static void begin_host(struct remote_host *h)
{
    client_output_close(&h->out);
    memset(&h->out, 0, sizeof(h->out));
    result_init(&h->out.result);
    hist_init_default(&h->out.lat);
    hist_init_default(&h->out.connect);
    free(h->head);
    h->head = NULL;
    h->len = h->errlen = 0;
    h->errtxt[0] = h->why[0] = '\0';
    h->hello = h->started = h->done = h->ok = h->eof = false;
    h->offset_s = h->rtt_s = h->start_s = NAN;
}

/* Starts every live host; returns the start time (controller clock). */
static double start_all(struct remote_set *s)
{
    double max_rtt = 0;
    for (size_t i = 0; i < s->n; i++)
        if (!s->h[i].done && s->h[i].rtt_s > max_rtt)
            max_rtt = s->h[i].rtt_s;
    /* Time for the start line to reach the slowest host, and some. */
    double t0 = now_s() + 0.3 + 4 * max_rtt;
    for (size_t i = 0; i < s->n; i++) {
        struct remote_host *h = &s->h[i];
        if (h->done)
            continue;
        char line[64];
        snprintf(line, sizeof(line), "start %llu\n",
                 (unsigned long long)llround((t0 + h->offset_s) * 1e9));
        remote_ssh_send(h, line);
    }
    return t0;
}

size_t remote_step(struct remote_set *s, const struct netrig_config *cfg,
                   volatile sig_atomic_t *stop, char *err, size_t errlen)
{
    for (size_t i = 0; i < s->n; i++) {
        struct remote_host *h = &s->h[i];
        begin_host(h);
        char cmd[8192];
        remote_cmd(s, h, cfg, cmd, sizeof(cmd));
        if (h->dead)
            snprintf(h->why, sizeof(h->why), "failed in an earlier step"), h->done = true;
        else if (remote_ssh_spawn(s, h, cmd) != 0)
            remote_ssh_fail(h, "cannot start ssh");
    }
    wait_hello(s, stop);
    for (size_t i = 0; i < s->n && !(stop && *stop); i++)
        if (!s->h[i].done)
            sync_clock(s, &s->h[i]);
    double t0 = start_all(s);
    double planned = (double)(config_warmup_ns(cfg) + cfg->duration_ns) / 1e9;
    collect(s, t0 + planned + (double)cfg->timeout_ns / 1e9 + COLLECT_SLACK_S, stop);
    size_t ok = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        struct remote_host *h = &s->h[i];
        remote_ssh_reap(h);
        if (!h->ok) {
            if (!h->why[0])
                snprintf(h->why, sizeof(h->why), "no result");
            h->dead = true;
            continue;
        }
        ok++;
        if (h->started) {
            lo = h->start_s < lo ? h->start_s : lo;
            hi = h->start_s > hi ? h->start_s : hi;
        }
    }
    s->skew_s = hi >= lo ? hi - lo : NAN;
    if (!isnan(s->skew_s) && (isnan(s->max_skew_s) || s->skew_s > s->max_skew_s))
        s->max_skew_s = s->skew_s;
    if (ok == 0)
        snprintf(err, errlen, "no client host measured the step");
    return ok;
}

void remote_step_clear(struct remote_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        client_output_close(&s->h[i].out);
        memset(&s->h[i].out, 0, sizeof(s->h[i].out));
    }
}
