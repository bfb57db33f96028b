/* material.c - Eq. (2) of the design as a sum of Kelvin (retardation) modes
 * plus a dashpot, and the O(N*M) stress solver.
 *
 *   J(t) = J0 [1 + A_b (1 - e^{-t/tau_b}) + A (1 - kww(t/tau_a)) + A t/tau_a]
 *   kww(u) = exp(-(1/chi) u^chi) ~= sum_k g_k exp(-u/lambda_k)   (Prony)
 *
 * so J(t) = J0 + sum_k c_k (1 - e^{-t/tau_k}) + t/eta.  For any strain
 * history eps(t) = J0 sigma + sum_k y_k + eps_dash, with each Kelvin strain
 * obeying tau_k y_k' + y_k = c_k sigma and the dashpot eps_dash' = sigma/eta.
 * Over a step of length h with sigma linear in time every y_k is updated
 * exactly; the strain at the end of the step fixes the new stress through
 * one scalar linear equation.  A strain jump is the step h = 0: the stress
 * jumps by d_eps / J0 exactly.  All mode time constants follow the sample
 * temperature (tau_b Arrhenius, tau_a through Eq. (1)).
 */
#include <math.h>
#include <string.h>

#include "sim_internal.h"

#define PRONY_MODES_PER_DECADE 3.0
#define PRONY_TOL 1e-7 /* KWW mass below u_min, in units of 1/E */

void sim_material_taus(const sim_material *m, double T_K, double *tau_b_s,
                       double *tau_a_s)
{
    double ln_tb = log(m->tau_b0_s) + m->Eb_over_R_K / T_K;
    *tau_b_s = exp(ln_tb);
    if (m->chi < 1)
        *tau_a_s = exp((ln_tb - (1 - m->chi) * log(m->t0_s)) / m->chi);
    else
        *tau_a_s = *tau_b_s * m->alpha_over_beta;
}

/* The fit takes ~20 ms and depends only on (chi, A): keep the last few per
 * thread, so opening many simulators (tests, sweeps of presets) is cheap. */
#define FIT_CACHE 4
static _Thread_local struct {
    double chi, A;
    rr_prony fit;
} fit_cache[FIT_CACHE];
static _Thread_local unsigned fit_next;

size_t sim_material_prony_modes(double chi, double A_alpha)
{
    double u_min, u_max;
    rr_prony_kww_range(chi, A_alpha, PRONY_TOL, &u_min, &u_max);
    return rr_prony_kww_modes(chi, u_min, u_max, PRONY_MODES_PER_DECADE);
}

static rr_status prony_for(double chi, double A, rr_prony *out)
{
    for (unsigned i = 0; i < FIT_CACHE; i++)
        if (fit_cache[i].fit.n && fit_cache[i].chi == chi && fit_cache[i].A == A) {
            *out = fit_cache[i].fit;
            return RR_OK;
        }
    double u_min, u_max;
    rr_prony_kww_range(chi, A, PRONY_TOL, &u_min, &u_max);
    rr_status st = rr_prony_fit_kww(chi, u_min, u_max, PRONY_MODES_PER_DECADE, out);
    if (st != RR_OK)
        return st;
    unsigned i = fit_next++ % FIT_CACHE;
    fit_cache[i].chi = chi;
    fit_cache[i].A = A;
    fit_cache[i].fit = *out;
    return RR_OK;
}

