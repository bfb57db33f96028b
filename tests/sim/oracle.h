/* oracle.h - an independent reference for the simulator's stress solver:
 * O(N^2) product integration of the Volterra equation
 *
 *     eps(t) = int_0^t J(t - s) dsigma(s)
 *
 * with sigma piecewise linear on a node list (a repeated time is a jump)
 * and the exact integral of Eq. (2)'s J over each interval (the KWW part
 * through GSL's regularised incomplete gamma function).  No Prony series,
 * no modes: it shares nothing with drivers/sim but the equation.
 *
 * At changing temperature (oracle_solve_xi) each term of J runs on its own
 * reduced time, xi_b = int dt / tau_b(T(t)) for the beta step and
 * xi_a = int dt / tau_a(T(t)) for the KWW step and the flow term, which is
 * what Eq. (2) with temperature-dependent tau_b and tau_a means for a
 * material whose terms are each thermorheologically simple
 * (docs/simulator.md); sigma is taken piecewise linear in each reduced
 * time over an interval, and the reduced times come from Gauss-Legendre
 * quadrature of the Arrhenius law and Eq. (1) over the temperature
 * history. */
#ifndef RR_ORACLE_H
#define RR_ORACLE_H

#include <math.h>
#include <stddef.h>

#include <gsl/gsl_sf_gamma.h>

typedef struct oracle_J {
    double J0, Ab, A, chi, tb, ta; /* 1/MPa, -, -, -, s, s */
    double kww_pre;                /* ta chi^(1/chi - 1) Gamma(1/chi) */
    double Eb_over_R_K, Tg_K, tb_Tg_s, t0_s; /* for the taus at another T */
} oracle_J;

/* tau_b and tau_a at T from the design's relations (Eq. (1), Arrhenius). */
static inline void oracle_taus(const oracle_J *o, double T, double *tb, double *ta)
{
    *tb = o->tb_Tg_s * exp(o->Eb_over_R_K * (1 / T - 1 / o->Tg_K));
    *ta = pow(*tb / pow(o->t0_s, 1 - o->chi), 1 / o->chi);
}

