#include "confint.h"

#include <math.h>

/* t(0.975, df) for df = 1..30, to four decimals. */
static const double t975_table[30] = {
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
    2.2010,  2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
    2.0796,  2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
};

double confint_t975(unsigned df)
{
    if (df == 0)
        return NAN;
    if (df <= 30)
        return t975_table[df - 1];
    /* Cornish-Fisher: t = z + g1/v + g2/v^2 + g3/v^3 + g4/v^4 around the
     * normal quantile z; four terms are exact to 1e-6 from v = 31 on. */
    const double z = 1.959963984540054, v = df;
    double z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2;
    double g1 = (z3 + z) / 4;
    double g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
    double g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
    double g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160;
    return z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v);
}

void confint_mean95(const double *x, size_t n, struct confint *out)
{
    size_t k = 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isnan(x[i])) {
            sum += x[i];
            k++;
        }
    }
    out->n = k;
    out->mean = k ? sum / (double)k : NAN;
    out->sd = out->half = out->lo = out->hi = NAN;
    if (k < 2)
        return;
    /* Two passes: the sum of squared deviations, not sum(x^2) - n*mean^2,
     * which loses everything when the spread is small beside the mean. */
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            ss += (x[i] - out->mean) * (x[i] - out->mean);
    out->sd = sqrt(ss / (double)(k - 1));
    out->half = confint_t975((unsigned)(k - 1)) * out->sd / sqrt((double)k);
    out->lo = out->mean - out->half;
    out->hi = out->mean + out->half;
}

bool confint_overlap(const struct confint *a, const struct confint *b)
{
    if (isnan(a->half) || isnan(b->half))
        return true;
    return a->lo <= b->hi && b->lo <= a->hi;
}
