/* netrig model: re-checks a results folder or summary.csv against the
 * goodput model, fills the model columns and writes model.txt. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "fileio.h"
#include "model.h"
#include "result_file.h"
#include "units.h"

void cmd_model_help(FILE *out)
{
    fprintf(out, "usage: netrig model RUN_DIR_OR_CSV [options]\n\n"
                 "Fits T(B) = t0 + (B + O(B)) / C over each size sweep of a summary.csv,\n"
                 "predicts every row's goodput, fills the model columns of the file and\n"
                 "writes model.txt beside it. Exit status 1 names every row outside the\n"
                 "tolerance; rows limited by the CPU are marked 'cpu', not counted.\n\n"
                 "options:\n"
                 "  --link-rate R    known bottleneck rate (100mbit, 1gbit); default: each\n"
                 "                   row's link_rate_bps (set by link emulation), else fit C\n"
                 "  --tolerance PCT  allowed |error| in percent; default: each row's\n"
                 "                   tolerance_pct (the step's tolerance option), else 1\n"
                 "  --mtu N          IP MTU of the path (default 1500)\n"
                 "  --ipv6           IPv6 headers (40 bytes) instead of IPv4\n"
                 "  --link-hdr N     link bytes per packet: 14 (qdisc, default), 38 (a real\n"
                 "                   Ethernet wire: + FCS, preamble, inter-frame gap)\n"
                 "  --calibrate      time AES-256-GCM here and add E = B / rate for TLS\n"
                 "  --no-write       check only: leave the CSV and model.txt alone\n");
}

struct model_args {
    const char *input;
    char csv[4096], txt[4096];
    struct model_opts o;
    int ipv6, calibrate, no_write;
};

static int parse_num(const char *opt, const char *v, double *out)
{
    if (!v || units_parse_double(v, out) < 0) {
        fprintf(stderr, "netrig model: %s needs a number, got '%s'\n", opt, v ? v : "");
        return -1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, struct model_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        double per_s = 0, num = 0;
        if (strcmp(s, "--link-rate") == 0) {
            if (!v || units_parse_rate(v, &a->o.link_rate_bps, &per_s) < 0 || per_s > 0) {
                fprintf(stderr, "netrig model: --link-rate needs a bit rate such as 100mbit\n");
                return -1;
            }
            i++;
        } else if (strcmp(s, "--tolerance") == 0 || strcmp(s, "--mtu") == 0 ||
                   strcmp(s, "--link-hdr") == 0) {
            if (parse_num(s, v, &num) < 0)
                return -1;
            if (s[2] == 't')
                a->o.tolerance_pct = num;
            else if (s[2] == 'm')
                a->o.wire.mtu = num;
            else
                a->o.wire.link_hdr = num;
            i++;
        } else if (strcmp(s, "--ipv6") == 0) {
            a->ipv6 = 1;
        } else if (strcmp(s, "--calibrate") == 0) {
            a->calibrate = 1;
        } else if (strcmp(s, "--no-write") == 0) {
            a->no_write = 1;
        } else if (s[0] == '-' || a->input) {
            fprintf(stderr, "netrig model: unexpected argument '%s' (see netrig help model)\n", s);
            return -1;
        } else {
            a->input = s;
        }
    }
    if (!a->input) {
        fprintf(stderr, "netrig model: which results? netrig model RUN_DIR_OR_CSV\n");
        return -1;
    }
    return 0;
}

/* RUN_DIR means RUN_DIR/summary.csv; model.txt goes beside the CSV. */
static int resolve_paths(struct model_args *a)
{
    struct stat st;
    if (stat(a->input, &st) < 0) {
        fprintf(stderr, "netrig model: %s: %s\n", a->input, strerror(errno));
        return -1;
    }
    int dir = S_ISDIR(st.st_mode);
    const char *slash = strrchr(a->input, '/');
    int n = dir ? snprintf(a->csv, sizeof(a->csv), "%s/summary.csv", a->input)
                : snprintf(a->csv, sizeof(a->csv), "%s", a->input);
    int m = dir     ? snprintf(a->txt, sizeof(a->txt), "%s/model.txt", a->input)
            : slash ? snprintf(a->txt, sizeof(a->txt), "%.*s/model.txt", (int)(slash - a->input),
                               a->input)
                    : snprintf(a->txt, sizeof(a->txt), "model.txt");
    if (n >= (int)sizeof(a->csv) || m >= (int)sizeof(a->txt)) {
        fprintf(stderr, "netrig model: %s: path too long\n", a->input);
        return -1;
    }
    return 0;
}

