/* Percentile iteration and the .hgrm percentile distribution text, byte for
 * byte what Java's outputPercentileDistribution prints, so that reports
 * from netrig and from the HdrHistogram tools can be diffed. */
#include "hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void hist_pct_iter_init(struct hist_pct_iter *it, const struct hist *h, int ticks_per_half)
{
    memset(it, 0, sizeof(*it));
    it->h = h;
    it->ticks_per_half = ticks_per_half < 1 ? 1 : ticks_per_half;
    it->index = -1;
    it->done = h->total_count <= 0;
}

static void advance_level(struct hist_pct_iter *it)
{
    /* Ticks double with each halving of the distance to 100 %. */
    double halvings = log(100.0 / (100.0 - it->level)) / log(2.0);
    int64_t k = halvings < 60.0 ? (int64_t)halvings : 60;
    int64_t ticks = (int64_t)it->ticks_per_half * ((int64_t)1 << (k + 1));
    it->level += 100.0 / (double)ticks;
}

static bool emit(struct hist_pct_iter *it)
{
    it->value = hist_highest_equivalent(it->h, hist_value_from_index(it->h, it->index));
    it->percentile = it->level;
    it->cum_count = it->cum;
    return true;
}

bool hist_pct_iter_next(struct hist_pct_iter *it)
{
    const struct hist *h = it->h;
    int64_t n = h->total_count;
    if (it->done)
        return false;
    if (it->cum >= n && it->index >= 0) {
        /* One last row at 100 % from the last populated slot. */
        it->done = true;
        it->level = 100.0;
        return emit(it);
    }
    if (it->index >= 0) {
        advance_level(it);
    } else {
        it->index = 0;
        it->cum = h->counts[0];
    }
    for (;;) {
        if (h->counts[it->index] != 0 && (100.0 * (double)it->cum) / (double)n >= it->level)
            return emit(it);
        if (it->index + 1 >= h->counts_len) {
            it->done = true; /* only reachable if counts and total disagree */
            return false;
        }
        it->index++;
        it->cum += h->counts[it->index];
    }
}

/* The shortest decimal digits that read back as |v| (what Java's
 * Double.toString gives): |v| = 0.<dig> * 10^(*exp10). Returns the digit
 * count. */
static int shortest_digits(double v, char dig[24], int *exp10)
{
    char sci[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(sci, sizeof(sci), "%.*e", p - 1, fabs(v));
        if (strtod(sci, NULL) == fabs(v))
            break;
    }
    int nd = 0;
    const char *m = sci;
    for (; *m && *m != 'e'; m++)
        if (*m >= '0' && *m <= '9')
            dig[nd++] = *m;
    *exp10 = atoi(m + 1) + 1;
    return nd;
}

/* Java's %.Nf: the shortest decimal that reads back as v, rounded half up
 * at N decimals. C's printf rounds the exact binary value instead, which
 * differs on ties such as 0.0015 or 0.25 at one decimal. */
void hist_fmt_java(char *out, size_t cap, double v, int prec)
{
    if (isnan(v) || isinf(v) || prec < 0 || prec > 40) {
        snprintf(out, cap, "%s",
                 isnan(v)   ? "NaN"
                 : isinf(v) ? (v < 0 ? "-Infinity" : "Infinity")
                            : "?");
        return;
    }
    char dig[24];
    int e, nd = shortest_digits(v, dig, &e);
    /* f: integer digits then fraction digits, int_len before the point
     * (|e| <= 324, so f never holds more than ~370 digits). */
    char f[400];
    int len = 0, int_len = e > 0 ? e : 1;
    for (int z = 0; z < 1 - e; z++)
        f[len++] = '0';
    memcpy(f + len, dig, (size_t)nd);
    len += nd;
    int keep = int_len + prec;
    while (len <= keep)
        f[len++] = '0';
    int carry_at = keep - 1;
    if (f[keep] >= '5') {
        while (carry_at >= 0 && f[carry_at] == '9')
            f[carry_at--] = '0';
        if (carry_at >= 0) {
            f[carry_at]++;
        } else {
            memmove(f + 1, f, (size_t)keep++);
            f[0] = '1';
            int_len++;
        }
    }
    char buf[420];
    int n = 0;
    if (signbit(v))
        buf[n++] = '-';
    for (int i = 0; i < keep; i++) {
        if (i == int_len)
            buf[n++] = '.';
        buf[n++] = f[i];
    }
    buf[n] = '\0';
    snprintf(out, cap, "%s", buf);
}

static void put_fixed(FILE *out, int width, double v, int prec)
{
    char s[420];
    hist_fmt_java(s, sizeof(s), v, prec);
    fprintf(out, "%*s", width, s);
}

static void write_footer(FILE *out, const struct hist *h, double scale, int d)
{
    fputs("#[Mean    = ", out);
    put_fixed(out, 12, hist_mean(h) / scale, d);
    fputs(", StdDeviation   = ", out);
    put_fixed(out, 12, hist_stddev(h) / scale, d);
    fputs("]\n#[Max     = ", out);
    put_fixed(out, 12, (double)hist_max(h) / scale, d);
    fprintf(out, ", Total count    = %12lld]\n", (long long)h->total_count);
    fprintf(out, "#[Buckets = %12d, SubBuckets     = %12d]\n", h->bucket_count,
            h->sub_bucket_count);
}

void hist_write_hgrm(FILE *out, const struct hist *h, int ticks_per_half, double scale, bool csv)
{
    int d = h->digits;
    if (csv)
        fputs("\"Value\",\"Percentile\",\"TotalCount\",\"1/(1-Percentile)\"\n", out);
    else
        fprintf(out, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
                "1/(1-Percentile)");
    struct hist_pct_iter it;
    hist_pct_iter_init(&it, h, ticks_per_half);
    while (hist_pct_iter_next(&it)) {
        double frac = it.percentile / 100.0;
        bool last = it.percentile == 100.0;
        put_fixed(out, csv ? 0 : 12, (double)it.value / scale, d);
        fputs(csv ? "," : " ", out);
        put_fixed(out, csv ? 0 : 2, frac, 12);
        fprintf(out, csv ? ",%lld" : " %10lld", (long long)it.cum_count);
        if (last) {
            fputs(csv ? ",Infinity\n" : "\n", out);
        } else {
            fputs(csv ? "," : " ", out);
            put_fixed(out, csv ? 0 : 14, 1.0 / (1.0 - frac), 2);
            fputs("\n", out);
        }
    }
    if (!csv)
        write_footer(out, h, scale, d);
}
