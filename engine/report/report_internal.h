/* report_internal.h - what the parts of the report share: the run directory
 * as read from its manifest, the plot list, numeric CSV reading, gnuplot
 * spawning and the HTML writer.  Not a public API: see report.h.
 *
 * Strings in rr_report_segment and rr_report_table are borrowed from the
 * loaded manifest (run->y) and live as long as it does.
 */
#ifndef RR_REPORT_INTERNAL_H
#define RR_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "status.h"
#include "yamlconf.h"

/* --- numeric CSV: header of column names, then numeric rows --------------- */

typedef struct rr_report_csv {
    size_t ncols, nrows;
    char **names;      /* ncols column names (owned) */
    double *v;         /* nrows x ncols by row; NaN for empty or "nan" */
    size_t bad_rows;   /* rows skipped: wrong field count (e.g. cut short) */
} rr_report_csv;

/* Reads path; on failure *out is NULL and err holds "PATH: why". */
rr_status rr_report_csv_read(const char *path, rr_report_csv **out, char *err,
                             size_t errlen);
/* The same, converting only the columns named in only[0..nonly) (the
 * others read as NaN); only NULL converts all. */
rr_status rr_report_csv_read_only(const char *path, const char *const *only,
                                  size_t nonly, rr_report_csv **out, char *err,
                                  size_t errlen);
void rr_report_csv_free(rr_report_csv *c); /* NULL-safe */
/* The number in s .. end (end points into the same writable string, at a
 * ',' or its NUL, and is restored): exactly strtod's value, by a fast path
 * for plain decimals; NaN when the field is empty or not all a number. */
double rr_report_parse_number(char *s, char *end);
/* Index of the column called name, or -1. */
int rr_report_csv_col(const rr_report_csv *c, const char *name);
static inline double rr_report_csv_at(const rr_report_csv *c, size_t row,
                                      size_t col)
{
    return c->v[row * c->ncols + col];
}

/* One record of quoted CSV (RFC 4180: "" inside quotes, newlines allowed)
 * from *p, which is advanced past it.  Fields are copied into buf and
 * fields[i] points into it.  Returns the number of fields (0 at the end). */
size_t rr_report_csv_record(const char **p, char *buf, size_t buflen,
                            char **fields, size_t maxfields);

/* --- the run ---------------------------------------------------------------- */

typedef struct rr_report_segment {
    const char *file, *label, *kind; /* borrowed from the manifest */
    double t0_s, strain, temp_K;     /* NaN when absent */
    long samples;                    /* -1 when absent */
    bool complete;
} rr_report_segment;

typedef struct rr_report_table {
    const char *name, *file;         /* borrowed from the manifest */
} rr_report_table;

typedef struct rr_report_plot {
    char name[64];      /* file stem in RUNDIR/plots */
    char kind[32];
    char title[256];
    char note[512];     /* shown under the plot, e.g. the activation energy */
    char warning[512];  /* why it was not scripted or not drawn */
    bool scripted;      /* NAME.gp written */
    bool drawn;         /* NAME.svg produced by gnuplot */
} rr_report_plot;

typedef struct rr_report_run {
    char dir[1024];
    rr_yaml *y;                      /* the manifest (owned) */
    yaml_node_t *root;
    rr_report_segment *seg;
    size_t nseg;
    rr_report_table *tab;
    size_t ntab;
    rr_report_plot *plots;
    size_t nplots;
    struct rr_report_curve *curves;  /* while scripting: each segment's
                                        sigma/sigma0, loaded once */
    bool gnuplot_found;
    char gnuplot[1024];              /* its path when found */
    double draw_s;                   /* wall time of scripting + drawing */
} rr_report_run;

/* Writes RUNDIR/plots/NAME.gp (+ .dat) for the automatic plot and every
 * request in the manifest's plots: list; problems become plot warnings.
 * Fails only when RUNDIR/plots cannot be created. */
rr_status rr_report_plots_script(rr_report_run *run, char *err, size_t errlen);
/* Runs gnuplot on every scripted plot (when found); prints per-plot lines
 * when verbosity > 0. */
void rr_report_plots_draw(rr_report_run *run, int verbosity);

/* Writes RUNDIR/report.html (temporary file, then rename). */
rr_status rr_report_html_write(const rr_report_run *run, char *err,
                               size_t errlen);

/* --- gnuplot ------------------------------------------------------------------ */

/* Looks for an executable "gnuplot" in the directories of PATH. */
bool rr_report_gnuplot_find(char *path, size_t len);
/* Runs `EXE S1 -e MARK S2 -e MARK ...` in dir (stdin from /dev/null, no
 * shell): one gnuplot for several scripts, each given timeout_s from the end
 * of the one before.  start forks and execs; finish collects the output,
 * kills gnuplot at a deadline and reaps it.  Every started job must be
 * finished, then freed.
 *
 * After finish, each script's st is RR_OK (msg: gnuplot's warnings, if
 * any), RR_ERR_TIMEOUT (killed) or RR_ERR_IO (msg: the reason and the start
 * of gnuplot's output) for the one that failed, and RR_ERR_NOT_READY for
 * the scripts after it, which did not run.  finish returns the first
 * status that is not RR_OK, or RR_OK. */
typedef struct rr_report_gnuplot_script {
    char name[80];
    rr_status st;
    char msg[700];
    size_t msglen;
} rr_report_gnuplot_script;
typedef struct rr_report_gnuplot_job {
    int pid, fd;                      /* -1 when not running */
    double deadline, timeout_s;
    rr_report_gnuplot_script *script; /* n of them (owned) */
    size_t n, cur;                    /* cur: the one running */
    char exe[1024];
} rr_report_gnuplot_job;
rr_status rr_report_gnuplot_start(const char *exe, const char *dir,
                                  const char *const *scripts, size_t nscripts,
                                  double timeout_s, rr_report_gnuplot_job *job,
                                  char *msg, size_t msglen);
rr_status rr_report_gnuplot_finish(rr_report_gnuplot_job *job);
void rr_report_gnuplot_job_free(rr_report_gnuplot_job *job);

/* --- small helpers ------------------------------------------------------------- */

/* A relative path inside the run directory: not empty, not absolute, no
 * ".." component, no ':' (so never a URL scheme), no control characters,
 * and not starting with '<' or '|' (gnuplot would run it as a command). */
bool rr_report_safe_relpath(const char *p);
/* Splits a column name carrying its unit ("tau_1_s") into the quantity
 * ("tau_1") and a display unit ("s"); unit is "" when none is recognised.
 * Writes "quantity (unit)" into label. */
void rr_report_axis_label(const char *column, char *label, size_t len);
/* The same split into its parts: qty "tau_1", unit "s" (or ""). */
void rr_report_split_unit(const char *column, char *qty, size_t qlen,
                          char *unit, size_t ulen);
/* Display form of a unit suffix: "K_per_min" -> "K/min", "1" -> "1". */
void rr_report_unit_display(const char *unit, char *out, size_t len);

#endif
