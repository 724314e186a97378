#include "remote.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "opts.h"

#define PROBES 8     /* clock probes per host and step; the fastest counts */
#define HELLO_S 20.0 /* ssh login and the remote's checks */
#define COLLECT_SLACK_S 30.0

int remote_parse_one(const char *spec, char *dest, size_t destlen, char *port, size_t portlen,
                     char *err, size_t errlen)
{
    port[0] = '\0';
    const char *s = spec;
    if (strncmp(s, "ssh://", 6) != 0) {
        snprintf(dest, destlen, "%s", s); /* a destination of ~/.ssh/config */
        return s[0] && !strpbrk(s, " \t'\"")
                   ? 0
                   : (snprintf(err, errlen, "'%s': not an ssh destination", spec), -1);
    }
    s += 6;
    const char *colon = strrchr(s, ':');
    const char *at = strchr(s, '@');
    size_t hl = colon && (!at || colon > at) ? (size_t)(colon - s) : strlen(s);
    if (colon && (!at || colon > at)) {
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (*end || p < 1 || p > 65535)
            return snprintf(err, errlen, "'%s': bad port", spec), -1;
        snprintf(port, portlen, "%ld", p);
    }
    if (hl == 0 || hl >= destlen || memchr(s, '/', hl) || memchr(s, ' ', hl))
        return snprintf(err, errlen, "'%s': expected ssh://[user@]host[:port]", spec), -1;
    memcpy(dest, s, hl);
    dest[hl] = '\0';
    return 0;
}

/* The host column: the host part, with the port when two share a host. */
static void host_name(struct remote_set *s, size_t i)
{
    struct remote_host *h = &s->h[i];
    const char *at = strchr(h->dest, '@');
    snprintf(h->name, sizeof(h->name), "%.40s", at ? at + 1 : h->dest);
    for (size_t j = 0; j < i; j++)
        if (strcmp(s->h[j].name, h->name) == 0) {
            size_t l = strlen(h->name);
            snprintf(h->name + l, sizeof(h->name) - l, "-%s", h->port[0] ? h->port : "2");
        }
}

int remote_parse_hosts(struct remote_set *s, const char *list, char *err, size_t errlen)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->netrig_path, sizeof(s->netrig_path), "netrig");
    char copy[1024];
    snprintf(copy, sizeof(copy), "%s", list);
    char *save = NULL;
    for (char *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
        struct remote_host *v = realloc(s->h, (s->n + 1) * sizeof(*v));
        if (!v)
            return snprintf(err, errlen, "out of memory"), -1;
        s->h = v;
        struct remote_host *h = &v[s->n];
        memset(h, 0, sizeof(*h));
        h->pid = -1;
        h->in_fd = h->out_fd = h->err_fd = -1;
        snprintf(h->spec, sizeof(h->spec), "%s", t);
        s->n++;
        if (remote_parse_one(t, h->dest, sizeof(h->dest), h->port, sizeof(h->port), err, errlen) !=
            0)
            return -1;
        host_name(s, s->n - 1);
    }
    if (s->n == 0)
        return snprintf(err, errlen, "client_hosts: no host given"), -1;
    return 0;
}

int remote_ssh_args(const struct remote_set *s, const struct remote_host *h, const char *cmd,
                    const char **args)
{
    int n = 0;
    args[n++] = "ssh";
    if (s->ssh_config[0]) {
        args[n++] = "-F";
        args[n++] = s->ssh_config;
    }
    args[n++] = "-o";
    args[n++] = "BatchMode=yes";
    args[n++] = "-o";
    args[n++] = "ConnectTimeout=5";
    if (h->port[0]) {
        args[n++] = "-p";
        args[n++] = h->port;
    }
    args[n++] = "--";
    args[n++] = h->dest;
    args[n++] = cmd;
    args[n] = NULL;
    return n;
}

/* Appends word to the remote shell command, single-quoted. */
void remote_put_word(char *cmd, size_t len, const char *w)
{
    size_t n = strlen(cmd);
    if (n && n + 1 < len)
        cmd[n++] = ' ', cmd[n] = '\0';
    if (n + 1 < len)
        cmd[n++] = '\'', cmd[n] = '\0';
    for (; *w && n + 5 < len; w++) {
        if (*w == '\'') {
            memcpy(cmd + n, "'\\''", 4);
            n += 4;
        } else {
            cmd[n++] = *w;
        }
    }
    if (n + 1 < len)
        cmd[n++] = '\'';
    cmd[n] = '\0';
}

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

