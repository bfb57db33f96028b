/* report.h - plots and a self-contained HTML report for a run directory.
 *
 * After a run (and on `relaxrun report RUNDIR`) relaxrun reads
 * RUNDIR/manifest.yaml, the segment CSVs and the tables, and writes
 *
 *   RUNDIR/plots/NAME.gp    a gnuplot script per plot (restyle it, then run
 *                           `gnuplot NAME.gp` inside RUNDIR/plots)
 *   RUNDIR/plots/NAME.dat   the decimated data it reads (segment plots)
 *   RUNDIR/plots/NAME.svg, NAME.png   drawn by gnuplot, when on PATH
 *   RUNDIR/report.html      one file: results, plots (SVG inline),
 *                           parameters, instrument, segments, tables, ending
 *
 * gnuplot is found on PATH and run with fork/exec (no shell) under a
 * timeout (RELAXRUN_GNUPLOT_TIMEOUT_S, default 30 s per plot).  A missing
 * gnuplot, a failing plot or a bad plot request is a warning: the report is
 * still written and says how to draw the plots later.  Plot kinds and
 * options: docs/report.md.
 */
#ifndef RR_REPORT_H
#define RR_REPORT_H

#include <stddef.h>

#include "status.h"

/* Writes plots/ and report.html for the run directory rundir.  Prints to
 * stdout at most one line (verbosity 0), nothing (verbosity < 0), or one
 * line per plot plus the summary (verbosity > 0).  Returns RR_OK when
 * report.html was written, even if some plots were not drawn; otherwise an
 * error with err (may be NULL) holding "PATH: why".  Forks gnuplot
 * (fork/exec, reaped before returning); call it from the main thread. */
rr_status rr_report_write(const char *rundir, int verbosity, char *err,
                          size_t errlen);

/* The subcommand `relaxrun report [-q|-v] RUNDIR` (argv[0] is "report").
 * Returns an exit code of enum rr_exit: 0 written, 2 usage or not a run
 * directory (no or malformed manifest.yaml), 1 the report could not be
 * written. */
int rr_report_main(int argc, char **argv);

#endif