rr_status sim_material_init(sim_material *m, const sim_params *p, bool keep_state)
{
    if (!keep_state)
        memset(m, 0, sizeof *m);
    m->J0 = 1 / p->E_MPa;
    m->chi = p->chi;
    m->A_alpha = p->A_alpha;
    m->Eb_over_R_K = p->E_beta_kJ_per_mol * 1e3 / SIM_GAS_R;
    m->tau_b0_s = p->tau_beta_Tg_s * exp(-m->Eb_over_R_K / p->Tg_K);
    /* Eq. (1) at Tg: t0^(1-chi) = tau_b(Tg) / tau_a(Tg)^chi */
    if (p->chi < 1)
        m->t0_s = exp((log(p->tau_beta_Tg_s) - p->chi * log(p->tau_alpha_Tg_s)) /
                      (1 - p->chi));
    else
        m->t0_s = 0;
    m->alpha_over_beta = p->tau_alpha_Tg_s / p->tau_beta_Tg_s;

    /* Refit only for a new chi: a new A shifts the needed u range a little,
     * not enough to lose the strain history for. */
    if (m->prony.n == 0 || m->prony_chi != p->chi) {
        rr_status st = prony_for(p->chi, p->A_alpha, &m->prony);
        if (st != RR_OK)
            return st;
        m->prony_chi = p->chi;
        m->prony_A = p->A_alpha;
        keep_state = false; /* a new mode set: the old state means nothing */
        memset(m->y, 0, sizeof m->y);
        m->eps_dash = 0;
    }
    m->n = 1 + m->prony.n;
    m->c[0] = p->A_beta * m->J0;
    m->lam[0] = 1;
    for (size_t k = 0; k < m->prony.n; k++) {
        m->c[k + 1] = p->A_alpha * m->J0 * m->prony.g[k];
        m->lam[k + 1] = m->prony.lambda[k];
    }
    if (!keep_state) {
        memset(m->y, 0, sizeof m->y);
        m->eps_dash = m->sigma = m->eps = 0;
    } else {
        /* New strengths: keep the strain, recompute the stress from it. */
        double s = 0;
        for (size_t k = 0; k < m->n; k++)
            s += m->y[k];
        m->sigma = (m->eps - s - m->eps_dash) / m->J0;
    }
    m->c_h = -1; /* invalidate the cache */
    return RR_OK;
}

/* Weights of sigma0 and sigma1 in the exact update of one mode over a step
 * with linear stress: y1 = y0 e + c (p sigma0 + q sigma1), x = h / tau. */
static void mode_weights(double x, double *e, double *p, double *q)
{
    if (x < 1e-3) { /* series: avoids cancellation in (1 - e)/x, and exp */
        double x2 = x * x, x3 = x2 * x;
        *e = 1 - x + x2 / 2 - x3 / 6 + x2 * x2 / 24;
        *p = x / 2 - x2 / 3 + x3 / 8;
        *q = x / 2 - x2 / 6 + x3 / 24;
    } else if (x > 40) { /* e < 4e-18: the mode is at equilibrium */
        *e = 0;
        *p = 1 / x;
        *q = 1 - 1 / x;
    } else {
        double em1 = -expm1(-x); /* 1 - e */
        *e = 1 - em1;
        *p = em1 / x - *e;
        *q = 1 - em1 / x;
    }
}

static void coefficients(sim_material *m, double h, double T_K)
{
    sim_material_taus(m, T_K, &m->tau_b_s, &m->tau_a_s);
    double sum = 0, sum_p = 0;
    for (size_t k = 0; k < m->n; k++) {
        double tau = m->lam[k] * (k == 0 ? m->tau_b_s : m->tau_a_s);
        double e, p, q;
        mode_weights(h / tau, &e, &p, &q);
        m->e[k] = e;
        m->cp[k] = m->c[k] * p;
        m->cq[k] = m->c[k] * q;
        sum += m->cq[k];
        sum_p += m->cp[k];
    }
    m->sum_cq = sum;
    m->sum_cp = sum_p;
    m->dash_h = h * m->A_alpha * m->J0 / (2 * m->tau_a_s);
    m->min_tau_s = fmin(m->tau_b_s, m->lam[m->n - 1 > 0 ? 1 : 0] * m->tau_a_s);
    m->c_h = h;
    m->c_T = T_K;
}

double sim_material_step(sim_material *m, double h, double T_K, double eps_end)
{
    if (h <= 0) { /* a jump: only the instantaneous compliance responds */
        m->sigma += (eps_end - m->eps) / m->J0;
        m->eps = eps_end;
        return m->sigma;
    }
    /* Steps on a sample grid differ in the last bits of h: a relative
     * difference of 1e-9 (0.1 ns in 0.1 s) changes nothing physical. */
    if (T_K != m->c_T || fabs(h - m->c_h) > 1e-9 * h)
        coefficients(m, h, T_K);
    const double s0 = m->sigma;
    const size_t n = m->n;
    double *restrict y = m->y;
    const double *restrict e = m->e, *restrict cp = m->cp, *restrict cq = m->cq;
    /* sum_k y_k e_k with four partial sums (lets the compiler vectorise) */
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        a0 += y[k] * e[k];
        a1 += y[k + 1] * e[k + 1];
        a2 += y[k + 2] * e[k + 2];
        a3 += y[k + 3] * e[k + 3];
    }
    for (; k < n; k++)
        a0 += y[k] * e[k];
    double acc = (a0 + a1) + (a2 + a3) + m->sum_cp * s0;
    double s1 = (eps_end - acc - m->eps_dash - m->dash_h * s0) /
                (m->J0 + m->sum_cq + m->dash_h);
    for (k = 0; k < n; k++)
        y[k] = y[k] * e[k] + cp[k] * s0 + cq[k] * s1;
    m->eps_dash += m->dash_h * (s0 + s1);
    m->sigma = s1;
    m->eps = eps_end;
    return s1;
}

