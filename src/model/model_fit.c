#include "model_fit.h"

#include <math.h>

/* t(0.975, dof) for dof 1..30; beyond, the Cornish-Fisher expansion around
 * the normal quantile is good to 1e-5. */
static const double t975[30] = {
    12.7062047, 4.3026527, 3.1824463, 2.7764451, 2.5705818, 2.4469119, 2.3646243, 2.3060041,
    2.2621572,  2.2281389, 2.2009852, 2.1788128, 2.1603687, 2.1447867, 2.1314495, 2.1199053,
    2.1098156,  2.1009220, 2.0930241, 2.0859634, 2.0796138, 2.0738731, 2.0686576, 2.0638986,
    2.0595386,  2.0555294, 2.0518311, 2.0484071, 2.0452296, 2.0422725,
};

double model_fit_t975(double dof)
{
    if (!(dof >= 1))
        return NAN;
    if (dof <= 30 && dof == floor(dof))
        return t975[(int)dof - 1];
    const double z = 1.959963984540054;
    double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, z9 = z7 * z * z;
    double g1 = (z3 + z) / 4;
    double g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
    double g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
    double g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160;
    return z + g1 / dof + g2 / (dof * dof) + g3 / (dof * dof * dof) + g4 / (dof * dof * dof * dof);
}

int model_fit_linear(const double *x, const double *y, size_t n, struct model_fit *f)
{
    f->n = n;
    f->slope = f->intercept = f->slope_ci = f->intercept_ci = f->r2 = f->resid_sd = NAN;
    f->x_mean = f->sxx = f->ssr = NAN;
    if (n < 2)
        return -1;
    /* Centred sums: the x values are bits per message (up to ~1e7) and the
     * y values seconds (down to ~1e-6), so raw sums of squares would lose
     * the digits that matter. */
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    double sxx = 0, sxy = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = x[i] - mx, dy = y[i] - my;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if (!(sxx > 0))
        return -1;
    f->x_mean = mx;
    f->sxx = sxx;
    f->slope = sxy / sxx;
    f->intercept = my - f->slope * mx;
    double ssr = 0;
    for (size_t i = 0; i < n; i++) {
        double r = y[i] - f->intercept - f->slope * x[i];
        ssr += r * r;
    }
    f->ssr = ssr;
    if (syy > 0)
        f->r2 = 1 - ssr / syy;
    else if (ssr == 0)
        f->r2 = 1;
    if (n > 2) {
        double dof = (double)n - 2;
        f->resid_sd = sqrt(ssr / dof);
        double t = model_fit_t975(dof);
        f->slope_ci = t * f->resid_sd / sqrt(sxx);
        f->intercept_ci = t * f->resid_sd * sqrt(1.0 / (double)n + mx * mx / sxx);
    }
    return 0;
}

double model_fit_pred_hw(const struct model_fit *f, double x, double y, bool in_fit)
{
    double n = (double)f->n, dx = x - f->x_mean;
    double h = 1 / n + dx * dx / f->sxx; /* the point's leverage */
    if (!in_fit) {
        if (f->n < 3)
            return NAN;
        return model_fit_t975(n - 2) * f->resid_sd * sqrt(1 + h);
    }
    /* Without the point the line moves by its residual e weighted by its
     * leverage, and the squares left are ssr - e^2 / (1 - h). h = 1: the
     * point alone sets its x, the others make no line there. */
    if (f->n < 4 || !(h < 1 - 1e-12))
        return NAN;
    double e = y - f->intercept - f->slope * x;
    double ssr = fmax(f->ssr - e * e / (1 - h), 0);
    return model_fit_t975(n - 3) * sqrt(ssr / (n - 3)) * sqrt(1 - h);
}
