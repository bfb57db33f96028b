/* run.h - one run of a protocol: the instrument, its limits, the recorder,
 * and the run loop that advances time.
 *
 * The run loop has one path for every instrument: rr_run_advance_to() calls
 * the driver's advance() until the instrument clock reaches the target (a
 * virtual-time simulator jumps, hardware waits a polling interval per call),
 * and between calls drains samples to the recorder, checks the status bits
 * for faults and checks the abort flag.
 *
 * The first failure sticks: rr_run_fail() records why the run ends (usage,
 * protocol, instrument, aborted), and every later instrument call fails at
 * once, so a protocol cannot carry on after a fault or an abort even if it
 * catches the Lua error.
 */
#ifndef RR_RUN_H
#define RR_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "instrument.h"
#include "journal.h"
#include "recorder.h"
#include "series.h"
#include "status.h"

/* A name=value from the command line. */
typedef struct rr_override {
    const char *name; /* owned by the caller */
    double value;
    bool used;        /* a protocol parameter of that name was declared */
} rr_override;

/* What a pause does (the first Ctrl-C, or `relaxrun pause RUNDIR`). */
enum {
    RR_PAUSE_NONE = 0, /* Ctrl-C aborts; `relaxrun pause` holds */
    RR_PAUSE_HOLD,     /* hold the temperature and the strain */
    RR_PAUSE_UNLOAD    /* unload (strain 0, oscillation off), hold the temperature */
};
/* What resuming does with the step that was paused. */
enum { RR_RESUME_CONTINUE = 0, RR_RESUME_RESTART };

/* One step of the run's timeline (also written to RUNDIR/timeline.csv). */
typedef struct rr_step {
    char what[96];       /* "heat to 315 K", "hold", "record 'stage 1'" */
    double start_s;      /* instrument time */
    double duration_s;
    double temp_K;       /* setpoint during the step */
    double strain;
    size_t samples;
} rr_step;

/* Resuming: a segment of the interrupted run as its manifest lists it.  The
 * journal has one recording per action, the manifest one file per attempt:
 * a recording restarted after a pause that unloaded has several. */
#define RR_RESUME_MAX_PAUSES 16
typedef struct rr_resume_segment {
    char file[160];         /* "segments/002-a__restart_2_.csv" */
    char label[96];         /* "a (restart 2)" */
    double t0_s, strain, temp_K;
    size_t samples;         /* data rows on disk */
    bool complete;          /* false: the one under way when the run stopped */
    double paused_s[RR_RESUME_MAX_PAUSES][2];
    size_t npaused;
    bool interrupted;       /* by a pause that unloaded */
    bool registered;        /* adopted by the recorder of the resumed run */
} rr_resume_segment;

typedef struct rr_run {
    rr_instrument *in;       /* borrowed */
    rr_recorder *rec;        /* borrowed */
    rr_limits limits;        /* what the run may ask for */

    rr_override *overrides;  /* borrowed array */
    size_t noverrides;

    rr_series *target;       /* samples of the current segment go here */
    double target_t0_s;      /* instrument time of the segment's origin */
    double target_end_s;     /* and of its end: later samples are not its own */
    double last_written_s;   /* the last sample on disk in the open segment */
    bool segment_open;       /* samples go to the recorder's open segment */

    rr_end failure;          /* RR_END_RUNNING while all is well */
    char message[2048];      /* why the run ended, when it failed */

    double pace;             /* simulator pacing: instrument s per wall s; 0 = free */
    double pace_wall0_s, pace_inst0_s; /* pacing reference: wall and instrument time */
    double stable_timeout_s; /* default wait for a stable temperature */
    int verbosity;           /* -1 quiet, 0 normal, 1 verbose */
    double last_temp_K, last_stress_MPa;
    double last_now_s;       /* the instrument clock as last read (for the log) */
    bool safe_state_done;    /* reached, and no action since (rr_run_close does
                                not repeat it) */
    bool oscillating;        /* what a pause that unloads puts back */
    double osc_freq_Hz, osc_amplitude;

    /* Dry run: limits broken are collected and the value clamped, instead of
     * ending the run. */
    bool dry_run;
    char (*violations)[256];
    size_t nviolations;

    /* Pausing. */
    int pause_policy;       /* RR_PAUSE_* */
    bool pause_policy_from_user; /* --pause given: the protocol's is ignored */
    int resume_mode;        /* RR_RESUME_* of the step under way */
    bool recording;         /* a relaxation is being recorded */
    double paused_s;        /* total time spent paused */

    char specimen[128];     /* the specimen's id, "" if not named */
    rr_journal journal;     /* actions, for recovery; replay when resuming */
    /* Resuming: the interrupted run's segments (borrowed), or NULL (then a
     * replayed recording is looked for by its label, one file per action). */
    rr_resume_segment *resume_segments;
    size_t nresume_segments;

    rr_step *timeline;
    size_t nsteps;
    const rr_step *plan;   /* the expected timeline (borrowed), for progress */
    size_t nplan;
    double progress_wall_s; /* last progress output */
    double setpoint_K, strain_now; /* for the timeline */
} rr_run;