double sim_material_J_modes(const sim_material *m, double t_s, double T_K)
{
    double tb, ta;
    sim_material_taus(m, T_K, &tb, &ta);
    double J = m->J0 + t_s * m->A_alpha * m->J0 / ta;
    for (size_t k = 0; k < m->n; k++)
        J += m->c[k] * -expm1(-t_s / (m->lam[k] * (k == 0 ? tb : ta)));
    return J;
}

double sim_material_J_exact(const sim_params *p, double t_s, double T_K)
{
    sim_material m;
    memset(&m, 0, sizeof m);
    m.chi = p->chi;
    m.Eb_over_R_K = p->E_beta_kJ_per_mol * 1e3 / SIM_GAS_R;
    m.tau_b0_s = p->tau_beta_Tg_s * exp(-m.Eb_over_R_K / p->Tg_K);
    if (p->chi < 1)
        m.t0_s = exp((log(p->tau_beta_Tg_s) - p->chi * log(p->tau_alpha_Tg_s)) /
                     (1 - p->chi));
    m.alpha_over_beta = p->tau_alpha_Tg_s / p->tau_beta_Tg_s;
    double tb, ta;
    sim_material_taus(&m, T_K, &tb, &ta);
    double u = t_s / ta;
    return (1 + p->A_beta * -expm1(-t_s / tb) +
            p->A_alpha * (1 - rr_kww_decay(u, p->chi)) + p->A_alpha * u) /
           p->E_MPa;
}

void sim_material_Jstar(const sim_material *m, double w, double T_K,
                        double *J1, double *J2)
{
    double tb, ta;
    sim_material_taus(m, T_K, &tb, &ta);
    double re = m->J0, im = m->A_alpha * m->J0 / (w * ta);
    for (size_t k = 0; k < m->n; k++) {
        double wt = w * m->lam[k] * (k == 0 ? tb : ta);
        double d = 1 + wt * wt;
        re += m->c[k] / d;
        im += m->c[k] * wt / d;
    }
    *J1 = re;
    *J2 = im;
}

void sim_material_osc_response(const sim_material *m, double w, double amp, double T_K,
                               double *sr, double *si)
{
    /* strain amp sin = Re[-i amp e^{i w t}]; sigma^ = eps^ / J*, J* = J1 - i J2 */
    double J1, J2;
    sim_material_Jstar(m, w, T_K, &J1, &J2);
    double d = J1 * J1 + J2 * J2; /* -i amp (J1 + i J2) / d */
    *sr = amp * J2 / d;
    *si = -amp * J1 / d;
}

void sim_material_periodic(sim_material *m, double w, double amp, double phase,
                           double T_K, double sign)
{
    double tb, ta, sr, si;
    sim_material_taus(m, T_K, &tb, &ta);
    sim_material_osc_response(m, w, amp, T_K, &sr, &si);
    double c = cos(phase), sn = sin(phase);
    /* Re[X e^{i phase}] = Re X cos - Im X sin */
    for (size_t k = 0; k < m->n; k++) {
        double wt = w * m->lam[k] * (k == 0 ? tb : ta);
        double d = 1 + wt * wt; /* c_k sigma^ / (1 + i wt) */
        double yr = m->c[k] * (sr + si * wt) / d, yi = m->c[k] * (si - sr * wt) / d;
        m->y[k] += sign * (yr * c - yi * sn);
    }
    /* dashpot: sigma^ / (i w eta) = -i sigma^ (A J0 / (w tau_a)) */
    double g = m->A_alpha * m->J0 / (w * ta);
    m->eps_dash += sign * ((si * g) * c - (-sr * g) * sn);
    m->sigma += sign * (sr * c - si * sn);
    m->eps += sign * amp * sn;
}