static inline oracle_J oracle_params(double E_MPa, double Ab, double A, double chi,
                                     double Eb_J_per_mol, double Tg, double tb_Tg,
                                     double ta_Tg, double T)
{
    const double R = 8.314462618;
    oracle_J o = {1 / E_MPa, Ab, A, chi, 0, 0, 0, Eb_J_per_mol / R, Tg, tb_Tg, 0};
    o.t0_s = pow(tb_Tg / pow(ta_Tg, chi), 1 / (1 - chi));
    oracle_taus(&o, T, &o.tb, &o.ta);
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

/* The creep terms on reduced times, per unit J0: the kernels (xb, xa > 0)
 * and their integrals from 0 (xb: beta; xa: KWW plus flow). */
static inline double oracle_Kb(const oracle_J *o, double x) { return o->Ab * -expm1(-x); }
static inline double oracle_Ka(const oracle_J *o, double x)
{
    return o->A * (-expm1(-pow(x, o->chi) / o->chi) + x);
}
static inline double oracle_Ib(const oracle_J *o, double x) { return o->Ab * (x + expm1(-x)); }
static inline double oracle_Ia(const oracle_J *o, double x)
{
    double a = 1 / o->chi, V = pow(x, o->chi) / o->chi;
    double kww_int = o->kww_pre / o->ta * gsl_sf_gamma_inc_P(a, V);
    return o->A * (x - kww_int + x * x / 2);
}
/* Mean kernel over an interval whose reduced-time separations from the
 * evaluation time run from x1 (its start) down to x2 (its end).  Where the
 * interval is short against x2 the difference of integrals would cancel:
 * the midpoint kernel is then exact to (x1 - x2)^2 / x2^2 < 1e-8. */
static inline double oracle_mean_b(const oracle_J *o, double x1, double x2)
{
    if (x1 - x2 <= 1e-4 * x2)
        return oracle_Kb(o, (x1 + x2) / 2);
    return (oracle_Ib(o, x1) - oracle_Ib(o, x2)) / (x1 - x2);
}
static inline double oracle_mean_a(const oracle_J *o, double x1, double x2)
{
    if (x1 - x2 <= 1e-4 * x2)
        return oracle_Ka(o, (x1 + x2) / 2);
    return (oracle_Ia(o, x1) - oracle_Ia(o, x2)) / (x1 - x2);
}

/* Solves for sigma at nodes t[0..n) given eps there, with the reduced
 * times xb[], xa[] at the nodes (any origin).  t[0] is the first jump;
 * t[i] == t[i-1] is a jump.  O(n^2). */
static inline void oracle_solve_xi(const oracle_J *o, const double *t, const double *xb,
                                   const double *xa, const double *eps, double *sig,
                                   size_t n)
{
    sig[0] = eps[0] / o->J0;
    for (size_t k = 1; k < n; k++) {
        /* the first jump, then each earlier interval */
        double known = (1 + oracle_Kb(o, xb[k] - xb[0]) + oracle_Ka(o, xa[k] - xa[0])) * sig[0];
        for (size_t i = 1; i < k; i++) {
            double ds = sig[i] - sig[i - 1];
            double wb = t[i] == t[i - 1] ? oracle_Kb(o, xb[k] - xb[i])
                                         : oracle_mean_b(o, xb[k] - xb[i - 1], xb[k] - xb[i]);
            double wa = t[i] == t[i - 1] ? oracle_Ka(o, xa[k] - xa[i])
                                         : oracle_mean_a(o, xa[k] - xa[i - 1], xa[k] - xa[i]);
            known += (1 + wb + wa) * ds;
        }
        known *= o->J0;
        /* the last interval: sigma rises from sig[k-1] to the unknown */
        double w = t[k] == t[k - 1]
                       ? o->J0
                       : o->J0 * (1 + oracle_mean_b(o, xb[k] - xb[k - 1], 0) +
                                  oracle_mean_a(o, xa[k] - xa[k - 1], 0));
        sig[k] = sig[k - 1] + (eps[k] - known) / w;
    }
}

/* Reduced times at the nodes for the temperature history T(t) (K), from
 * 0 at t[0]: 3-point Gauss-Legendre on each interval. */
static inline void oracle_reduced_times(const oracle_J *o, double (*T)(double, void *),
                                        void *ctx, const double *t, size_t n, double *xb,
                                        double *xa)
{
    static const double gx[3] = {-0.7745966692414834, 0, 0.7745966692414834};
    static const double gw[3] = {5.0 / 9, 8.0 / 9, 5.0 / 9};
    xb[0] = xa[0] = 0;
    for (size_t i = 1; i < n; i++) {
        double h = t[i] - t[i - 1], sb = 0, sa = 0;
        for (int q = 0; q < 3 && h > 0; q++) {
            double tb, ta;
            oracle_taus(o, T(t[i - 1] + h * (1 + gx[q]) / 2, ctx), &tb, &ta);
            sb += gw[q] / tb;
            sa += gw[q] / ta;
        }
        xb[i] = xb[i - 1] + h / 2 * sb;
        xa[i] = xa[i - 1] + h / 2 * sa;
    }
}

/* Appends a graded mesh after a jump at tj: tj (repeated: the jump), then
 * tj + h0, growing by factor (1 + g) until t_end, always including the
 * times listed in want[] (sorted).  Returns the new count. */
static inline size_t oracle_mesh_capped(double *t, size_t n, size_t cap, double tj,
                                        double t_end, double h0, double g, double h_max,
                                        const double *want, size_t nwant);
static inline size_t oracle_mesh(double *t, size_t n, size_t cap, double tj, double t_end,
                                 double h0, double g, const double *want, size_t nwant)
{
    return oracle_mesh_capped(t, n, cap, tj, t_end, h0, g, INFINITY, want, nwant);
}

/* The same, with no interval longer than h_max (for a temperature that
 * changes: the reduced times are then resolved on the oracle's own grid). */
static inline size_t oracle_mesh_capped(double *t, size_t n, size_t cap, double tj,
                                        double t_end, double h0, double g, double h_max,
                                        const double *want, size_t nwant)
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
        dt = fmin(fmax(h0, g * (x - tj)), h_max) + (x - tj);
    }
    return n;
}

#endif
