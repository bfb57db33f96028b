/* eq2.c - Eq. (2) creep compliance, its exact integral, and the
 * relaxation modulus by product integration of the Volterra equation. */
#include "eq2.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdlib.h>

#include "series_ops.h"

rr_status rr_eq2_check(const rr_eq2 *p, char *err)
{
    if (!(p->E_el > 0) || !(p->A_beta >= 0) || !(p->A >= 0) ||
        !(p->tau_beta_s > 0) || !(p->tau_alpha_s > 0) || !(p->chi > 0) ||
        !(p->chi <= 1) || !isfinite(p->E_el) || !isfinite(p->A_beta) ||
        !isfinite(p->A) || !isfinite(p->tau_beta_s) || !isfinite(p->tau_alpha_s))
        return rr_an_fail(err, RR_ERR_ARG,
                          "eq2: need E_el > 0, A_beta >= 0, A >= 0, tau_beta_s "
                          "> 0, tau_alpha_s > 0, 0 < chi <= 1 (got %g, %g, %g, "
                          "%g, %g, %g)", p->E_el, p->A_beta, p->tau_beta_s, p->A,
                          p->tau_alpha_s, p->chi);
    return RR_OK;
}

double rr_eq2_creep(const rr_eq2 *p, double t)
{
    double z = pow(t / p->tau_alpha_s, p->chi) / p->chi;
    return 1 / p->E_el - p->A_beta * expm1(-t / p->tau_beta_s) -
           p->A * expm1(-z) + p->A * t / p->tau_alpha_s;
}

/* Integral from 0 to x of 1 - exp(-(1/chi)(u/tau)^chi) du. */
static double kww_integral(double x, double tau, double chi)
{
    double z = pow(x / tau, chi) / chi;
    if (z < 1) {
        /* sum_k (-1)^(k+1) z^k / (k! (k chi + 1)) times x: no cancellation */
        double term = 1, sum = 0;
        for (int k = 1; k < 40; k++) {
            term *= -z / k;
            double add = -term / (k * chi + 1);
            sum += add;
            if (fabs(add) < 1e-17 * fabs(sum))
                break;
        }
        return x * sum;
    }
    double a = 1 / chi;
    gsl_sf_result P;
    if (gsl_sf_gamma_inc_P_e(a, z, &P) != GSL_SUCCESS)
        return NAN;
    return x - tau * pow(chi, a - 1) * tgamma(a) * P.val;
}

double rr_eq2_creep_integral(const rr_eq2 *p, double x)
{
    rr_an_gsl_init();
    double tb = p->tau_beta_s, ta = p->tau_alpha_s;
    return x / p->E_el + p->A_beta * (x + tb * expm1(-x / tb)) +
           p->A * kww_integral(x, ta, p->chi) + p->A * x * x / (2 * ta);
}

double rr_eq1_tau_alpha(double tau_beta_s, double t0_s, double chi)
{
    return exp((log(tau_beta_s) - (1 - chi) * log(t0_s)) / chi);
}

rr_status rr_eq2_relaxation(const rr_eq2 *p, const double *t_s, size_t n,
                            double per_decade, double *E, char *err)
{
    rr_an_gsl_init();
    rr_status st = rr_eq2_check(p, err);
    if (st != RR_OK)
        return st;
    if (!(per_decade > 0))
        per_decade = 40;
    double tmax = 0, tmin = INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!(t_s[i] >= 0) || !isfinite(t_s[i]))
            return rr_an_fail(err, RR_ERR_ARG,
                              "eq2: t_s[%zu] = %g must be finite and >= 0", i + 1,
                              t_s[i]);
        tmax = fmax(tmax, t_s[i]);
        if (t_s[i] > 0)
            tmin = fmin(tmin, t_s[i]);
    }
    if (n == 0 || tmax == 0) {
        for (size_t i = 0; i < n; i++)
            E[i] = p->E_el;
        return RR_OK;
    }
    /* Grid: 0, then g0 .. tmax graded in ln t. */
    double g0 = 1e-4 * fmin(fmin(p->tau_beta_s, p->tau_alpha_s), tmin);
    size_t N = (size_t)ceil(per_decade * log10(tmax / g0)) + 2;
    if (N > 5000) /* the cost grows as N^2 */
        return rr_an_fail(err, RR_ERR_RANGE,
                          "eq2: %zu grid points needed (> 5000): time range too "
                          "wide for per_decade = %g", N, per_decade);
    double *s = malloc(N * sizeof *s), *e = malloc(N * sizeof *e);
    double *m = malloc(N * sizeof *m);
    if (!s || !e || !m) {
        free(s);
        free(e);
        free(m);
        return rr_an_fail(err, RR_ERR_NOMEM, "eq2: out of memory");
    }
    s[0] = 0;
    double dl = log(tmax / g0) / (double)(N - 2);
    for (size_t k = 1; k < N; k++)
        s[k] = k == N - 1 ? tmax : g0 * exp(dl * (double)(k - 1));
    e[0] = p->E_el;
    double J0 = 1 / p->E_el;
    for (size_t k = 1; k < N; k++) {
        /* 1 = J(t) E0 + sum_j m_j [I(t - s_j) - I(t - s_j+1)] */
        double t = s[k], acc = rr_eq2_creep(p, t) / J0;
        double Iprev = rr_eq2_creep_integral(p, t - s[0]);
        for (size_t j = 0; j + 1 < k; j++) {
            double Inext = rr_eq2_creep_integral(p, t - s[j + 1]);
            acc += m[j] * (Iprev - Inext);
            Iprev = Inext;
        }
        m[k - 1] = (1 - acc) / Iprev; /* Iprev = I(t - s_{k-1}) */
        e[k] = e[k - 1] + m[k - 1] * (s[k] - s[k - 1]);
    }
    for (size_t i = 0; i < n; i++) {
        double t = t_s[i];
        if (t <= s[1]) {
            E[i] = e[0] + m[0] * t;
            continue;
        }
        size_t k = (size_t)floor(log(t / g0) / dl) + 1; /* s[k] <= t */
        if (k >= N - 1)
            k = N - 2;
        while (k > 1 && s[k] > t)
            k--;
        while (k + 2 < N && s[k + 1] < t)
            k++;
        double w = (log(t) - log(s[k])) / (log(s[k + 1]) - log(s[k]));
        E[i] = e[k] + w * (e[k + 1] - e[k]);
        if (!isfinite(E[i])) {
            free(s);
            free(e);
            free(m);
            return rr_an_fail(err, RR_ERR_NUMERIC, "eq2: relaxation not finite");
        }
    }
    free(s);
    free(e);
    free(m);
    return RR_OK;
}
