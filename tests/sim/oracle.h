/* oracle.h - an independent reference for the simulator's stress solver:
 * O(N^2) product integration of the Volterra equation
 *
 *     eps(t) = int_0^t J(t - s) dsigma(s)
 *
 * with sigma piecewise linear on a node list (a repeated time is a jump)
 * and the exact integral of Eq. (2)'s J over each interval (the KWW part
 * through GSL's regularised incomplete gamma function).  No Prony series,
 * no modes: it shares nothing with drivers/sim but the equation. */
#ifndef RR_ORACLE_H
#define RR_ORACLE_H

#include <math.h>
#include <stddef.h>

#include <gsl/gsl_sf_gamma.h>

typedef struct oracle_J {
    double J0, Ab, A, chi, tb, ta; /* 1/MPa, -, -, -, s, s */
    double kww_pre;                /* ta chi^(1/chi - 1) Gamma(1/chi) */
} oracle_J;

/* tau_b and tau_a at T from the design's relations (Eq. (1), Arrhenius). */
static inline oracle_J oracle_params(double E_MPa, double Ab, double A, double chi,
                                     double Eb_J_per_mol, double Tg, double tb_Tg,
                                     double ta_Tg, double T)
{
    const double R = 8.314462618;
    oracle_J o = {1 / E_MPa, Ab, A, chi, 0, 0, 0};
    o.tb = tb_Tg * exp(Eb_J_per_mol / R * (1 / T - 1 / Tg));
    double t0 = pow(tb_Tg / pow(ta_Tg, chi), 1 / (1 - chi));
    o.ta = pow(o.tb / pow(t0, 1 - chi), 1 / chi);
    o.kww_pre = o.ta * pow(chi, 1 / chi - 1) * gsl_sf_gamma(1 / chi);
    return o;
}

static inline double oracle_Jt(const oracle_J *o, double x)
{
    if (x <= 0)
        return o->J0;
    double u = x / o->ta;
    return o->J0 * (1 + o->Ab * -expm1(-x / o->tb) +
                    o->A * -expm1(-pow(u, o->chi) / o->chi) + o->A * u);
}

/* int_0^x J(s) ds, exactly. */
static inline double oracle_I(const oracle_J *o, double x)
{
    if (x <= 0)
        return 0;
    double u = x / o->ta, a = 1 / o->chi, V = pow(u, o->chi) / o->chi;
    /* int_0^x kww = ta chi^(1/chi - 1) Gamma(1/chi) P(1/chi, V) */
    double kww_int = o->kww_pre * gsl_sf_gamma_inc_P(a, V);
    double beta = x + o->tb * expm1(-x / o->tb); /* int (1 - e^{-s/tb}) */
    return o->J0 * (x + o->Ab * beta + o->A * (x - kww_int) + o->A * x * u / 2);
}

/* Solves for sigma at nodes t[0..n) given eps there.  t[0] is the first
 * jump (sigma jumps from 0); t[i] == t[i-1] is a jump.  O(n^2). */
static inline void oracle_solve(const oracle_J *o, const double *t, const double *eps,
                                double *sig, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        double known = oracle_Jt(o, t[k] - t[0]) * (k > 0 ? sig[0] : 0);
        double I_prev = oracle_I(o, t[k] - t[0]); /* I(t_k - t_{i-1}) */
        for (size_t i = 1; i < k; i++) {
            double h = t[i] - t[i - 1], ds = sig[i] - sig[i - 1];
            if (h == 0) {
                known += oracle_Jt(o, t[k] - t[i]) * ds;
                continue;
            }
            double I_i = oracle_I(o, t[k] - t[i]);
            known += ds / h * (I_prev - I_i);
            I_prev = I_i;
        }
        if (k == 0) {
            sig[0] = eps[0] / o->J0;
            continue;
        }
        double h = t[k] - t[k - 1];
        double w = h == 0 ? o->J0 : oracle_I(o, h) / h;
        sig[k] = sig[k - 1] + (eps[k] - known) / w;
    }
}

/* Appends a graded mesh after a jump at tj: tj (repeated: the jump), then
 * tj + h0, growing by factor (1 + g) until t_end, always including the
 * times listed in want[] (sorted).  Returns the new count. */
static inline size_t oracle_mesh(double *t, size_t n, size_t cap, double tj, double t_end,
                                 double h0, double g, const double *want, size_t nwant)
{
    size_t w = 0;
    while (w < nwant && want[w] <= tj)
        w++;
    if (n < cap)
        t[n++] = tj;
    double dt = h0, x = tj;
    while (x < t_end && n < cap) {
        double nx = tj + dt;
        if (w < nwant && want[w] <= nx) {
            nx = want[w++];
        }
        if (nx > t_end)
            nx = t_end;
        t[n++] = nx;
        x = nx;
        dt = fmax(h0, g * (x - tj)) + (x - tj);
    }
    return n;
}

#endif
