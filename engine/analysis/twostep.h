/* twostep.h - the two-step fit of a normalised relaxation curve and the
 * verdict "two-step or single-step".
 *
 * Model:  y(t) = c + a1 exp(-t/tau_1) + a2 exp(-(t/tau_2)^b)
 * (a Debye beta step, a stretched slow step, an offset).  Fitted by
 * variable projection: a1, a2 and c are solved exactly by linear least
 * squares for each (ln tau_1, ln(tau_2/tau_1), b), which the nonlinear
 * solver varies within bounds (tau_1 in [t_first/100, 100 t_last],
 * tau_2/tau_1 in [1.5, 1e12], b in [0.1, 1]).  Starts: tau_1 at the first
 * peak of -dy/dln t (or the window's geometric middle), 2 t_first and
 * t_last/5, times tau_2/tau_1 = 30 and 1e4, b = 0.5, on data averaged in
 * log bins (30 a decade, weighted by counts); the best is
 * polished on all samples.  Standard errors and covariance of all six
 * parameters come from the full Jacobian at the answer.  A nonlinear
 * parameter within 1e-4 of a bound (in ln tau_1, ln(tau_2/tau_1), b: the
 * solver stops up to ~1e-5 short of a bound it is pressed against) is
 * flagged in at_bound; its error is not meaningful.
 *
 * Verdict (all must hold for two_step):
 *  1. beta visible: the beta decay inside the window,
 *     a1 (exp(-t_first/tau_1) - exp(-t_last/tau_1)), is at least
 *     min_beta_snr (10) times the residual rms;
 *  2. tau_1 inside the window: t_first/2 <= tau_1 <= t_last/10 (a tau_1
 *     at either of its bounds is outside, and the verdict says so);
 *  3. separated steps, when the slow step is resolved (its decay inside
 *     the window is at least min_beta_snr x the rms; otherwise tau_2 is
 *     undetermined and the rule is skipped): tau_2 >= min_tau_ratio (100)
 *     tau_1, and tau_2/tau_1 not at its lower bound 1.5 (the fit merges
 *     its two terms into one step), whatever min_tau_ratio;
 *  4. a dip: the smoothed -dy/dln t falls after the beta peak to at most
 *     max_dip_ratio (0.5) of that peak (beta peak = the largest value at
 *     t <= 3 tau_1; the dip = the smallest value after it).
 * The verdict string names the first rule that fails.  tau_2/tau_1 at its
 * upper bound 1e12 (the slow step far beyond the window: tau2_at_bound)
 * and b at 0.1 or 1 do not decide the verdict; a two-step verdict names
 * them.
 */
#ifndef RR_TWOSTEP_H
#define RR_TWOSTEP_H

#include <stddef.h>

#include "logderiv.h"
#include "status.h"

typedef struct rr_twostep_opts {
    double min_beta_snr;  /* default 10 */
    double min_tau_ratio; /* default 100 */
    double max_dip_ratio; /* default 0.5 */
    rr_logderiv_opts deriv; /* for the starts and rule 4 */
} rr_twostep_opts;

/* Parameter order of cov[]: a1, tau_1, a2, tau_2, b, c. */
typedef struct rr_twostep {
    double a1, tau1_s, a2, tau2_s, beta, c;
    double se[6];
    double cov[36];
    double rss, noise_rms;   /* residual sum of squares, sqrt(rss/dof) */
    size_t n, dof;
    int converged, niter, tau2_at_bound; /* tau2_at_bound: at_bound[1] > 0 */
    int at_bound[3];         /* tau_1, tau_2/tau_1, b: -1 at the lower bound,
                                +1 at the upper, 0 inside */
    double t_first_s, t_last_s;
    double beta_visible;     /* beta decay inside the window */
    double alpha_visible;    /* slow-step decay inside the window */
    double beta_peak, dip;   /* rule 4: -dy/dln t values */
    int tau1_near_edge;      /* within a decade of an end: biased */
    int two_step;
    char verdict[256];
} rr_twostep;

/* Fits y(t) (n samples, t strictly increasing, all > 0, finite; y
 * normally sigma/sigma0).  opts may be NULL.  RR_ERR_ARG for bad input
 * (message in err), RR_ERR_NUMERIC if no start could be fitted. */
rr_status rr_twostep_fit(const double *t_s, const double *y, size_t n,
                         const rr_twostep_opts *opts, rr_twostep *out,
                         char *err);

#endif
