/* fits.h - the small fits of the analysis: Arrhenius, KWW, loss peaks,
 * Eq. (1) coupling and Eq. (2) creep / relaxation curves.
 *
 * All return RR_OK with a filled result, or RR_ERR_ARG (bad input, named
 * in err) / RR_ERR_NUMERIC (the fit could not be computed).
 */
#ifndef RR_FITS_H
#define RR_FITS_H

#include <stddef.h>

#include "eq2.h"
#include "status.h"

#define RR_GAS_CONSTANT 8.314462618 /* J/(mol K) */

/* ln tau = ln tau0 + E/(R T), fitted as ln tau = a + b (1/T - xbar) with
 * xbar the (weighted) mean of 1/T, so that a and b are uncorrelated. */
typedef struct rr_arrhenius {
    double E_kJ_per_mol, se_E_kJ_per_mol;
    double ln_tau0, se_ln_tau0, tau0_s;
    double cov[4];     /* covariance of (ln tau0, E_kJ_per_mol) */
    double corr;       /* their correlation (close to -1: why we centre) */
    double a, se_a, b_K, se_b_K, xbar_per_K; /* the centred fit */
    double rss;        /* of ln tau (weighted if se given) */
    size_t n, dof;
} rr_arrhenius;

/* T_K, tau_s: n >= 3 points (T > 0, tau > 0, finite, 1/T not all equal).
 * se_tau_s: NULL, or standard errors of tau (> 0): weights 1/(se/tau)^2.
 * absolute: with se_tau_s, do not scale the covariance by rss/dof. */
rr_status rr_arrhenius_fit(const double *T_K, const double *tau_s,
                           const double *se_tau_s, size_t n, int absolute,
                           rr_arrhenius *out, char *err);

/* y = A exp(-(t/tau)^beta) + c, by variable projection over (ln tau in
 * [ln(t_first/1e3), ln(1e6 t_last)], beta in [0.05, 1]); A and c linear
 * (c fixed at 0 if no_offset).  A parameter within 1e-4 of a bound (in
 * ln tau, in beta) is flagged in at_bound: e.g. beta = 1 for a compressed
 * decay, which the model cannot follow; its error is not meaningful. */
typedef struct rr_kww {
    double A, tau_s, beta, c;
    double se[4];      /* of A, tau_s, beta, c */
    double cov[16];
    double rss, noise_rms;
    size_t n, dof;
    int converged;
    int at_bound[2];   /* tau_s, beta: -1 lower bound, +1 upper, 0 inside */
} rr_kww;
rr_status rr_kww_fit(const double *t_s, const double *y, size_t n,
                     int no_offset, rr_kww *out, char *err);

/* Loss-peak location in a scan x (frequency in Hz or temperature in K,
 * strictly increasing) of a loss y (E'' or tan delta): the highest point,
 * refined by a least-squares parabola in ln y (in y if some y <= 0)
 * through the points within half_width (finite, > 0) of it (in ln f for
 * log_x, in x otherwise; at least 3 points).  refined: the parabola has
 * its maximum inside those points, and x_peak, y_peak, se_x_peak and used
 * are its; otherwise (edge, or no such maximum) x_peak is the highest
 * point itself, se_x_peak NaN and used 1.  edge: the highest point is the
 * first or last of the scan. */
typedef struct rr_losspeak {
    double x_peak, y_peak, se_x_peak;
    size_t index, used;
    int edge, refined;
} rr_losspeak;
rr_status rr_losspeak_find(const double *x, const double *y, size_t n,
                           int log_x, double half_width, rr_losspeak *out,
                           char *err);

/* Eq. (1) fit: ln tau_b = chi ln tau_a + (1 - chi) ln t0 over points
 * (tau_a_s, tau_b_s); slope chi and t0 with standard errors.  At chi = 1
 * t0 drops out of Eq. (1): t0_s and se_ln_t0 are then NaN, as they are
 * when chi is so close to 1 that t0 over- or underflows. */
typedef struct rr_eq1fit {
    double chi, se_chi, t0_s, se_ln_t0, rss;
    size_t n;
} rr_eq1fit;
rr_status rr_eq1_fit(const double *tau_alpha_s, const double *tau_beta_s,
                     size_t n, rr_eq1fit *out, char *err);

/* Eq. (2) fit of a creep compliance J(t) (kind 0) or a relaxation modulus
 * E(t) (kind 1) sampled at t_s.  p0 gives the start; fixed[k] keeps
 * parameter k (order E_el, A_beta, tau_beta, A, tau_alpha, chi) at p0.
 * Bounds: E_el, taus > 0; amplitudes >= 0; chi in [0.05, 1]. */
typedef struct rr_eq2fit {
    rr_eq2 p;
    double se[6], cov[36];
    double rss;
    size_t n, dof;
    int converged, niter;
} rr_eq2fit;
rr_status rr_eq2_fit(const double *t_s, const double *y, size_t n, int kind,
                     const rr_eq2 *p0, const unsigned char fixed[6],
                     double per_decade, rr_eq2fit *out, char *err);

#endif
