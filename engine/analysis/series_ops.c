/* series_ops.c - validation, slicing, normalisation, log resampling and
 * curve comparison of rr_series. */
#include "series_ops.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rr_an_gsl_init(void)
{
    gsl_set_error_handler_off();
}

rr_status rr_an_fail(char *err, rr_status st, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, RR_AN_ERRLEN, fmt, ap);
        va_end(ap);
    }
    return st;
}

static const char *name_of(const rr_series *s)
{
    return s->label[0] ? s->label : "(unlabelled)";
}

rr_status rr_series_validate(const rr_series *s, char *err)
{
    for (size_t i = 0; i < s->n; i++) {
        if (!isfinite(s->t_s[i]))
            return rr_an_fail(err, RR_ERR_ARG,
                              "series '%s': time is not finite at sample %zu",
                              name_of(s), i + 1);
        if (!isfinite(s->stress_MPa[i]))
            return rr_an_fail(err, RR_ERR_ARG,
                              "series '%s': stress is not finite at sample %zu "
                              "(t_s = %g)", name_of(s), i + 1, s->t_s[i]);
        if (i > 0 && !(s->t_s[i] > s->t_s[i - 1]))
            return rr_an_fail(err, RR_ERR_ARG,
                              "series '%s': times not strictly increasing at "
                              "sample %zu (t_s = %.17g after %.17g)",
                              name_of(s), i + 1, s->t_s[i], s->t_s[i - 1]);
    }
    return RR_OK;
}

/* A new series with the same origin and label and room for n samples. */
static rr_status new_like(const rr_series *s, const char *suffix,
                          rr_series **out)
{
    char label[sizeof s->label];
    snprintf(label, sizeof label, "%s%s", s->label, suffix);
    return rr_series_new(s->t0_s, label, out);
}

rr_status rr_series_slice(const rr_series *s, double t0_s, double t1_s,
                          rr_series **out)
{
    rr_status st = new_like(s, "", out);
    for (size_t i = 0; st == RR_OK && i < s->n; i++)
        if (s->t_s[i] >= t0_s && s->t_s[i] <= t1_s)
            st = rr_series_append_rel(*out, s->t_s[i], s->temp_K[i],
                                      s->strain[i], s->stress_MPa[i]);
    if (st != RR_OK) {
        rr_series_free(*out);
        *out = NULL;
    }
    return st;
}

rr_status rr_series_normalized(const rr_series *s, rr_series **out, char *err)
{
    *out = NULL;
    if (s->n == 0)
        return rr_an_fail(err, RR_ERR_ARG, "series '%s' is empty", name_of(s));
    double s0 = s->stress_MPa[0];
    if (!isfinite(s0) || s0 == 0)
        return rr_an_fail(err, RR_ERR_ARG,
                          "series '%s': first stress is %g, cannot normalise",
                          name_of(s), s0);
    rr_status st = new_like(s, "", out);
    for (size_t i = 0; st == RR_OK && i < s->n; i++)
        st = rr_series_append_rel(*out, s->t_s[i], s->temp_K[i], s->strain[i],
                                  s->stress_MPa[i] / s0);
    if (st != RR_OK) {
        rr_series_free(*out);
        *out = NULL;
    }
    return st;
}