/* Frees what the run allocated (timeline, violations); not the instrument
 * or the recorder. */
void rr_run_release(rr_run *run);
/* Timeline: opens a step now; rr_run_step_end closes the last one. */
void rr_run_step_begin(rr_run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rr_run_step_end(rr_run *run, size_t samples);
/* Writes RUNDIR/timeline.csv. */
rr_status rr_run_write_timeline(const rr_run *run);
/* Prints the timeline, totals and limit violations (the dry-run report). */
void rr_run_print_timeline(const rr_run *run, FILE *f);

/* Initialises a run over an open instrument and recorder: reads the device
 * identity and limits, puts the instrument in its safe state first. */
rr_status rr_run_init(rr_run *run, rr_instrument *in, rr_recorder *rec);

/* Records the first failure; returns the matching error status. */
rr_status rr_run_fail(rr_run *run, rr_end why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* RR_OK unless the run already failed or an abort was requested. */
rr_status rr_run_check(rr_run *run);
/* Turns a driver status into a failure with the driver's message. */
rr_status rr_run_instrument(rr_run *run, rr_status st, const char *what);
/* The instrument's status word.  Every read of it goes through here: bit 7
 * (samples lost: an overflow, a lost answer) is told once, to whoever
 * reads it, and is recorded (events, stderr, the manifest's data_lost). */
rr_status rr_run_status(rr_run *run, unsigned *bits);

/* Instrument time now. */
rr_status rr_run_now(rr_run *run, double *t_s);
/* Advances the instrument clock to t_s, recording samples on the way. */
rr_status rr_run_advance_to(rr_run *run, double t_s);
/* Waits until the temperature is stable (status bit 0), at most timeout_s. */
rr_status rr_run_wait_stable(rr_run *run, double timeout_s, double *waited_s);

/* Lets duration_s of instrument time pass (what: for the log, may be NULL). */
rr_status rr_run_hold(rr_run *run, double duration_s, const char *what);

/* Setpoints, each checked against the run's limits first. */
rr_status rr_run_set_temperature(rr_run *run, double T_K, double rate_K_per_min);
rr_status rr_run_set_strain(rr_run *run, double strain);
rr_status rr_run_oscillate(rr_run *run, double freq_Hz, double amplitude);
rr_status rr_run_oscillation_off(rr_run *run);
/* Waits (instrument time, at most timeout_s) for a dynamic measurement. */
rr_status rr_run_measure_dynamic(rr_run *run, double timeout_s, rr_dynamic *out);

/* A relaxation segment: starts sampling at rate_Hz, steps the strain, records
 * for duration_s after the step into *out (a new series, caller frees) and the
 * recorder, then stops sampling.  *out may hold partial data on failure. */
rr_status rr_run_relaxation(rr_run *run, double strain, double duration_s,
                            double rate_Hz, const char *label,
                            rr_series **out);

/* Resuming: registers seg with the recorder as the run's next segment (its
 * file must be the one the recorder numbers next: RR_ERR_PARSE otherwise),
 * with its sample count and paused intervals; with append it becomes the
 * open segment.  path receives the file's path. */
rr_status rr_run_adopt_segment(rr_run *run, rr_resume_segment *seg, bool append, char *path,
                               size_t len);

/* Ends a run: the safe state (unless rr_run_safe_state already reached it:
 * the host does before it closes Lua), then how it ended in the manifest,
 * the timeline, and the failure on stderr.  Returns how it ended: a run
 * that completed but whose final manifest or timeline cannot be written
 * ends as RR_END_OUTPUT_ERROR. */
rr_end rr_run_close(rr_run *run);

/* Drives the instrument to its safe state (strain 0, oscillation off,
 * acquisition stopped, heater standby), keeping any samples still buffered. */
rr_status rr_run_safe_state(rr_run *run);

/* An event in the log (and on stderr when verbose). */
void rr_run_event(rr_run *run, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Pausing: enables the first SIGINT to pause rather than abort. */
void rr_run_set_pause_policy(rr_run *run, int policy);

/* The abort flag, set from signal handlers.  SIGINT aborts, or pauses when a
 * pause policy is set (then a second SIGINT aborts); SIGTERM, SIGHUP (the
 * terminal closed; unless it was ignored when relaxrun started, as under
 * nohup) and SIGQUIT abort; SIGUSR1 pauses; SIGUSR2 resumes; SIGPIPE is
 * ignored. */
void rr_abort_install_handlers(void);
int rr_abort_requested(void); /* 0, or the signal number */
void rr_abort_request(int sig);
const char *rr_abort_signal_name(int sig); /* "SIGTERM", ...; static */

#endif
