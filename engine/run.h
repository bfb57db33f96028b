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

#include "instrument.h"
#include "recorder.h"
#include "series.h"
#include "status.h"

/* A name=value from the command line. */
typedef struct rr_override {
    const char *name; /* owned by the caller */
    double value;
    bool used;        /* a protocol parameter of that name was declared */
} rr_override;

typedef struct rr_run {
    rr_instrument *in;       /* borrowed */
    rr_recorder *rec;        /* borrowed */
    rr_limits limits;        /* what the run may ask for */

    rr_override *overrides;  /* borrowed array */
    size_t noverrides;

    rr_series *target;       /* samples of the current segment go here */
    double target_t0_s;      /* instrument time of the segment's origin */

    rr_end failure;          /* RR_END_RUNNING while all is well */
    char message[2048];      /* why the run ended, when it failed */

    double pace;             /* simulator pacing: instrument s per wall s; 0 = free */
    double stable_timeout_s; /* default wait for a stable temperature */
    int verbosity;           /* -1 quiet, 0 normal, 1 verbose */
    double last_temp_K, last_stress_MPa;
    bool safe_state_done;
} rr_run;

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

/* Instrument time now. */
rr_status rr_run_now(rr_run *run, double *t_s);
/* Advances the instrument clock to t_s, recording samples on the way. */
rr_status rr_run_advance_to(rr_run *run, double t_s);
/* Waits until the temperature is stable (status bit 0), at most timeout_s. */
rr_status rr_run_wait_stable(rr_run *run, double timeout_s, double *waited_s);

/* Setpoints, each checked against the run's limits first. */
rr_status rr_run_set_temperature(rr_run *run, double T_K, double rate_K_per_min);
rr_status rr_run_set_strain(rr_run *run, double strain);

/* A relaxation segment: starts sampling at rate_Hz, steps the strain, records
 * for duration_s after the step into *out (a new series, caller frees) and the
 * recorder, then stops sampling.  *out may hold partial data on failure. */
rr_status rr_run_relaxation(rr_run *run, double strain, double duration_s,
                            double rate_Hz, const char *label,
                            rr_series **out);

/* Drives the instrument to its safe state (strain 0, oscillation off,
 * acquisition stopped, heater standby), keeping any samples still buffered. */
rr_status rr_run_safe_state(rr_run *run);

/* An event in the log (and on stderr when verbose). */
void rr_run_event(rr_run *run, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The abort flag, set from signal handlers. */
void rr_abort_install_handlers(void);
int rr_abort_requested(void); /* 0, or the signal number */
void rr_abort_request(int sig);

#endif
