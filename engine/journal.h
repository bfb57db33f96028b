/* journal.h - the run's append-only journal, for recovery after a crash.
 *
 * Every action of a run that commands the instrument or lets time pass
 * (setpoints, waits, holds, recordings, oscillation, dynamic measurements)
 * gets a numbered "begin" line before it starts and an "end" line when it
 * is done, each forced to disk:
 *
 *   begin 4 record t=994.000 strain=0.006 duration=1800 rate=10 t0=994.000 T=315 label="stage 1"
 *   end 4 t=2794.000 samples=17996
 *
 * `relaxrun resume RUNDIR` reads it back: the protocol is run again, the
 * actions that ended are skipped (recordings come back from their CSV
 * files), the interrupted one continues, and the rest runs as usual.
 */
#ifndef RR_JOURNAL_H
#define RR_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "status.h"

/* One action as the journal has it. */
typedef struct rr_action {
    unsigned long n;
    char kind[16];     /* temperature, stabilise, hold, strain, record, oscillate,
                          osc_off, dynamic */
    bool ended;
    double t_s;        /* instrument time at the begin */
    double t_end_s;    /* at the end (when ended) */
    double duration_s; /* hold, record */
    double T_K, rate_K_per_min, strain, rate_Hz, t0_s, freq_Hz, amplitude;
    double storage_MPa, loss_MPa, tan_delta; /* dynamic: the measurement */
    size_t samples;
    char label[96];
} rr_action;

typedef struct rr_journal {
    FILE *f;               /* NULL: no journal (dry runs, analysis) */
    bool durable;          /* fdatasync each line (real instruments) */
    unsigned long n;       /* actions so far */
    int error;             /* errno of the first line that could not be
                              written (disk full), 0 while all went to disk */
    rr_action *replay;     /* resuming: the journal read back (owned) */
    size_t nreplay;
} rr_journal;

/* Opens RUNDIR/journal.log for appending. */
rr_status rr_journal_open(rr_journal *j, const char *dir);
/* Reads RUNDIR/journal.log; *out (caller frees) holds n actions in order. */
rr_status rr_journal_load(const char *dir, rr_action **out, size_t *n, char *err,
                          size_t errlen);
void rr_journal_close(rr_journal *j); /* frees the replay too */

/* A line "begin N KIND t=T FIELDS" or "end N t=T FIELDS", synced to disk.
 * fields: "key=value" pairs separated by spaces (may be "").  RR_ERR_IO
 * when the line did not reach the disk (or the kernel, when not durable);
 * the first such failure also stays in j->error, so that a caller that
 * cannot act on it at once still ends the run as an output error: a
 * journal with a line missing could not resume the run. */
rr_status rr_journal_write(rr_journal *j, const char *what, unsigned long n,
                           const char *kind, double t_s, const char *fields);

#endif
