/* series.h - a recorded segment in memory: columns of doubles.
 *
 * The recorder appends each sample as it arrives; the protocol gets the
 * series back for analysis (engine/analysis extends it).  Times in a series
 * are relative to its origin t0_s (for a relaxation segment: the instrument
 * time at which the strain step reached its target).
 */
#ifndef RR_SERIES_H
#define RR_SERIES_H

#include <stddef.h>

#include "instrument.h"
#include "status.h"

typedef struct rr_series {
    size_t n, cap;
    double *t_s;        /* time since t0_s */
    double *temp_K;
    double *strain;
    double *stress_MPa;
    double t0_s;        /* instrument time of the series' origin */
    char label[64];
} rr_series;

/* New empty series; *out is NULL on failure. Free with rr_series_free. */
rr_status rr_series_new(double t0_s, const char *label, rr_series **out);
void rr_series_free(rr_series *s); /* NULL-safe */
/* Appends one sample, stored relative to t0_s. */
rr_status rr_series_append(rr_series *s, const rr_sample *x);
/* Appends one sample whose time t_s is already relative to t0_s (used when
 * reading a recorded CSV, where step_time_s is stored as written). */
rr_status rr_series_append_rel(rr_series *s, double t_s, double temp_K,
                               double strain, double stress_MPa);

#endif
