/* logderiv.h - the smoothed log-time derivative d y / d ln t and its peaks.
 *
 * Method: the samples (t > 0) are averaged into bins equally spaced in
 * ln t (per_decade bins a decade); at each non-empty bin a quadratic in
 * ln t is fitted by weighted least squares (weights = samples per bin) to
 * the bins within +- window_decades, and its slope is the derivative.
 * The standard error of each slope propagates the noise of the samples,
 * estimated once from pseudo-residuals (each sample against the line
 * through its two neighbours), through the weighted local fit.  Windows
 * are cut at the ends of the record, so values within about a decade of
 * either end are biased: peaks there are flagged near_edge.  A bin with no
 * other bin inside its window has no derivative (NaN in d and se, counted
 * in undetermined); a record where no bin has one is an error.
 *
 * Peaks must stand out of the noise (min_snr standard errors) and exceed
 * an absolute floor, min_abs_height times the largest |y| (sigma0 for a
 * normalised curve) per unit of ln t, in height and prominence: on
 * noise-free data the noise estimate is 0 and the rounding-level ripples
 * of a flat curve would otherwise pass as peaks.
 */
#ifndef RR_LOGDERIV_H
#define RR_LOGDERIV_H

#include <stddef.h>

#include "status.h"

typedef struct rr_logderiv_opts {
    double per_decade;     /* bins per decade (default 20) */
    double window_decades; /* half-width of the local fit (default 0.15) */
    double min_snr;        /* peak kept if height and prominence exceed
                              min_snr standard errors (default 5) */
    double min_rel_height; /* ... and reach this fraction of the highest
                              value of -dy/dln t (default 0.01) */
    double min_abs_height; /* ... and, in height and prominence, exceed
                              this fraction of max |y| (default 1e-6) */
} rr_logderiv_opts;

typedef struct rr_logpeak {
    double t_s;        /* vertex of a parabola through the top 3 points */
    double height;     /* -dy/dln t at the peak (decay counts positive) */
    double prominence; /* above the higher of the two bases around it */
    double se;         /* standard error of the derivative there */
    double min_after;  /* lowest -dy/dln t between it and the next peak
                          (or the end) */
    int near_edge;     /* within a decade of either end of the record */
    size_t index;      /* grid point of the top */
} rr_logpeak;

typedef struct rr_logderiv {
    size_t m;          /* grid points */
    double *t_s;       /* geometric mean time of each bin (exp of the
                          mean ln t of its samples) */
    double *d;         /* dy/dln t (negative for a decay) */
    double *se;        /* standard error of d (NaN when undetermined) */
    size_t *count;     /* samples in each bin */
    size_t undetermined; /* grid points with d NaN: no other bin within
                            +- window_decades */
    double t_first_s, t_last_s; /* the record's range (t > 0) */
    double noise;      /* estimated noise (standard deviation) of y */
    size_t npeaks;
    rr_logpeak *peaks; /* sorted by time */
} rr_logderiv;

/* Computes the derivative of y(t) (n samples, t strictly increasing and
 * finite, y finite; samples with t <= 0 are ignored).  out is owned by
 * the caller: release with rr_logderiv_clear.  Errors (RR_ERR_ARG): bad
 * options, unsorted or non-finite input, fewer than 3 bins with data, no
 * bin with another inside its window (too sparse for window_decades). */
rr_status rr_logderiv_compute(const double *t_s, const double *y, size_t n,
                              const rr_logderiv_opts *opts, rr_logderiv *out,
                              char *err);
void rr_logderiv_clear(rr_logderiv *d); /* NULL-safe */

/* -dy/dln t at time t_s by linear interpolation in ln t (NaN outside). */
double rr_logderiv_at(const rr_logderiv *d, double t_s);

#endif
