/* netrig client: one test against a netrig server (or a plain echo
 * server), printed, and optionally appended to CSV, printed as JSON and
 * written as an interval histogram log. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "client_out.h"
#include "clock.h"
#include "cmd.h"
#include "events.h"
#include "hlog.h"
#include "opts.h"
#include "remote_client.h"
#include "report_text.h"

static volatile sig_atomic_t stop_flag;

static void on_sigint(int sig)
{
    (void)sig;
    stop_flag = 1;
    signal(SIGINT, SIG_DFL); /* a second Ctrl-C ends at once */
}

void cmd_client_help(FILE *out)
{
    fprintf(out, "usage: netrig client --server HOST:PORT [--proto tcp|udp|http|https] "
                 "[--mode MODE] [OPTIONS]\n"
                 "       netrig client --url http[s]://HOST[:PORT]/PATH [--mode MODE] [OPTIONS]\n\n"
                 "Runs one test against a netrig server (or with --echo a plain RFC 862\n"
                 "echo server, or with --url any HTTP/1.1 server) and prints goodput,\n"
                 "messages/s and latency percentiles.\n"
                 "Ctrl-C ends the test early; what was measured is still reported.\n\n"
                 "options:\n");
    opts_print_help(out);
}

struct iv_ctx {
    FILE *out;
    bool print;
    struct events *ev;
};

static void print_interval(const struct client_interval *iv, void *ctx)
{
    struct iv_ctx *c = ctx;
    if (c->print) {
        report_text_interval(c->out, iv);
        fflush(c->out);
    }
    events_interval(c->ev, iv);
}

static int write_hlog(const char *path, const struct netrig_config *cfg,
                      const struct client_output *o)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    char comment[128];
    snprintf(comment, sizeof(comment), "netrig client %s %s, latency in ns", proto_name(cfg->proto),
             mode_name(cfg->mode));
    struct hlog_writer w;
    /* --probe: its intervals (tagged "probe") start before the load's */
    double start = o->nprobe_iv && o->probe_start_wall_s < o->start_wall_s ? o->probe_start_wall_s
                                                                           : o->start_wall_s;
    int rc = hlog_writer_init(&w, f, start, comment);
    for (size_t i = 0; rc == 0 && i < o->nintervals; i++)
        rc = hlog_write_interval(&w, &o->intervals[i].lat);
    for (size_t i = 0; rc == 0 && i < o->nprobe_iv; i++)
        rc = hlog_write_interval(&w, &o->probe_iv[i].lat);
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

/* --out DIR: this host's row and histograms as a results folder for
 * netrig merge, the row naming the host. */
static int write_out(const struct netrig_config *cfg, struct client_output *o, int argc,
                     char **argv)
{
    char err[4400];
    remote_host_name(cfg, o->result.host, sizeof(o->result.host));
    snprintf(o->result.hosts, sizeof(o->result.hosts), "1/1");
    char *cmdline[256] = {"netrig"};
    int n = 1;
    for (int i = 0; i < argc && n < 255; i++)
        cmdline[n++] = argv[i];
    if (client_out_write(cfg->out, cfg, o, n, cmdline, err, sizeof(err)) != 0) {
        fprintf(stderr, "netrig client: --out %s: %s\n", cfg->out, err);
        return -1;
    }
    return 0;
}

/* Options of the shared table that only a scenario run can honour: the
 * client refuses them rather than ignore them. --link-rate and --tolerance
 * do work here: they go into the row, for netrig model. */
static int run_only_options(const struct netrig_config *cfg, char *err, size_t errlen)
{
    if (cfg->link[0])
        return snprintf(err, errlen,
                        "--link %s: an emulated link is made by netrig run (link = in a "
                        "scenario, or netrig run --link); a client run goes where --server "
                        "points",
                        cfg->link),
               -1;
    if (cfg->client_hosts[0] || cfg->server_host[0])
        return snprintf(err, errlen,
                        "--client-hosts and --server-host are netrig run's (scenario keys): "
                        "a client run is this host's; see docs/scale-out.md"),
               -1;
    if (cfg->repeat != 1)
        return snprintf(err, errlen,
                        "--repeat %u: repetitions are netrig run's (repeat = in a scenario); "
                        "a client run is one test",
                        cfg->repeat),
               -1;
    return 0;
}

