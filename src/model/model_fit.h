#ifndef NETRIG_MODEL_FIT_H
#define NETRIG_MODEL_FIT_H
/* Ordinary least squares of y = a + b x with 95 % confidence intervals
 * (Student t) and R^2: the fit behind T(B) = t0 + (B + O) / C. */
#include <stddef.h>

struct model_fit {
    size_t n;
    double slope, slope_ci;         /* b and its 95 % half width */
    double intercept, intercept_ci; /* a and its 95 % half width */
    double r2;                      /* NaN when y does not vary and the fit is not exact */
    double resid_sd;                /* residual standard deviation, n - 2 dof */
};

/* Fits y = a + b x over n points. Needs n >= 2 and at least two distinct
 * x; with n == 2 the line is exact and the intervals are NaN. Returns 0 or
 * -1 when the points do not define a line. */
int model_fit_linear(const double *x, const double *y, size_t n, struct model_fit *f);

/* The 97.5 % quantile of Student's t distribution with dof degrees of
 * freedom (the factor of a two-sided 95 % interval); NaN for dof < 1. */
double model_fit_t975(double dof);

#endif