/* Index of the first sample with t_s >= t (n if none); times sorted. */
static size_t lower_bound(const double *t, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Linear interpolation of column y at time x (t[0] <= x <= t[n-1]). */
static double interp(const double *t, const double *y, size_t n, double x)
{
    size_t j = lower_bound(t, n, x);
    if (j == 0)
        return y[0];
    if (j >= n)
        return y[n - 1];
    double w = (x - t[j - 1]) / (t[j] - t[j - 1]);
    return y[j - 1] + w * (y[j] - y[j - 1]);
}

rr_status rr_series_resample_log(const rr_series *s, double t_min_s,
                                 double t_max_s, size_t n_points, int mean,
                                 rr_series **out, char *err)
{
    *out = NULL;
    rr_status st = rr_series_validate(s, err);
    if (st != RR_OK)
        return st;
    if (n_points < 2)
        return rr_an_fail(err, RR_ERR_ARG, "resample_log: need >= 2 points");
    size_t first = lower_bound(s->t_s, s->n, 0x1p-1000); /* first t > 0 */
    if (s->n - first < 2)
        return rr_an_fail(err, RR_ERR_ARG,
                          "series '%s': fewer than 2 samples with t_s > 0",
                          name_of(s));
    if (!(t_min_s > 0) || !(t_max_s > t_min_s))
        return rr_an_fail(err, RR_ERR_ARG,
                          "resample_log: need 0 < t_min_s < t_max_s (got %g, %g)",
                          t_min_s, t_max_s);
    t_min_s = fmax(t_min_s, s->t_s[first]);
    t_max_s = fmin(t_max_s, s->t_s[s->n - 1]);
    if (!(t_max_s > t_min_s))
        return rr_an_fail(err, RR_ERR_ARG,
                          "resample_log: range outside the recorded times");
    st = new_like(s, "", out);
    double l0 = log(t_min_s), dl = (log(t_max_s) - l0) / (double)(n_points - 1);
    const double *t = s->t_s;
    size_t n = s->n;
    for (size_t k = 0; st == RR_OK && k < n_points; k++) {
        if (!mean) {
            double x = k == n_points - 1 ? t_max_s : exp(l0 + dl * (double)k);
            st = rr_series_append_rel(*out, x, interp(t, s->temp_K, n, x),
                                      interp(t, s->strain, n, x),
                                      interp(t, s->stress_MPa, n, x));
            continue;
        }
        /* Bin k spans ln t in [l0 + (k - 1/2) dl, l0 + (k + 1/2) dl). */
        double lo = exp(l0 + dl * ((double)k - 0.5));
        double hi = exp(l0 + dl * ((double)k + 0.5));
        size_t i0 = lower_bound(t, n, fmax(lo, t_min_s));
        size_t i1 = k == n_points - 1 ? lower_bound(t, n, nextafter(t_max_s, INFINITY))
                                      : lower_bound(t, n, hi);
        if (i1 <= i0)
            continue;
        double m[4] = {0, 0, 0, 0};
        for (size_t i = i0; i < i1; i++) {
            m[0] += t[i];
            m[1] += s->temp_K[i];
            m[2] += s->strain[i];
            m[3] += s->stress_MPa[i];
        }
        double c = (double)(i1 - i0);
        st = rr_series_append_rel(*out, m[0] / c, m[1] / c, m[2] / c, m[3] / c);
    }
    if (st != RR_OK) {
        rr_series_free(*out);
        *out = NULL;
        return rr_an_fail(err, st, "resample_log: %s", rr_strerror(st));
    }
    return RR_OK;
}

/* sigma/sigma0 of series s (first stress s0) at time x inside its range:
 * the sample itself where s has one at x, else the cubic through its four
 * samples nearest x (fewer if it has fewer), in ln t or in t, whichever
 * spaces those samples more evenly (ln t for a log-time grid; t for a
 * uniform one, whose first intervals are wide in ln t).  Cubic: linear
 * interpolation of a log-resampled curve errs by ~1e-3 of sigma0 at 10
 * points a decade, far above the noise of a recorded one. */
static double curve_at(const rr_series *s, double s0, double x)
{
    const double *t = s->t_s, *y = s->stress_MPa;
    size_t n = s->n, j = lower_bound(t, n, x);
    if (j < n && t[j] == x)
        return y[j] / s0;
    size_t m = n < 4 ? n : 4;
    j = j < 1 ? 1 : j > n - 1 ? n - 1 : j; /* x in [t[j-1], t[j]] */
    size_t k0 = j >= 2 ? j - 2 : 0;
    if (k0 + m > n)
        k0 = n - m;
    int use_ln = t[k0] > 0;
    if (use_ln) {
        double gt_min = INFINITY, gt_max = 0, gl_min = INFINITY, gl_max = 0;
        for (size_t k = k0 + 1; k < k0 + m; k++) {
            double gt = t[k] - t[k - 1], gl = log(t[k] / t[k - 1]);
            gt_min = fmin(gt_min, gt);
            gt_max = fmax(gt_max, gt);
            gl_min = fmin(gl_min, gl);
            gl_max = fmax(gl_max, gl);
        }
        use_ln = gl_max / gl_min <= gt_max / gt_min;
    }
    double u[4], ux = use_ln ? log(x) : x, v = 0;
    for (size_t k = 0; k < m; k++)
        u[k] = use_ln ? log(t[k0 + k]) : t[k0 + k];
    for (size_t k = 0; k < m; k++) {
        double L = 1;
        for (size_t q = 0; q < m; q++)
            if (q != k)
                L *= (ux - u[q]) / (u[k] - u[q]);
        v += L * y[k0 + k];
    }
    return v / s0;
}

/* Times closer than this are one sample time (grids that differ only by
 * rounding, e.g. 0.5 + 0.1 i computed two ways). */
static int same_time(double ta, double tb)
{
    return fabs(ta - tb) <= 1e-9 * fmax(fabs(ta), fabs(tb));
}

rr_status rr_series_compare(const rr_series *a, const rr_series *b,
                            double *max_abs, double *rms, double *t_at_max_s,
                            size_t *n_common, char *err)
{
    rr_status st;
    if ((st = rr_series_validate(a, err)) || (st = rr_series_validate(b, err)))
        return st;
    const rr_series *ab[2] = {a, b};
    static const char *const which[2] = {"first", "second"};
    for (int k = 0; k < 2; k++) {
        if (ab[k]->n < 2)
            return rr_an_fail(err, RR_ERR_ARG,
                              "compare: series '%s' (the %s) has %zu sample%s, "
                              "need >= 2", name_of(ab[k]), which[k], ab[k]->n,
                              ab[k]->n == 1 ? "" : "s");
        if (ab[k]->stress_MPa[0] == 0)
            return rr_an_fail(err, RR_ERR_ARG,
                              "compare: series '%s' (the %s): first stress is 0, "
                              "cannot normalise", name_of(ab[k]), which[k]);
    }
    const double *ta = a->t_s, *tb = b->t_s;
    size_t na = a->n, nb = b->n;
    double a0 = a->stress_MPa[0], b0 = b->stress_MPa[0];
    double lo = fmax(ta[0], tb[0]), hi = fmin(ta[na - 1], tb[nb - 1]);
    if (!(lo <= hi) && !same_time(lo, hi))
        return rr_an_fail(err, RR_ERR_ARG,
                          "compare: series '%s' and '%s' share no time range",
                          name_of(a), name_of(b));
    /* Every sample time of either curve inside the common range (a pair
     * of equal times once); each curve is interpolated where it has no
     * sample of its own.  Symmetric in a and b. */
    double lo_in = lo - 1e-9 * fabs(lo), hi_in = hi + 1e-9 * fabs(hi);
    size_t i = lower_bound(ta, na, lo_in), j = lower_bound(tb, nb, lo_in);
    double mx = 0, ss = 0, tmx = NAN;
    size_t cnt = 0;
    for (;;) {
        int ia = i < na && ta[i] <= hi_in, ib = j < nb && tb[j] <= hi_in;
        if (!ia && !ib)
            break;
        double x, va, vb;
        if (ia && ib && same_time(ta[i], tb[j])) {
            x = 0.5 * (ta[i] + tb[j]);
            va = a->stress_MPa[i++] / a0;
            vb = b->stress_MPa[j++] / b0;
        } else if (ia && (!ib || ta[i] < tb[j])) {
            x = ta[i];
            va = a->stress_MPa[i++] / a0;
            vb = curve_at(b, b0, x);
        } else {
            x = tb[j];
            vb = b->stress_MPa[j++] / b0;
            va = curve_at(a, a0, x);
        }
        double d = va - vb;
        ss += d * d;
        cnt++;
        if (fabs(d) >= mx) {
            mx = fabs(d);
            tmx = x;
        }
    }
    if (cnt == 0)
        return rr_an_fail(err, RR_ERR_ARG,
                          "compare: series '%s' and '%s' share no time range",
                          name_of(a), name_of(b));
    *max_abs = mx;
    *rms = sqrt(ss / (double)cnt);
    *t_at_max_s = tmx;
    *n_common = cnt;
    return RR_OK;
}