int cmd_client(int argc, char **argv)
{
    struct netrig_config cfg;
    char err[512];
    if (cmd_wants_help(argc, argv)) {
        cmd_client_help(stdout);
        return 0;
    }
    opts_defaults(&cfg);
    int used = opts_parse_argv(&cfg, argc - 1, argv + 1, err, sizeof(err));
    if (used < 0 || used != argc - 1) {
        fprintf(stderr, "netrig client: %s\n", used < 0 ? err : "unexpected argument");
        return 2;
    }
    bool peer = cfg.server[0] != '\0' || cfg.url[0] != '\0';
    if (opts_validate(&cfg, err, sizeof(err)) != 0 || !peer ||
        run_only_options(&cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "netrig client: %s\n",
                peer ? err : "give --server HOST:PORT or --url http[s]://HOST[:PORT]/PATH");
        return 2;
    }
    if (cfg.stdio_control) /* netrig run at the other end of an ssh */
        return remote_client_serve(&cfg, stdin, stdout);
    bool ev_stdout = strcmp(cfg.events, "-") == 0;
    if (ev_stdout && cfg.json) {
        fprintf(stderr, "netrig client: --json and --events - both write standard output: "
                        "give --events a file\n");
        return 2;
    }
    struct events ev;
    if (events_open(&ev, cfg.events, err, sizeof(err)) != 0) {
        fprintf(stderr, "netrig client: %s\n", err);
        return 2;
    }
    FILE *text = cfg.json || ev_stdout ? stderr : stdout;
    if (!cfg.quiet)
        report_text_header(text, &cfg);
    struct sigaction sa = {.sa_handler = on_sigint};
    sigaction(SIGINT, &sa, NULL);
    struct iv_ctx ictx = {text, cfg.interval_ns > 0 && !cfg.quiet, &ev};
    struct client_stop stop = {.flag = &stop_flag, .on_interval = print_interval, .ctx = &ictx};
    struct client_output out;
    /* Several hosts started by another launcher begin together. */
    double late = (double)clock_wall_ns() / 1e9 - cfg.start_at_s;
    if (cfg.start_at_s > 0 && late > 0)
        fprintf(stderr, "netrig client: --start-at was %.3f s ago: starting now\n", late);
    if (cfg.start_at_s > 0 && remote_wait_until(cfg.start_at_s, &stop_flag) != 0) {
        fprintf(stderr, "netrig client: interrupted before --start-at\n");
        events_close(&ev);
        return 1;
    }
    events_start(&ev, "", 1, 1);
    events_step(&ev, 1, "", 0, &cfg); /* a client run's row says repeat 0 */
    int rc = client_run(&cfg, &stop, &out, err, sizeof(err));
    signal(SIGINT, SIG_DFL);
    if (rc != 0) {
        fprintf(stderr, "netrig client: %s\n", err);
        events_error(&ev, "client", err);
    }
    if (rc != 0 && isnan(out.result.duration_s)) {
        events_done(&ev, "failed", NULL, 0, NULL);
        events_close(&ev);
        client_output_close(&out);
        return 1;
    }
    if (stop_flag)
        fprintf(stderr, "netrig client: interrupted, reporting what was measured\n");
    /* What netrig model checks this row against, as a scenario step's. */
    out.result.link_rate_bps = cfg.link_rate_bps;
    out.result.tolerance_pct = cfg.tolerance_pct;
    if (cfg.json)
        result_json(stdout, &out.result);
    else
        report_text_result(text == stderr && ev_stdout ? stderr : stdout, &cfg, &out);
    events_end(&ev, &out.result);
    if (cfg.csv[0] && result_csv_append(cfg.csv, &out.result) != 0) {
        fprintf(stderr, "netrig client: cannot append to %s\n", cfg.csv);
        rc = -1;
    }
    if (cfg.hlog[0] && write_hlog(cfg.hlog, &cfg, &out) != 0) {
        fprintf(stderr, "netrig client: cannot write %s\n", cfg.hlog);
        rc = -1;
    }
    if (out.result.failed[0]) {
        fprintf(stderr, "netrig client: test failed: %s\n", out.result.failed);
        rc = -1;
    }
    if (cfg.out[0] && write_out(&cfg, &out, argc, argv) != 0)
        rc = -1;
    events_done(&ev,
                stop_flag ? "interrupted"
                : rc == 0 ? "complete"
                          : "failed",
                cfg.out[0] ? cfg.out : NULL, 1, NULL);
    if (events_close(&ev) != 0) {
        fprintf(stderr, "netrig client: cannot write the events to %s\n", cfg.events);
        rc = -1;
    }
    client_output_close(&out);
    return rc == 0 ? 0 : 1;
}
