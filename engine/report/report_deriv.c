/* report_deriv.c - log-time derivative, log binning and a straight line fit
 * for the report's plots (see report_deriv.h for the methods). */
#include "report_deriv.h"

#include <math.h>
#include <stdlib.h>

/* First index i in [lo, n) with t[i] >= x (t increasing). */
static size_t lower_bound(const double *t, size_t lo, size_t n, double x)
{
    size_t hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

rr_status rr_report_logderiv(const double *t_s, const double *y, size_t n,
                             double window_decades, double step_decades,
                             double **t_out, double **d_out, size_t *m)
{
    *t_out = *d_out = NULL;
    *m = 0;
    if (!(window_decades > 0) || !(step_decades > 0) || n < 3)
        return RR_ERR_ARG;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(t_s[i]) || !isfinite(y[i]) || t_s[i] <= 0 ||
            (i > 0 && !(t_s[i] > t_s[i - 1])))
            return RR_ERR_ARG;
    }
    double half = window_decades / 2;
    double g0 = log10(t_s[0]) + half, g1 = log10(t_s[n - 1]) - half;
    if (g1 < g0)
        return RR_OK; /* the record is shorter than one window */
    size_t cap = (size_t)floor((g1 - g0) / step_decades + 1e-9) + 1;
    double *tt = malloc(cap * sizeof *tt), *dd = malloc(cap * sizeof *dd);
    if (!tt || !dd) {
        free(tt);
        free(dd);
        return RR_ERR_NOMEM;
    }
    size_t k = 0;
    for (size_t g = 0; g < cap; g++) {
        double lg = g0 + (double)g * step_decades;
        /* The window's samples, found by bisection in t. */
        size_t lo = lower_bound(t_s, 0, n, pow(10, lg - half) * (1 - 1e-12));
        size_t hi = lower_bound(t_s, lo, n, pow(10, lg + half) * (1 + 1e-12));
        size_t cnt = hi - lo;
        if (cnt < 3)
            continue;
        /* Centred sums keep the regression well conditioned. */
        double xm = 0, ym = 0;
        for (size_t i = lo; i < hi; i++) {
            xm += log(t_s[i]);
            ym += y[i];
        }
        xm /= (double)cnt;
        ym /= (double)cnt;
        double sxx = 0, sxy = 0;
        for (size_t i = lo; i < hi; i++) {
            double dx = log(t_s[i]) - xm;
            sxx += dx * dx;
            sxy += dx * (y[i] - ym);
        }
        if (!(sxx > 0))
            continue;
        tt[k] = pow(10, lg);
        dd[k] = -sxy / sxx;
        k++;
    }
    *t_out = tt;
    *d_out = dd;
    *m = k;
    return RR_OK;
}

size_t rr_report_logbin(const double *t_s, const double *y, size_t n,
                        double bins_per_decade, double *t_out, double *y_out,
                        size_t cap)
{
    size_t k = 0, cnt = 0;
    double st = 0, sy = 0;
    long bin = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(t_s[i] > 0) || !isfinite(t_s[i]) || !isfinite(y[i]))
            continue;
        long b = (long)floor(log10(t_s[i]) * bins_per_decade);
        if (cnt > 0 && b != bin) { /* close the previous bin */
            if (k == cap)
                return k;
            t_out[k] = st / (double)cnt;
            y_out[k] = sy / (double)cnt;
            k++;
            cnt = 0;
            st = sy = 0;
        }
        bin = b;
        st += t_s[i];
        sy += y[i];
        cnt++;
    }
    if (cnt > 0 && k < cap) {
        t_out[k] = st / (double)cnt;
        y_out[k] = sy / (double)cnt;
        k++;
    }
    return k;
}

rr_status rr_report_linefit(const double *x, const double *y, size_t n,
                            double *a, double *b, double *se_b)
{
    double xm = 0, ym = 0;
    size_t cnt = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(x[i]) && isfinite(y[i])) {
            xm += x[i];
            ym += y[i];
            cnt++;
        }
    }
    if (cnt < 2)
        return RR_ERR_ARG;
    xm /= (double)cnt;
    ym /= (double)cnt;
    double sxx = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(x[i]) && isfinite(y[i])) {
            sxx += (x[i] - xm) * (x[i] - xm);
            sxy += (x[i] - xm) * (y[i] - ym);
        }
    }
    if (!(sxx > 0))
        return RR_ERR_ARG;
    *b = sxy / sxx;
    *a = ym - *b * xm;
    *se_b = NAN;
    if (cnt > 2) {
        double ss = 0;
        for (size_t i = 0; i < n; i++) {
            if (isfinite(x[i]) && isfinite(y[i])) {
                double r = y[i] - (*a + *b * x[i]);
                ss += r * r;
            }
        }
        *se_b = sqrt(ss / (double)(cnt - 2) / sxx);
    }
    return RR_OK;
}
