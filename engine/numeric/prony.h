/* prony.h - sums of decaying exponentials fitted by non-negative least
 * squares (Lawson-Hanson, with GSL's QR for the unconstrained subproblems).
 *
 * The simulator represents the stretched-exponential (KWW) part of the creep
 * compliance as a Prony series in the reduced time u = t/tau_alpha:
 *
 *     exp(-(1/chi) u^chi)  ~=  sum_k g_k exp(-u / lambda_k),   g_k >= 0,
 *
 * with lambda_k log-spaced (a few per decade) over the u range a run can
 * need.  The stretched exponential is completely monotone, so non-negative
 * weights exist and every mode is a physical (Kelvin) retardation element.
 *
 * Ownership: all arrays are caller-provided; nothing is allocated that the
 * caller must free.
 */
#ifndef RR_NUMERIC_PRONY_H
#define RR_NUMERIC_PRONY_H

#include <stddef.h>

#include "status.h"

#define RR_PRONY_MAX 128

typedef struct rr_prony {
    size_t n;                    /* number of modes */
    double lambda[RR_PRONY_MAX]; /* mode time constants, units of tau_alpha */
    double g[RR_PRONY_MAX];      /* weights, >= 0, summing to 1 */
    double u_min, u_max;         /* range the fit covers */
    double max_abs_err;          /* largest |fit - exact| on a check grid */
} rr_prony;

/* Non-negative least squares: minimise |A x - b| subject to x >= 0.
 * A is m x n, row-major; x gets n values.  RR_ERR_NUMERIC if it does not
 * converge, RR_ERR_NOMEM on allocation failure. */
rr_status rr_nnls(const double *A, size_t m, size_t n, const double *b,
                  double *x);

/* exp(-(1/chi) u^chi), the relaxing part of Eq. (2)'s alpha term. */
double rr_kww_decay(double u, double chi);

/* Fits the KWW decay for stretch chi in (0, 1] with modes_per_decade modes
 * per decade of lambda over [u_min, u_max].  chi = 1 gives the single exact
 * mode lambda = 1.  The weights are normalised to sum to 1, so the Prony
 * series equals the KWW decay exactly at u = 0. */
rr_status rr_prony_fit_kww(double chi, double u_min, double u_max,
                           double modes_per_decade, rr_prony *out);

/* How many modes rr_prony_fit_kww places over [u_min, u_max] (it refuses
 * more than RR_PRONY_MAX with RR_ERR_RANGE). */
size_t rr_prony_kww_modes(double chi, double u_min, double u_max,
                          double modes_per_decade);

/* The range of u over which the fit must hold so that the KWW term of a
 * compliance with amplitude A (in units of 1/E) is represented to about
 * tol: below u_min the term is below tol, above u_max the decay is below
 * exp(-40). */
void rr_prony_kww_range(double chi, double A, double tol, double *u_min,
                        double *u_max);

#endif
