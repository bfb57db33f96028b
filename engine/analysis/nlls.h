/* nlls.h - bounded nonlinear least squares on top of gsl_multifit_nlinear.
 *
 * Minimises sum_i r_i(x)^2 over the free parameters of x.  The caller
 * supplies the residual function (and optionally its Jacobian) on the
 * FULL parameter vector in its own ("external") units; this layer removes
 * fixed parameters from the problem, maps bounded ones through a smooth
 * transform, runs GSL's trust-region solver, restarts it from its own
 * answer until the sum of squares stops falling, and computes standard
 * errors and covariance in external units.
 *
 * Bounds transform (free parameter u seen by GSL, x the user's value):
 *   lower and upper:  x = lo + (hi - lo) (1 + sin u) / 2   (as MINUIT)
 *   lower only:       x = lo + exp(u)
 *   upper only:       x = hi - exp(u)
 * A start value on a bound is moved inside by 1e-6 of the range (two-sided)
 * or by 1e-6 max(1, |bound|) (one-sided).  Standard errors come from the
 * Jacobian in x at the answer; a parameter within 1e-9 of the range of
 * its bound is flagged at_bound and its error is not meaningful.
 *
 * Without df, the Jacobian comes from central differences, step
 * cbrt(eps) max(|x|, |x0|) (1 if x0 = 0); where that step would leave the
 * bounds, a one-sided step towards the side with more room (shortened to
 * that room when the range is narrower than the step); where the model is
 * not finite at a difference point, the one-sided differences are tried
 * before giving up.  A failure names the parameter.
 */
#ifndef RR_NLLS_H
#define RR_NLLS_H

#include <stddef.h>

#include "status.h"

/* Residuals r[0..n-1] at the full parameter vector x[0..p-1].  Return 0,
 * or non-zero to abort the fit (the caller keeps its own message). */
typedef int (*rr_nlls_f)(const double *x, double *r, void *user);
/* Jacobian dr_i/dx_j into J[i*p + j] (row-major, all p columns; columns of
 * fixed parameters are ignored).  Same return convention. */
typedef int (*rr_nlls_df)(const double *x, double *J, void *user);

/* Trust-region methods: Levenberg-Marquardt, LM with geodesic
 * acceleration, or both from the same start keeping the smaller sum of
 * squares (the default: each fails on problems the other solves). */
enum rr_nlls_method { RR_NLLS_BOTH = 0, RR_NLLS_LM = 1, RR_NLLS_LMACCEL = 2 };

typedef struct rr_nlls_problem {
    size_t n, p;          /* residuals, parameters (fixed included) */
    rr_nlls_f f;          /* required */
    rr_nlls_df df;        /* NULL: central differences */
    void *user;           /* passed to f and df */
    const double *x0;     /* p start values (borrowed) */
    const double *lower;  /* p values or NULL; -INFINITY: no bound */
    const double *upper;  /* p values or NULL; +INFINITY: no bound */
    const unsigned char *fixed; /* p flags or NULL */
    size_t n_zero_weight; /* residuals with zero weight (default 0).  Such
                             a residual is 0 with a zero Jacobian row: it
                             adds nothing to the fit, so the degrees of
                             freedom are n - n_zero_weight - free
                             parameters, and fewer weighted residuals than
                             free parameters is RR_ERR_ARG */
    /* Options (0 picks the default shown). */
    int max_iter;         /* 1000 per run */
    double xtol;          /* 1e-12: relative step */
    double gtol;          /* 1e-13: scaled gradient */
    int method;           /* RR_NLLS_BOTH (default), _LM or _LMACCEL */
    int absolute_sigma;   /* 1: covariance not scaled by rss/dof */
    int no_jacobian_check; /* 1: skip comparing df with central differences
                              at the start (a relative difference > 1 %
                              in any free column is RR_ERR_ARG) */
} rr_nlls_problem;

typedef struct rr_nlls_result {
    size_t p;
    double *x;            /* p answers */
    double *se;           /* p standard errors (0 for fixed; NaN if dof 0) */
    double *cov;          /* p*p covariance, row-major (0 rows for fixed) */
    unsigned char *at_bound; /* p flags */
    double rss;           /* sum of squared residuals at x */
    size_t dof;           /* n - n_zero_weight - free parameters */
    int niter, nfev, njev, restarts;
    int converged;        /* 1 if a convergence test passed */
    char reason[96];      /* "small step", "small gradient", "max iterations"... */
} rr_nlls_result;

/* Solves pb.  RR_OK: the solver ran; see res->converged.  RR_ERR_ARG:
 * misuse (message in err: no free parameter, fewer residuals (or weighted
 * residuals) than free parameters, a start value outside its bounds or not
 * finite, lower > upper, a Jacobian that disagrees with central
 * differences at the start).  RR_ERR_NUMERIC: residuals not finite at the
 * start values or at the answer (err names the first bad residual), a
 * solver breakdown (err names the parameter whose derivative could not be
 * computed, when that is the cause).  RR_ERR_ABORTED: f or df
 * returned non-zero (the caller has the reason).  RR_ERR_NOMEM.
 * res is filled on RR_OK only; release it with rr_nlls_result_clear. */
rr_status rr_nlls_solve(const rr_nlls_problem *pb, rr_nlls_result *res,
                        char *err);
void rr_nlls_result_clear(rr_nlls_result *res); /* NULL-safe, idempotent */

#endif
