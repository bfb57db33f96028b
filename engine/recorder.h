/* recorder.h - the run directory: manifest, segment CSVs, event log, results,
 * and copies of everything needed to reproduce the run.
 *
 *   RUNDIR/manifest.yaml         replaced atomically whenever it changes
 *   RUNDIR/events.log            one line per event, written as it happens
 *   RUNDIR/results.csv           name,value,unit,description; replaced
 *                                atomically
 *   RUNDIR/segments/NNN-LABEL.csv  one per recorded segment, written as
 *                                samples arrive; header row with units;
 *                                fixed point (exponent notation for
 *                                magnitudes of 1e21 and more)
 *   RUNDIR/source/               the protocol and every Lua module it required
 *   RUNDIR/config/               presets and instrument configs used
 *   RUNDIR/tables/NAME.csv       tables the protocol reported
 *
 * Samples are flushed to the kernel after every batch, so a killed process
 * loses at most the batch in flight.  A small reserve file is kept while the
 * run goes and released before the final manifest, so that a full disk still
 * lets the run say how it ended.
 */
#ifndef RR_RECORDER_H
#define RR_RECORDER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "instrument.h"
#include "status.h"

/* How a run ended (the manifest's "status"). */
typedef enum rr_end {
    RR_END_RUNNING = 0,
    RR_END_COMPLETE,
    RR_END_USAGE_ERROR,
    RR_END_PROTOCOL_ERROR,
    RR_END_INSTRUMENT_FAILURE,
    RR_END_ABORTED,
    RR_END_OUTPUT_ERROR,   /* the run directory could not be written (disk full) */
    RR_END_INTERNAL_ERROR
} rr_end;

const char *rr_end_word(rr_end e);  /* "complete", "protocol_error", ... */
int rr_end_exit_code(rr_end e);     /* enum rr_exit */

/* The CSV header every relaxation segment carries. */
#define RR_SEGMENT_CSV_HEADER \
    "time_s,step_time_s,temperature_K,strain_m_per_m,stress_MPa"

typedef struct rr_recorder rr_recorder;

/* Creates the run directory: dir if given (created with its parents; if it
 * exists it must be an empty directory), else a new
 * runs/YYYYMMDD-HHMMSS-NAME under the working directory.  The directory is
 * the run's alone: an earlier run's is never overwritten, and of two runs
 * given the same one at once, one gets it.  RR_ERR_ARG (a usage error: err
 * says why) when dir already holds a run, is not empty, is not a directory
 * or was taken by another run; RR_ERR_IO when it cannot be created.
 * Writes an initial manifest (status: running). */
rr_status rr_recorder_open(const char *dir, const char *protocol_name,
                           rr_recorder **out, char *err, size_t errlen);
/* The exit status (enum rr_exit) for a failed rr_recorder_open: usage for
 * a directory that is not the run's to take, internal otherwise. */
int rr_recorder_open_exit_code(rr_status st);
/* Reopens an interrupted run's directory to go on with it (resume): the
 * manifest is rebuilt as the run is replayed; started keeps the original
 * start. */
rr_status rr_recorder_reopen(const char *dir, const char *started, rr_recorder **out,
                             char *err, size_t errlen);
void rr_recorder_free(rr_recorder *r); /* closes files; NULL-safe */
/* Durable: fsync segment files and the manifest, so they survive a power
 * loss (real instruments).  Without it (simulations) data still survives
 * the process being killed: every batch is handed to the kernel. */
void rr_recorder_set_durable(rr_recorder *r, bool durable);
const char *rr_recorder_dir(const rr_recorder *r);

/* Manifest fields (strings are copied). */
void rr_recorder_set_protocol(rr_recorder *r, const char *path,
                              const char *sha256_hex);
void rr_recorder_set_command_line(rr_recorder *r, int argc, char **argv);
void rr_recorder_set_seed(rr_recorder *r, unsigned long seed);
void rr_recorder_set_description(rr_recorder *r, const char *text);
const char *rr_recorder_description(const rr_recorder *r); /* "" if none */
void rr_recorder_set_dry_run(rr_recorder *r, bool dry_run);
/* Iterating parameters (for --describe): false past the end. */
bool rr_recorder_param_at(const rr_recorder *r, size_t i, const char **name,
                          double *value, const char **unit,
                          const char **description);
void rr_recorder_set_instrument(rr_recorder *r, const char *spec,
                                const char *identity, const rr_limits *lim);
