/* eq2.h - the material model of the paper: Eq. (2) creep compliance, the
 * relaxation modulus it implies, and the Eq. (1) coupling.
 *
 *   J(t) = 1/E_el + A_b [1 - exp(-t/tau_b)]
 *          + A {1 - exp[-(1/chi)(t/tau_a)^chi]} + A t/tau_a        (2)
 *   tau_a = (tau_b / t0^(1-chi))^(1/chi)                            (1)
 *
 * Units: times in s, compliances in 1/(unit of E_el) (E_el is normalised
 * to 1 in the reference parameter set; scale by a real modulus in MPa).
 */
#ifndef RR_EQ2_H
#define RR_EQ2_H

#include <stddef.h>

#include "status.h"

typedef struct rr_eq2 {
    double E_el, A_beta, tau_beta_s, A, tau_alpha_s, chi;
} rr_eq2;

/* Checks E_el > 0, A_beta >= 0, A >= 0, taus > 0, 0 < chi <= 1. */
rr_status rr_eq2_check(const rr_eq2 *p, char *err);

/* J(t) for t >= 0. */
double rr_eq2_creep(const rr_eq2 *p, double t_s);

/* The integral of J from 0 to x (exact; the KWW part through the
 * regularised incomplete gamma function, a series for small arguments). */
double rr_eq2_creep_integral(const rr_eq2 *p, double x_s);

/* Relaxation modulus E(t) (stress per unit strain after a strain step at
 * t = 0) at the n times t_s[] (any order, >= 0), by solving
 * integral J(t - s) dE(s) = 1 with product integration: E piecewise
 * linear on a grid graded in ln t (per_decade points a decade, default
 * 40, from 1e-4 of the shortest time scale), J integrated exactly; then
 * interpolated linearly in ln t.  Accuracy ~1e-5 E_el at 40 a decade.
 * Cost O(N^2) in the grid size N; RR_ERR_RANGE beyond N = 5000. */
rr_status rr_eq2_relaxation(const rr_eq2 *p, const double *t_s, size_t n,
                            double per_decade, double *E, char *err);

/* Eq. (1): tau_alpha from tau_beta, t0 and chi. */
double rr_eq1_tau_alpha(double tau_beta_s, double t0_s, double chi);

#endif
