#ifndef NETRIG_MODEL_FIT_H
#define NETRIG_MODEL_FIT_H
/* Ordinary least squares of y = a + b x with 95 % confidence intervals
 * (Student t) and R^2: the fit behind T(B) = t0 + (B + O) / C. */
#include <stdbool.h>
#include <stddef.h>

struct model_fit {
    size_t n;
    double slope, slope_ci;         /* b and its 95 % half width */
    double intercept, intercept_ci; /* a and its 95 % half width */
    double r2;                      /* NaN when y does not vary and the fit is not exact */
    double resid_sd;                /* residual standard deviation, n - 2 dof */
    double x_mean, sxx, ssr;        /* mean of x, sum of (x - mean)^2, of squared residuals */
};

/* Fits y = a + b x over n points. Needs n >= 2 and at least two distinct
 * x; with n == 2 the line is exact and the intervals are NaN. Returns 0 or
 * -1 when the points do not define a line. */
int model_fit_linear(const double *x, const double *y, size_t n, struct model_fit *f);

/* Half width of the 95 % prediction interval for the point (x, y), around
 * the line at x. A point that is not one of the n fitted (in_fit false):
 * t(n - 2) s sqrt(1 + 1/n + (x - mean)^2 / sxx). One of them (in_fit
 * true): the interval the other n - 1 points give it, moved to be centred
 * on this line (deleted residual: t(n - 3) s_(i) sqrt(1 - h)), so that an
 * outlier does not widen its own interval with its own residual; compare
 * it with |y - (a + b x)|. NaN when too few points are left for a degree
 * of freedom (n < 4 in the fit, n < 3 outside it). */
double model_fit_pred_hw(const struct model_fit *f, double x, double y, bool in_fit);

/* The 97.5 % quantile of Student's t distribution with dof degrees of
 * freedom (the factor of a two-sided 95 % interval); NaN for dof < 1. */
double model_fit_t975(double dof);

#endif