rr_status rr_recorder_add_param(rr_recorder *r, const char *name, double value,
                                const char *unit, const char *description,
                                bool overridden);
/* Copies a file into RUNDIR/SUBDIR/ (e.g. "source", "config") once. */
rr_status rr_recorder_copy(rr_recorder *r, const char *path, const char *subdir);

/* Segments.  A segment's samples are stamped with instrument time; the CSV
 * also carries the time since t0_s (the strain step). */
rr_status rr_recorder_segment_begin(rr_recorder *r, const char *label,
                                    const char *kind, double t0_s,
                                    double strain, double temp_K);
rr_status rr_recorder_samples(rr_recorder *r, const rr_sample *s, size_t n);
/* Resuming after a crash: registers the segment the next segment_begin
 * would have created, which is already on disk, with its sample count; with
 * append, it becomes the open segment and new samples go to its end.  path
 * receives the file's path. */
rr_status rr_recorder_segment_adopt(rr_recorder *r, const char *label, const char *kind,
                                    double t0_s, double strain, double temp_K,
                                    size_t samples, bool append, char *path, size_t len);
rr_status rr_recorder_segment_end(rr_recorder *r);
bool rr_recorder_in_segment(const rr_recorder *r);
/* Marks the open segment (or, with none open, the last one) as paused from
 * t0_s to t1_s; interrupted: the pause unloaded the sample, so the step was
 * recorded again in a new segment. */
rr_status rr_recorder_segment_paused(rr_recorder *r, double t0_s, double t1_s,
                                     bool interrupted);
/* The manifest's "paused: true" while a run is paused. */
rr_status rr_recorder_set_paused(rr_recorder *r, bool paused);
/* The instrument lost samples (an overflow, a lost answer): what says how
 * many and when.  The manifest lists it under data_lost, and the segment
 * being recorded reads data_lost: true. */
rr_status rr_recorder_data_lost(rr_recorder *r, const char *what);
size_t rr_recorder_total_samples(const rr_recorder *r);
size_t rr_recorder_segment_count(const rr_recorder *r);

/* Results the protocol reports. */
rr_status rr_recorder_result_number(rr_recorder *r, const char *name,
                                    double value, const char *unit,
                                    const char *description);
rr_status rr_recorder_result_text(rr_recorder *r, const char *name,
                                  const char *value, const char *description);
/* Iterating results for the summary: false past the end. */
bool rr_recorder_result_at(const rr_recorder *r, size_t i, const char **name,
                           const char **value, const char **unit);

/* The most values (rows x columns) a reported table may hold: 80 MB of
 * doubles, far beyond any table of results, and a bound that keeps the
 * size computations from overflowing. */
#define RR_TABLE_MAX_VALUES 10000000

/* Tables the protocol reports (RUNDIR/tables/NAME.csv): ncols column names
 * carrying their units (e.g. "temperature_K"), nrows x ncols values by row.
 * The names may hold any text: they are quoted in the CSV and escaped in
 * the manifest. */
rr_status rr_recorder_table(rr_recorder *r, const char *name, size_t ncols,
                            const char *const *columns, size_t nrows,
                            const double *values);
/* A plot request for the report: a YAML flow mapping on one line, e.g.
 * {kind: "arrhenius", table: "tau", x: "temperature_K", y: "tau_1_s"},
 * strings in it escaped (rr_yaml_write_str).  RR_ERR_ARG, and nothing
 * recorded, when it does not parse as one: the manifest stays valid YAML. */
rr_status rr_recorder_plot(rr_recorder *r, const char *yaml_flow_mapping);

/* The event log: "2026-11-25T13:00:00Z t=12.300 s LEVEL message". */
void rr_recorder_event(rr_recorder *r, double t_s, const char *level,
                       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void rr_recorder_eventv(rr_recorder *r, double t_s, const char *level,
                        const char *fmt, va_list ap);

/* Writes the manifest atomically (temporary file, fsync when durable,
 * rename, fsync of the directory when durable); results.csv is replaced the
 * same way. */
rr_status rr_recorder_write_manifest(rr_recorder *r);
/* Ends the run: closes any open segment, records how it ended, writes the
 * manifest.  A segment still open when the run ends otherwise than
 * complete was cut short and reads "complete: false".  Safe to call more
 * than once; the first ending sticks. */
rr_status rr_recorder_finish(rr_recorder *r, rr_end end, const char *message);
rr_end rr_recorder_end(const rr_recorder *r);

#endif
