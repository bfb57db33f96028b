/* la60.h - simulated La60Ni15Al25 stress relaxations for the analysis
 * tests and benchmarks, from the parameter set of design.md:
 * E_el = 1, A_b = 0.05263, A = 1.5, chi = 0.44, E_b = 83 kJ/mol,
 * tau_b0 = 3.942e-13 s, t0 = 3.503e-7 s, tau_a from Eq. (1).
 * The modulus comes from rr_eq2_relaxation (product integration of Eq. (2),
 * checked in test_eq2.c against the analytic Debye case); samples run from
 * 0.5 s at 10 Hz with Gaussian noise of rel_noise * sigma0 (fixed seed).
 */
#ifndef RR_TEST_LA60_H
#define RR_TEST_LA60_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "eq2.h"

#define LA60_EB_J_PER_MOL 83000.0
#define LA60_TAU_B0_S 3.942e-13
#define LA60_T0_S 3.503e-7
#define LA60_R 8.314462618

static inline rr_eq2 la60_params(double T_K)
{
    double tb = LA60_TAU_B0_S * exp(LA60_EB_J_PER_MOL / (LA60_R * T_K));
    rr_eq2 p = {.E_el = 1, .A_beta = 0.05263, .tau_beta_s = tb, .A = 1.5,
                .chi = 0.44};
    p.tau_alpha_s = rr_eq1_tau_alpha(tb, LA60_T0_S, p.chi);
    return p;
}

/* xorshift64* and Box-Muller: a small reproducible normal generator. */
static inline double la60_normal(uint64_t *s)
{
    double u[2];
    for (int k = 0; k < 2; k++) {
        *s ^= *s >> 12;
        *s ^= *s << 25;
        *s ^= *s >> 27;
        u[k] = ((double)((*s * 2685821657736338717ULL) >> 11) + 0.5) * 0x1p-53;
    }
    return sqrt(-2 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

/* n samples t = 0.5 + 0.1 i s of sigma/sigma0 (noisy), into t and y
 * (caller-allocated).  Returns 0 on success. */
static inline int la60_relaxation(double T_K, size_t n, double rel_noise,
                                  uint64_t seed, double *t, double *y)
{
    rr_eq2 p = la60_params(T_K);
    for (size_t i = 0; i < n; i++)
        t[i] = 0.5 + 0.1 * (double)i;
    if (rr_eq2_relaxation(&p, t, n, 40, y, NULL) != RR_OK)
        return -1;
    uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1;
    double s0 = y[0] + rel_noise * y[0] * la60_normal(&s);
    double e0 = y[0];
    for (size_t i = 0; i < n; i++) {
        double noisy = i == 0 ? s0 : y[i] + rel_noise * e0 * la60_normal(&s);
        y[i] = noisy / s0;
    }
    return 0;
}

#endif