static void print_verdicts(const struct model_args *a, const struct result_file *f)
{
    for (size_t i = 0; i < f->n; i++) {
        const struct test_result *r = &f->rows[i];
        if (r->model_ok[0] == '\0')
            continue;
        printf("%-28s %-5s %-6s %9.0f B  %10.3f Mbit/s  model %10.3f  %+7.3f %%  %s", r->step,
               r->proto, r->mode, r->size_bytes, r->goodput_bps / 1e6, r->model_goodput_bps / 1e6,
               r->model_err_pct, r->model_ok);
        if (strcmp(r->model_ok, "steal") == 0)
            printf(" (host steal %.2f %%)", r->steal_pct);
        putchar('\n');
    }
    for (size_t i = 0; i < f->n; i++) {
        const struct test_result *r = &f->rows[i];
        if (strcmp(r->model_ok, "steal") == 0)
            fprintf(stderr,
                    "netrig model: %s:%zu: step '%s' is %+.3f %% from the model, outside %g %%, "
                    "but the host stole %.2f %% of a core in its window: not counted as a miss\n",
                    a->csv, f->line[i], r->step, r->model_err_pct, model_row_tolerance(&a->o, r),
                    r->steal_pct);
        if (strcmp(r->model_ok, "no") != 0)
            continue;
        fprintf(stderr,
                "netrig model: %s:%zu: step '%s' (%s %s %.0f B): %.3f Mbit/s is %+.3f %% from the "
                "model's %.3f Mbit/s, outside %g %%\n",
                a->csv, f->line[i], r->step, r->proto, r->mode, r->size_bytes, r->goodput_bps / 1e6,
                r->model_err_pct, r->model_goodput_bps / 1e6, model_row_tolerance(&a->o, r));
    }
}

static int write_txt(const struct model_args *a, const struct result_file *f,
                     const struct model_run *run)
{
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp", a->txt);
    FILE *out = fileio_open_write(tmp);
    if (!out) {
        fprintf(stderr, "netrig model: %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    model_report(out, f->rows, f->n, &a->o, run);
    if (fclose(out) != 0 || rename(tmp, a->txt) != 0) {
        fprintf(stderr, "netrig model: %s: %s\n", a->txt, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int cmd_model(int argc, char **argv)
{
    struct model_args a;
    memset(&a, 0, sizeof(a));
    model_opts_defaults(&a.o);
    if (parse_args(argc, argv, &a) < 0 || resolve_paths(&a) < 0)
        return 2;
    if (a.ipv6)
        model_wire_set_ipv6(&a.o.wire);
    else
        a.o.wire.mss = a.o.wire.mtu - a.o.wire.ip_hdr - a.o.wire.tcp_hdr;
    if (a.calibrate)
        a.o.crypto_bps = model_crypto_calibrate(0.2);
    char err[4300];
    struct result_file f;
    if (result_file_load(a.csv, &f, err, sizeof(err)) < 0) {
        fprintf(stderr, "netrig model: %s\n", err);
        return 2;
    }
    struct model_run run;
    int status = 2;
    if (model_apply(f.rows, f.n, &a.o, &run, err, sizeof(err)) < 0) {
        fprintf(stderr, "netrig model: %s\n", err);
        goto out;
    }
    print_verdicts(&a, &f);
    if (!a.no_write) {
        if (result_file_save(a.csv, &f, err, sizeof(err)) < 0) {
            fprintf(stderr, "netrig model: %s\n", err);
            goto out_run;
        }
        if (write_txt(&a, &f, &run) < 0)
            goto out_run;
    }
    printf("%zu rows: %zu within tolerance, %zu outside, %zu CPU-bound, %zu short by host steal, "
           "%zu not checked\n",
           f.n, run.nyes, run.nno, run.ncpu, run.nsteal, run.nskip);
    status = run.nno ? 1 : 0;
out_run:
    model_run_close(&run);
out:
    result_file_close(&f);
    return status;
}
