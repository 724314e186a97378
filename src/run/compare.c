#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const int compare_metric[COMPARE_N] = {SUMMARY_GOODPUT, SUMMARY_P50, SUMMARY_P99};

static bool same(double x, double y)
{
    return (isnan(x) && isnan(y)) || x == y;
}

bool compare_same_params(const struct test_result *x, const struct test_result *y)
{
    return strcmp(x->proto, y->proto) == 0 && strcmp(x->mode, y->mode) == 0 &&
           same(x->size_bytes, y->size_bytes) && same(x->resp_bytes, y->resp_bytes) &&
           same(x->conns, y->conns) && same(x->threads, y->threads) &&
           same(x->pipeline, y->pipeline) && same(x->rate_target, y->rate_target);
}

static void fill(struct compare_pair *p, double threshold_pct)
{
    for (int k = 0; k < COMPARE_N; k++) {
        const struct confint *ca = &p->a->ci[compare_metric[k]];
        const struct confint *cb = &p->b->ci[compare_metric[k]];
        double ch = NAN;
        if (!isnan(ca->mean) && !isnan(cb->mean) && ca->mean != 0)
            ch = (cb->mean - ca->mean) / ca->mean * 100;
        p->change_pct[k] = ch;
        p->differs[k] = !confint_overlap(ca, cb);
        /* Less goodput is worse; more latency is worse. */
        double worse = k == COMPARE_GOODPUT ? -ch : ch;
        p->regression[k] = threshold_pct >= 0 && !isnan(ch) && worse > threshold_pct;
    }
}

/* The unused step of b with a's parameters; with_name also asks for
 * a's step name. */
static long find(const struct summary_step *a, const struct summary_step *b, size_t nb,
                 const bool *used, bool with_name)
{
    for (size_t j = 0; j < nb; j++)
        if (!used[j] && compare_same_params(&a->first, &b[j].first) &&
            (!with_name || strcmp(a->first.step, b[j].first.step) == 0))
            return (long)j;
    return -1;
}

long compare_pairs(const struct summary_step *a, size_t na, const struct summary_step *b, size_t nb,
                   double threshold_pct, struct compare_pair **out)
{
    struct compare_pair *p = calloc(na + nb + 1, sizeof(*p));
    bool *used = calloc(nb + 1, sizeof(*used));
    if (!p || !used) {
        free(p);
        free(used);
        return -1;
    }
    for (size_t i = 0; i < na; i++)
        p[i].a = &a[i];
    /* Same parameters and name first, so that steps differing only in
     * what the CSV does not show (reverse, link ...) pair up by name;
     * then same parameters under a new name. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < na; i++) {
            if (p[i].b)
                continue;
            long j = find(&a[i], b, nb, used, pass == 0);
            if (j >= 0) {
                used[j] = true;
                p[i].b = &b[j];
                fill(&p[i], threshold_pct);
            }
        }
    }
    size_t n = na;
    for (size_t j = 0; j < nb; j++)
        if (!used[j])
            p[n++].b = &b[j];
    free(used);
    *out = p;
    return (long)n;
}

int compare_load(const char *run, struct summary_step **steps, size_t *n, char *err, size_t errlen)
{
    char path[4096];
    struct stat st;
    if (stat(run, &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(path, sizeof(path), "%s/summary.csv", run);
    else
        snprintf(path, sizeof(path), "%s", run);
    struct test_result *rows = NULL;
    size_t nrows = 0;
    if (summary_read_csv(path, &rows, &nrows, err, errlen) != 0)
        return -1;
    int rc = 0;
    if (nrows == 0) {
        snprintf(err, errlen, "%s: no rows", path);
        rc = -1;
    } else if (summary_group(rows, nrows, steps, n) != 0) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    free(rows);
    return rc;
}
