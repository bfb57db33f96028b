/* csv.h - reading a series from a CSV file.
 *
 * The recorder's format: a header row, then one row per sample, columns
 * time_s,step_time_s,temperature_K,strain_m_per_m,stress_MPa.  The series
 * time is step_time_s and t0_s = time_s - step_time_s of the first row.
 * Other CSV files need a header with at least a time and a stress column;
 * columns are found by name (defaults below, or those given in cols).
 */
#ifndef RR_CSV_H
#define RR_CSV_H

#include "series.h"
#include "status.h"

/* Column names; NULL means "the default".  Defaults, first match wins:
 * time: step_time_s, time_s, t_s, time; stress: stress_MPa, stress;
 * temperature: temperature_K, temp_K, T_K (optional, NaN when absent);
 * strain: strain_m_per_m, strain (optional, NaN when absent). */
typedef struct rr_csv_columns {
    const char *time, *stress, *temperature, *strain;
} rr_csv_columns;

/* Reads path into a new series (*out, caller frees; NULL on failure).
 * label NULL: the file name.  Errors (RR_ERR_IO, RR_ERR_PARSE, RR_ERR_ARG)
 * write into err (RR_AN_ERRLEN bytes) the file, line and column at fault:
 * missing column, wrong number of fields, a cell that is not a number,
 * non-finite time or stress, times not strictly increasing, no data. */
rr_status rr_csv_read_series(const char *path, const rr_csv_columns *cols,
                             const char *label, rr_series **out, char *err);

#endif
