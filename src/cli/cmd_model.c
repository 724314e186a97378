/* netrig model: re-checks a results folder or summary.csv against the
 * goodput model, fills the model columns and writes model.txt. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "model_check.h"
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
    struct model_check_opts c;
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
            if (!v || units_parse_rate(v, &a->c.model.link_rate_bps, &per_s) < 0 || per_s > 0) {
                fprintf(stderr, "netrig model: --link-rate needs a bit rate such as 100mbit\n");
                return -1;
            }
            i++;
        } else if (strcmp(s, "--tolerance") == 0 || strcmp(s, "--mtu") == 0 ||
                   strcmp(s, "--link-hdr") == 0) {
            if (parse_num(s, v, &num) < 0)
                return -1;
            if (s[2] == 't')
                a->c.model.tolerance_pct = num;
            else if (s[2] == 'm')
                a->c.model.wire.mtu = num;
            else
                a->c.model.wire.link_hdr = num;
            i++;
        } else if (strcmp(s, "--ipv6") == 0) {
            a->c.ipv6 = true;
        } else if (strcmp(s, "--calibrate") == 0) {
            a->c.calibrate = true;
        } else if (strcmp(s, "--no-write") == 0) {
            a->c.no_write = true;
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

static void print_verdicts(const struct model_args *a, const struct model_check *mc)
{
    const struct result_file *f = &mc->file;
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
                    mc->csv, f->line[i], r->step, r->model_err_pct,
                    model_row_tolerance(&a->c.model, r), r->steal_pct);
        if (strcmp(r->model_ok, "no") != 0)
            continue;
        fprintf(stderr,
                "netrig model: %s:%zu: step '%s' (%s %s %.0f B): %.3f Mbit/s is %+.3f %% from the "
                "model's %.3f Mbit/s, outside %g %%\n",
                mc->csv, f->line[i], r->step, r->proto, r->mode, r->size_bytes,
                r->goodput_bps / 1e6, r->model_err_pct, r->model_goodput_bps / 1e6,
                model_row_tolerance(&a->c.model, r));
    }
}

int cmd_model(int argc, char **argv)
{
    struct model_args a;
    memset(&a, 0, sizeof(a));
    model_check_opts_init(&a.c);
    if (parse_args(argc, argv, &a) < 0)
        return 2;
    char err[4300], counts[256];
    struct model_check mc;
    if (model_check_run(a.input, &a.c, &mc, err, sizeof(err)) < 0) {
        fprintf(stderr, "netrig model: %s\n", err);
        model_check_close(&mc);
        return 2;
    }
    print_verdicts(&a, &mc);
    model_check_counts(&mc, counts, sizeof(counts));
    printf("%s\n", counts);
    int status = mc.run.nno ? 1 : 0;
    model_check_close(&mc);
    return status;
}
