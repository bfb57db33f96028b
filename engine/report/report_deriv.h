/* report_deriv.h - the numerics the plots need, kept small and separate so
 * that they can be tested against analytic cases.
 *
 * These are the report's own simple methods, for drawing; the fitted and
 * peak-finding versions live in engine/analysis.
 */
#ifndef RR_REPORT_DERIV_H
#define RR_REPORT_DERIV_H

#include <stddef.h>

#include "status.h"

/* The log-time derivative -dy/d ln t of y(t), smoothed.
 *
 * Method: a grid equally spaced in log10 t (step_decades apart) runs from
 * log10 t_first + w/2 to log10 t_last - w/2, w = window_decades.  At each
 * grid point t_k, y = a + b ln t is fitted by ordinary least squares to the
 * raw samples with |log10 t - log10 t_k| <= w/2, and -b is the value.
 * Points whose window holds fewer than 3 samples are left out.  A wider
 * window smooths more and flattens peaks: for a Debye step
 * y = 1 - f (1 - exp(-t/tau)) the exact curve f (t/tau) exp(-t/tau) peaks
 * at tau with height f/e; w = 0.2 lowers the peak by about 0.5 % (tests:
 * 0.01830 for f/e = 0.01839 at tau = 21.7 s, top grid point 21.8 s).
 *
 * t_s must be strictly increasing with t > 0, all values finite.  On
 * success *t_out and *d_out (caller frees with free()) hold *m points;
 * *m may be 0 when the record spans less than the window.  RR_ERR_ARG for
 * bad input or options, RR_ERR_NOMEM. */
rr_status rr_report_logderiv(const double *t_s, const double *y, size_t n,
                             double window_decades, double step_decades,
                             double **t_out, double **d_out, size_t *m);

/* Decimates y(t) for plotting: samples with t > 0 fall into bins of
 * 1/bins_per_decade decades in log10 t; each non-empty bin gives the mean t
 * and mean y of its samples.  Writes at most cap points to t_out, y_out
 * (bins beyond cap are dropped) and returns how many.  t_s increasing. */
size_t rr_report_logbin(const double *t_s, const double *y, size_t n,
                        double bins_per_decade, double *t_out, double *y_out,
                        size_t cap);

/* Least-squares line y = a + b x over the n points with finite x and y.
 * *se_b is the standard error of b (NaN with fewer than 3 points).
 * RR_ERR_ARG with fewer than 2 usable points or all x equal. */
rr_status rr_report_linefit(const double *x, const double *y, size_t n,
                            double *a, double *b, double *se_b);

#endif
