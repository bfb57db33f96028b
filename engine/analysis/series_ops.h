/* series_ops.h - checks and transforms of rr_series used by the analyses.
 *
 * Every function that builds a series returns it in *out (NULL on failure);
 * the caller owns it and frees it with rr_series_free.  Functions that can
 * reject their input write a one-line reason into err (RR_AN_ERRLEN bytes),
 * naming the series by its label and the offending sample (1-based).
 */
#ifndef RR_SERIES_OPS_H
#define RR_SERIES_OPS_H

#include <stddef.h>

#include "series.h"
#include "status.h"

#define RR_AN_ERRLEN 256

/* Turns GSL's abort-on-error handler off (idempotent): every GSL return
 * in engine/analysis is checked.  Called by each C entry point that uses
 * GSL, so the C API is safe without the Lua module too. */
void rr_an_gsl_init(void);

/* Writes a formatted message into err (which may be NULL); returns st. */
rr_status rr_an_fail(char *err, rr_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Checks that times are finite and strictly increasing and that stresses
 * are finite (temperature and strain may hold NaN: "not recorded"). */
rr_status rr_series_validate(const rr_series *s, char *err);

/* Samples with t0_s <= t_s <= t1_s, times unchanged (same origin). */
rr_status rr_series_slice(const rr_series *s, double t0_s, double t1_s,
                          rr_series **out);

/* Copy with stress divided by the first recorded stress (which must be
 * finite and non-zero); same label and origin. */
rr_status rr_series_normalized(const rr_series *s, rr_series **out, char *err);

/* Resampling onto n_points log-spaced times from t_min_s to t_max_s (both
 * > 0; clipped to the recorded range).  mean != 0: each output point is the
 * mean of the samples in its log bin (time = mean time of the bin; empty
 * bins are skipped); mean == 0: linear interpolation in t (between the
 * recorded samples) at the grid times.  The series must validate and have
 * times > 0 in range. */
rr_status rr_series_resample_log(const rr_series *s, double t_min_s,
                                 double t_max_s, size_t n_points, int mean,
                                 rr_series **out, char *err);

/* Reversibility: compares two curves, each normalised by its own first
 * stress, over their common time range, at every sample time of either
 * curve inside it (equal times, within 1e-9 relative, once); each curve is
 * interpolated only where it has no sample of its own, by the cubic
 * through its four nearest samples in ln t or t (whichever spaces them
 * more evenly).  Symmetric: compare(a, b) and compare(b, a) give the same
 * numbers; on a shared time grid no value is interpolated.  *max_abs and
 * *rms are differences of sigma/sigma0; *n_common the number of times
 * compared; *t_at_max_s where the largest one sits.  RR_ERR_ARG (err names
 * the series): invalid times, fewer than 2 samples, a first stress of 0, no
 * common range. */
rr_status rr_series_compare(const rr_series *a, const rr_series *b,
                            double *max_abs, double *rms, double *t_at_max_s,
                            size_t *n_common, char *err);

#endif
