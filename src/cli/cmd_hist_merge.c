/* netrig hist merge: one interval log from several, e.g. one per load
 * generator. Intervals keep their absolute times; with --align they are
 * summed per time slot and tag, so each output line covers all inputs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_hist.h"
#include "cmd_hist_util.h"
#include "hlog.h"

struct rec {
    int64_t start_ms, end_ms, slot;
    long seq; /* input order, keeps the sort stable */
    char tag[64];
    uint8_t *blob; /* compressed V2 form */
    size_t len;
};

struct recs {
    struct rec *v;
    size_t n, cap;
    double start_s; /* earliest StartTime of the inputs */
    bool have_start;
};

static int recs_push(struct recs *rs, const struct hist *h)
{
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 64;
        struct rec *v = realloc(rs->v, cap * sizeof(*v));
        if (!v)
            return -1;
        rs->v = v;
        rs->cap = cap;
    }
    struct rec *r = &rs->v[rs->n];
    memset(r, 0, sizeof(*r));
    if (hist_encode_compressed(h, &r->blob, &r->len) != 0)
        return -1;
    r->start_ms = h->start_ms;
    r->end_ms = h->end_ms;
    r->seq = (long)rs->n;
    memcpy(r->tag, h->tag, sizeof(r->tag));
    rs->n++;
    return 0;
}

static int read_log(struct recs *rs, const char *path)
{
    FILE *in = cmd_hist_util_open(path, "r");
    if (!in)
        return -1;
    struct hlog_reader r;
    hlog_reader_init(&r, in);
    r.name = path;
    char err[512];
    struct hist h;
    int rc;
    while ((rc = hlog_read_interval(&r, &h, err, sizeof(err))) == 1) {
        rc = recs_push(rs, &h);
        hist_close(&h);
        if (rc != 0) {
            snprintf(err, sizeof(err), "%s: out of memory", path);
            break;
        }
    }
    if (rc < 0)
        fprintf(stderr, "netrig hist: %s\n", err);
    if (r.have_start && (!rs->have_start || r.start_time_s < rs->start_s)) {
        rs->start_s = r.start_time_s;
        rs->have_start = true;
    }
    hlog_reader_close(&r);
    if (in != stdin)
        fclose(in);
    return rc < 0 ? -1 : 0;
}

static int rec_cmp(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    int t = strcmp(x->tag, y->tag);
    if (t != 0)
        return t;
    if (x->start_ms != y->start_ms)
        return x->start_ms < y->start_ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Writes records [i, j) as one interval (their sum). */
static int write_group(struct hlog_writer *w, const struct rec *v, size_t i, size_t j)
{
    struct hist acc, h;
    bool have = false;
    int rc = 0;
    for (size_t k = i; k < j && rc == 0; k++) {
        if (hist_decode(&h, v[k].blob, v[k].len, NULL, 0) != 0) {
            rc = -1;
            break;
        }
        h.start_ms = v[k].start_ms; /* the blob does not carry times */
        h.end_ms = v[k].end_ms;
        if (!have && hist_init(&acc, h.lowest, h.highest, h.digits) == 0)
            have = true;
        rc = have ? hist_add_grow(&acc, &h) : -1;
        hist_close(&h);
    }
    if (rc == 0) {
        memcpy(acc.tag, v[i].tag, sizeof(acc.tag));
        rc = hlog_write_interval(w, &acc);
    }
    if (have)
        hist_close(&acc);
    return rc;
}

static int write_merged(struct recs *rs, const char *path, double align_s)
{
    int64_t t0 = INT64_MAX;
    for (size_t i = 0; i < rs->n; i++)
        t0 = rs->v[i].start_ms < t0 ? rs->v[i].start_ms : t0;
    for (size_t i = 0; i < rs->n; i++) {
        struct rec *r = &rs->v[i];
        r->slot = align_s > 0 ? (int64_t)floor((double)(r->start_ms - t0) / (align_s * 1000) + 0.5)
                              : r->start_ms;
    }
    qsort(rs->v, rs->n, sizeof(*rs->v), rec_cmp);
    FILE *out = cmd_hist_util_open(path, "w");
    if (!out)
        return -1;
    struct hlog_writer w;
    /* StartTime: the earliest of the inputs' StartTimes and interval starts. */
    double start = rs->have_start ? rs->start_s : 0;
    if (rs->n && (!rs->have_start || (double)t0 / 1000.0 < start))
        start = (double)t0 / 1000.0;
    int rc = hlog_writer_init(&w, out, start, "Merged by netrig hist merge");
    for (size_t i = 0, j; i < rs->n && rc == 0; i = j) {
        for (j = i + 1; j < rs->n && align_s > 0 && rs->v[j].slot == rs->v[i].slot &&
                        strcmp(rs->v[j].tag, rs->v[i].tag) == 0;
             j++)
            ;
        rc = write_group(&w, rs->v, i, j);
    }
    if (cmd_hist_util_close(out, path) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "netrig hist: %s: could not write the merged log\n", path);
        if (strcmp(path, "-") != 0)
            remove(path);
    }
    return rc;
}

int cmd_hist_merge(int argc, char **argv)
{
    const char *out = NULL;
    double align = 0;
    struct recs rs = {0};
    int rc = 0, inputs = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-o") == 0 && next) {
            out = argv[++i];
        } else if (strcmp(a, "--align") == 0) {
            rc = cmd_hist_util_number(a, next, 0.001, &align);
            i++;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "netrig hist merge: unknown option or missing value: %s\n", a);
            rc = -1;
        } else {
            rc = read_log(&rs, a);
            inputs++;
        }
    }
    if (rc == 0 && (!out || inputs == 0)) {
        fprintf(stderr, "netrig hist merge: usage: netrig hist merge A.hlog B.hlog ... -o OUT\n");
        rc = -1;
    }
    if (rc == 0)
        rc = write_merged(&rs, out, align);
    for (size_t i = 0; i < rs.n; i++)
        free(rs.v[i].blob);
    free(rs.v);
    return rc == 0 ? 0 : 2;
}