int remote_spawn(const struct remote_set *s, struct remote_host *h, const char *cmd)
{
    int in[2], out[2], er[2];
    if (pipe2(in, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(er, O_CLOEXEC) != 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    const char *args[20];
    remote_ssh_args(s, h, cmd, args);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0); /* Ctrl-C is the controller's: it stops the hosts itself */
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(er[1], 2);
        execvp("ssh", (char *const *)(void *)args);
        dprintf(2, "cannot run ssh: %s\n", strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(er[1]);
    if (pid < 0) {
        close(in[1]);
        close(out[0]);
        close(er[0]);
        return -1;
    }
    setpgid(pid, pid);
    h->pid = pid;
    h->in_fd = in[1];
    h->out_fd = out[0];
    h->err_fd = er[0];
    fcntl(h->out_fd, F_SETFL, O_NONBLOCK);
    fcntl(h->err_fd, F_SETFL, O_NONBLOCK);
    return 0;
}

static void fail(struct remote_host *h, const char *what)
{
    if (h->why[0] || h->ok)
        return;
    /* ssh's last line says why (host unreachable, login refused...). */
    char last[512] = "";
    size_t e = h->errlen;
    while (e && (h->errtxt[e - 1] == '\n' || h->errtxt[e - 1] == '\r'))
        e--;
    size_t b = e;
    while (b && h->errtxt[b - 1] != '\n')
        b--;
    snprintf(last, sizeof(last), "%.*s", (int)(e - b), h->errtxt + b);
    snprintf(h->why, sizeof(h->why), "%s", what);
    if (last[0]) {
        size_t l = strlen(h->why);
        snprintf(h->why + l, sizeof(h->why) - l, " (%s)", last);
    }
    h->done = true;
}

/* Reads what the hosts wrote, waiting up to ms. */
void remote_pump(struct remote_set *s, int ms)
{
    struct pollfd p[2 * 64];
    size_t who[2 * 64], np = 0;
    for (size_t i = 0; i < s->n && np + 2 <= 128; i++) {
        struct remote_host *h = &s->h[i];
        if (h->out_fd >= 0 && !h->eof)
            who[np] = i, p[np++] = (struct pollfd){h->out_fd, POLLIN, 0};
        if (h->err_fd >= 0)
            who[np] = i, p[np++] = (struct pollfd){h->err_fd, POLLIN, 0};
    }
    if (np == 0 || poll(p, np, ms) <= 0) {
        if (np == 0 && ms > 0)
            nanosleep(&(struct timespec){0, (long)ms * 1000000L}, NULL);
        return;
    }
    for (size_t k = 0; k < np; k++) {
        if (!p[k].revents)
            continue;
        struct remote_host *h = &s->h[who[k]];
        char tmp[16384];
        ssize_t r = read(p[k].fd, tmp, sizeof(tmp));
        if (p[k].fd == h->err_fd) {
            if (r <= 0) {
                close(h->err_fd);
                h->err_fd = -1;
                continue;
            }
            size_t keep = sizeof(h->errtxt) - 1;
            size_t take = (size_t)r > keep ? keep : (size_t)r;
            if (h->errlen + take > keep) {
                size_t drop = h->errlen + take - keep;
                memmove(h->errtxt, h->errtxt + drop, h->errlen - drop);
                h->errlen -= drop;
            }
            memcpy(h->errtxt + h->errlen, tmp + (size_t)r - take, take);
            h->errlen += take;
            h->errtxt[h->errlen] = '\0';
            continue;
        }
        if (r <= 0) {
            if (r < 0 && errno == EAGAIN)
                continue;
            h->eof = true;
            continue;
        }
        if (h->len + (size_t)r + 1 > h->cap) {
            size_t cap = (h->len + (size_t)r + 1) * 2;
            char *b = realloc(h->buf, cap);
            if (!b) {
                fail(h, "out of memory");
                continue;
            }
            h->buf = b;
            h->cap = cap;
        }
        memcpy(h->buf + h->len, tmp, (size_t)r);
        h->len += (size_t)r;
    }
}

/* The next whole line of h (NUL-terminated in line, which the caller
 * frees), or NULL. */
char *remote_take_line(struct remote_host *h)
{
    char *nl = h->len ? memchr(h->buf, '\n', h->len) : NULL;
    if (!nl)
        return NULL;
    size_t n = (size_t)(nl - h->buf);
    char *line = malloc(n + 1);
    if (!line)
        return NULL;
    memcpy(line, h->buf, n);
    line[n] = '\0';
    memmove(h->buf, nl + 1, h->len - n - 1);
    h->len -= n + 1;
    return line;
}

static void send_line(struct remote_host *h, const char *line)
{
    if (h->in_fd < 0)
        return;
    size_t n = strlen(line);
    if (write(h->in_fd, line, n) != (ssize_t)n) {
        close(h->in_fd);
        h->in_fd = -1;
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
    struct client_interval *v = realloc(h->out.intervals, (h->out.nintervals + 1) * sizeof(*v));
    if (!v) {
        hist_close(&iv.lat);
        return -1;
    }
    h->out.intervals = v;
    v[h->out.nintervals++] = iv;
    return 0;
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
    struct client_interval *v = realloc(h->out.probe_iv, (h->out.nprobe_iv + 1) * sizeof(*v));
    if (!v) {
        hist_close(&iv.lat);
        return -1;
    }
    h->out.probe_iv = v;
    v[h->out.nprobe_iv++] = iv;
    return 0;
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
        fail(h, "bad result line from the host");
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
            while (!h->hello && !h->done && (line = remote_take_line(h)) != NULL) {
                if (strncmp(line, "hello ", 6) == 0)
                    h->hello = true;
                else if (strncmp(line, "error ", 6) == 0)
                    snprintf(h->why, sizeof(h->why), "netrig client: %s", line + 6);
                else if (strncmp(line, "done", 4) == 0)
                    h->done = true;
                free(line);
            }
            if (!h->hello && !h->done && h->eof)
                fail(h, "ssh ended before netrig client was ready");
            waiting += !h->hello && !h->done;
        }
        if (waiting == 0 || (stop && *stop))
            return;
        if (now_s() > end) {
            for (size_t i = 0; i < s->n; i++)
                if (!s->h[i].hello)
                    fail(&s->h[i], "not ready within 20 s");
            return;
        }
        remote_pump(s, 100);
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
        send_line(h, line);
        double end = now_s() + 5;
        char *l = NULL;
        unsigned long long a, t2, t3;
        while (!(l = remote_take_line(h)) && !h->eof && now_s() < end)
            remote_pump(s, 50);
        uint64_t t4 = clock_wall_ns();
        if (!l || sscanf(l, "pong %llu %llu %llu", &a, &t2, &t3) != 3 || a != t1) {
            free(l);
            fail(h, "no answer to the clock probe");
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
            while (!h->done && (line = remote_take_line(h)) != NULL) {
                take_result_line(h, line);
                free(line);
            }
            if (!h->done && h->eof)
                fail(h, h->started ? "ssh ended mid-step" : "ssh ended before the start");
            waiting += !h->done;
        }
        if (waiting == 0)
            return;
        if (stop && *stop && !stopped) {
            for (size_t i = 0; i < s->n; i++)
                send_line(&s->h[i], "stop\n");
            stopped = true;
            deadline = now_s() + 10;
        }
        if (now_s() > deadline) {
            for (size_t i = 0; i < s->n; i++)
                fail(&s->h[i], "no result in time");
            return;
        }
        remote_pump(s, 100);
    }
}

/* Closes the channel (the remote stops on EOF), then waits for ssh, and
 * ends it if it lingers. */
void remote_reap(struct remote_host *h)
{
    if (h->in_fd >= 0)
        close(h->in_fd);
    h->in_fd = -1;
    if (h->pid > 0) {
        int st = 0;
        pid_t r = 0;
        for (int k = 0; k < 50 && (r = waitpid(h->pid, &st, WNOHANG)) == 0; k++)
            nanosleep(&(struct timespec){0, 40000000L}, NULL);
        if (r == 0) {
            kill(-h->pid, SIGTERM);
            for (int k = 0; k < 25 && (r = waitpid(h->pid, &st, WNOHANG)) == 0; k++)
                nanosleep(&(struct timespec){0, 40000000L}, NULL);
        }
        if (r == 0) {
            kill(-h->pid, SIGKILL);
            waitpid(h->pid, &st, 0);
        }
        size_t l = strlen(h->why);
        if (!h->ok && WIFEXITED(st) && l + 40 < sizeof(h->why))
            snprintf(h->why + l, sizeof(h->why) - l, "%sssh exit status %d", l ? ", " : "",
                     WEXITSTATUS(st));
    }
    h->pid = -1;
    if (h->out_fd >= 0)
        close(h->out_fd);
    if (h->err_fd >= 0)
        close(h->err_fd);
    h->out_fd = h->err_fd = -1;
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
        send_line(h, line);
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
        else if (remote_spawn(s, h, cmd) != 0)
            fail(h, "cannot start ssh");
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
        remote_reap(h);
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

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", *s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

static void json_num(FILE *f, double v)
{
    if (isnan(v) || isinf(v))
        fputs("null", f);
    else
        fprintf(f, "%.6g", v);
}

char *remote_hosts_json(const struct remote_set *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fputs("{\"max_start_skew_ms\": ", f);
    json_num(f, s->max_skew_s * 1e3);
    fputs(", \"clients\": [", f);
    for (size_t i = 0; i < s->n; i++) {
        const struct remote_host *h = &s->h[i];
        fputs(i ? ", {\"host\": " : "{\"host\": ", f);
        json_str(f, h->name);
        fputs(", \"ssh\": ", f);
        json_str(f, h->spec);
        fputs(", \"clock_offset_ms\": ", f);
        json_num(f, h->offset_s * 1e3);
        fputs(", \"rtt_ms\": ", f);
        json_num(f, h->rtt_s * 1e3);
        fputs(", \"status\": ", f);
        json_str(f, h->dead ? h->why : "ok");
        fputc('}', f);
    }
    fputs("]}", f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

void remote_close(struct remote_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        remote_reap(&s->h[i]);
        client_output_close(&s->h[i].out);
        free(s->h[i].buf);
        free(s->h[i].head);
    }
    free(s->h);
    memset(s, 0, sizeof(*s));
}
