#include "remote_client.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "clock.h"
#include "opts.h"

int remote_wait_until(double epoch_s, volatile sig_atomic_t *stop)
{
    for (;;) {
        if (stop && *stop)
            return 1;
        double left = epoch_s - (double)clock_wall_ns() / 1e9;
        if (left <= 0)
            return 0;
        /* Short naps: the stop flag is seen within 20 ms, and the last nap
         * ends on time (nanosleep overshoots by microseconds). */
        double nap = left < 0.02 ? left : 0.02;
        struct timespec ts = {(time_t)nap, (long)((nap - floor(nap)) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

void remote_host_name(const struct netrig_config *cfg, char *buf, size_t len)
{
    if (cfg->host[0]) {
        snprintf(buf, len, "%s", cfg->host);
        return;
    }
    char h[256];
    if (gethostname(h, sizeof(h)) != 0)
        snprintf(h, sizeof(h), "client");
    h[sizeof(h) - 1] = '\0';
    snprintf(buf, len, "%s", h);
}

static volatile sig_atomic_t stop_flag;

/* Watches stdin while the test runs: "stop" or its end stops the test. */
static void *watchdog(void *arg)
{
    FILE *in = arg;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, in) >= 0)
        if (strncmp(line, "stop", 4) == 0)
            break;
    stop_flag = 1;
    free(line);
    return NULL;
}

static void put_hist(FILE *out, const char *prefix, const struct hist *h)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    char *b64 = NULL;
    if (hist_encode_compressed(h, &buf, &len) == 0)
        b64 = hist_base64_encode(buf, len);
    fprintf(out, "%s %s\n", prefix, b64 ? b64 : "-");
    free(buf);
    free(b64);
}

/* A CSV record without its line end, as one protocol line. */
static void put_csv(FILE *out, const char *word, const struct test_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return;
    if (r)
        result_csv_row(m, r);
    else
        result_csv_header(m);
    fclose(m);
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = '\0';
    fprintf(out, "%s %s\n", word, buf);
    free(buf);
}

static void put_output(FILE *out, const struct client_output *o)
{
    put_csv(out, "head", NULL);
    put_csv(out, "row", &o->result);
    put_hist(out, "lat", &o->lat);
    for (size_t i = 0; i < o->nintervals; i++) {
        const struct client_interval *iv = &o->intervals[i];
        char prefix[160];
        snprintf(prefix, sizeof(prefix), "iv %.6f %.6f %.10g %.10g", iv->t_start_s, iv->t_end_s,
                 iv->goodput_bps, iv->msgs_per_s);
        put_hist(out, prefix, &iv->lat);
    }
    fprintf(out, "wall %.6f\n", o->start_wall_s);
    if (o->nprobe_iv == 0)
        return;
    put_hist(out, "pidle", &o->probe_idle);
    put_hist(out, "pload", &o->probe_load);
    for (size_t i = 0; i < o->nprobe_iv; i++) {
        char prefix[80];
        snprintf(prefix, sizeof(prefix), "piv %.6f %.6f", o->probe_iv[i].t_start_s,
                 o->probe_iv[i].t_end_s);
        put_hist(out, prefix, &o->probe_iv[i].lat);
    }
    fprintf(out, "pwall %.6f\n", o->probe_start_wall_s);
}

/* Clock probes until "start T"; returns T (ns), or 0 for stop or EOF. */
static uint64_t until_start(FILE *in, FILE *out)
{
    char *line = NULL;
    size_t cap = 0;
    uint64_t t = 0;
    while (t == 0 && getline(&line, &cap, in) >= 0) {
        uint64_t t2 = clock_wall_ns();
        unsigned long long v;
        if (sscanf(line, "ping %llu", &v) == 1) {
            fprintf(out, "pong %llu %llu %llu\n", v, (unsigned long long)t2,
                    (unsigned long long)clock_wall_ns());
            fflush(out);
        } else if (sscanf(line, "start %llu", &v) == 1) {
            t = v ? v : 1;
        } else if (strncmp(line, "stop", 4) == 0) {
            break;
        }
    }
    free(line);
    return t;
}

int remote_client_serve(struct netrig_config *cfg, FILE *in, FILE *out)
{
    char err[512] = "", name[64];
    cfg->quiet = true;
    cfg->json = false;
    cfg->csv[0] = cfg->hlog[0] = cfg->out[0] = '\0';
    if (opts_validate(cfg, err, sizeof(err)) != 0 || client_check(cfg, err, sizeof(err)) != 0) {
        fprintf(out, "error %s\ndone 2\n", err);
        fflush(out);
        return 2;
    }
    remote_host_name(cfg, name, sizeof(name));
    fprintf(out, "hello 1 %s\n", name);
    fflush(out);
    uint64_t start_ns = until_start(in, out);
    if (start_ns == 0) {
        fprintf(out, "done 1 stopped before the start\n");
        fflush(out);
        return 1;
    }
    stop_flag = 0;
    pthread_t th;
    bool watching = pthread_create(&th, NULL, watchdog, in) == 0;
    if (watching)
        pthread_detach(th); /* blocked in read until stdin ends; exit ends it */
    if (remote_wait_until((double)start_ns / 1e9, &stop_flag) != 0) {
        fprintf(out, "done 1 stopped before the start\n");
        fflush(out);
        return 1;
    }
    fprintf(out, "started %llu\n", (unsigned long long)clock_wall_ns());
    fflush(out);
    struct client_stop stop = {.flag = &stop_flag};
    struct client_output o;
    int rc = client_run(cfg, &stop, &o, err, sizeof(err));
    bool measured = !isnan(o.result.duration_s);
    if (measured) {
        snprintf(o.result.host, sizeof(o.result.host), "%s", name);
        put_output(out, &o);
    }
    if (rc != 0)
        fprintf(out, "error %s\n", err);
    fprintf(out, "done %d\n", measured ? 0 : 1);
    fflush(out);
    client_output_close(&o);
    return measured ? 0 : 1;
}
