/* The goodput model applied to a results file, from reading it to
 * writing model.txt (model_check.h). */
#include "model_check.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

void model_check_opts_init(struct model_check_opts *o)
{
    memset(o, 0, sizeof(*o));
    model_opts_defaults(&o->model);
}

/* RUN_DIR means RUN_DIR/summary.csv; model.txt goes beside the CSV. */
static int resolve_paths(const char *input, struct model_check *mc, char *err, size_t errlen)
{
    struct stat st;
    if (stat(input, &st) < 0) {
        snprintf(err, errlen, "%s: %s", input, strerror(errno));
        return -1;
    }
    int dir = S_ISDIR(st.st_mode);
    const char *slash = strrchr(input, '/');
    int n = dir ? snprintf(mc->csv, sizeof(mc->csv), "%s/summary.csv", input)
                : snprintf(mc->csv, sizeof(mc->csv), "%s", input);
    int m = dir ? snprintf(mc->txt, sizeof(mc->txt), "%s/model.txt", input)
            : slash
                ? snprintf(mc->txt, sizeof(mc->txt), "%.*s/model.txt", (int)(slash - input), input)
                : snprintf(mc->txt, sizeof(mc->txt), "model.txt");
    if (n >= (int)sizeof(mc->csv) || m >= (int)sizeof(mc->txt)) {
        snprintf(err, errlen, "%s: path too long", input);
        return -1;
    }
    return 0;
}

static int write_txt(const struct model_check *mc, const struct model_opts *o, char *err,
                     size_t errlen)
{
    char tmp[sizeof(mc->txt) + 8];
    snprintf(tmp, sizeof(tmp), "%s.tmp", mc->txt);
    FILE *out = fileio_open_write(tmp); /* never through a planted symlink */
    if (!out) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    model_report(out, mc->file.rows, mc->file.n, o, &mc->run);
    if (fclose(out) != 0 || rename(tmp, mc->txt) != 0) {
        snprintf(err, errlen, "%s: %s", mc->txt, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int model_check_run(const char *input, const struct model_check_opts *co, struct model_check *mc,
                    char *err, size_t errlen)
{
    memset(mc, 0, sizeof(*mc));
    struct model_opts o = co->model;
    if (co->ipv6)
        model_wire_set_ipv6(&o.wire);
    else
        o.wire.mss = o.wire.mtu - o.wire.ip_hdr - o.wire.tcp_hdr;
    if (co->calibrate)
        o.crypto_bps = model_crypto_calibrate(0.2);
    if (resolve_paths(input, mc, err, errlen) < 0 ||
        result_file_load(mc->csv, &mc->file, err, errlen) < 0 ||
        model_apply(mc->file.rows, mc->file.n, &o, &mc->run, err, errlen) < 0)
        return -1;
    if (co->no_write)
        return 0;
    if (result_file_save(mc->csv, &mc->file, err, errlen) < 0 || write_txt(mc, &o, err, errlen) < 0)
        return -1;
    return 0;
}

void model_check_counts(const struct model_check *mc, char *buf, size_t len)
{
    const struct model_run *r = &mc->run;
    snprintf(buf, len,
             "%zu rows: %zu within tolerance, %zu outside, %zu CPU-bound, %zu short by host "
             "steal, %zu not checked",
             mc->file.n, r->nyes, r->nno, r->ncpu, r->nsteal, r->nskip);
}

void model_check_close(struct model_check *mc)
{
    model_run_close(&mc->run);
    result_file_close(&mc->file);
}
