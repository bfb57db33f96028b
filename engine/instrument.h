/* instrument.h - the instrument interface: one vtable that the simulator
 * (drivers/sim) and the line-protocol hardware driver (drivers/linedma) both
 * implement.  It follows the DMA line protocol v1.1 closely, so that a
 * hardware driver maps each callback onto one command.
 *
 * Units everywhere: time s, temperature K, strain dimensionless (0.006 is
 * 0.6 %), stress and moduli MPa, frequency Hz, temperature rate K/min,
 * lengths mm.
 *
 * Ownership: an rr_instrument is created by its driver's open function and
 * released with rr_instrument_close(), which accepts NULL.  Strings passed in
 * are borrowed; buffers passed in are filled by the callee.
 */
#ifndef RR_INSTRUMENT_H
#define RR_INSTRUMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

/* One acquired sample, stamped with the instrument's clock. */
typedef struct rr_sample {
    double t_s;        /* instrument time */
    double temp_K;     /* measured sample temperature */
    double strain;     /* measured strain */
    double stress_MPa; /* measured stress */
} rr_sample;

/* The device's hard limits (SYST:LIM?), also used for a lab's own limits. */
typedef struct rr_limits {
    double temp_min_K, temp_max_K;
    double strain_max;         /* |strain| + oscillation amplitude */
    double rate_max_K_per_min; /* heating / cooling rate */
    double freq_min_Hz, freq_max_Hz;
} rr_limits;

typedef enum rr_clamp {
    RR_CLAMP_TENSION = 0,
    RR_CLAMP_SINGLE_CANTILEVER,
    RR_CLAMP_DUAL_CANTILEVER,
    RR_CLAMP_COMPRESSION
} rr_clamp;

/* Protocol words TENS, SCANT, DCANT, COMP; NULL-safe lookups. */
const char *rr_clamp_word(rr_clamp c);
rr_status rr_clamp_parse(const char *word, rr_clamp *out);

typedef struct rr_geometry {
    double length_mm, width_mm, thickness_mm;
} rr_geometry;

/* Status bits (STAT?). */
enum {
    RR_STAT_TEMP_STABLE = 1,    /* within 0.1 K of setpoint for the last 60 s */
    RR_STAT_STRAIN_AT_SET = 2,
    RR_STAT_SAMPLING = 4,
    RR_STAT_OSCILLATING = 8,
    RR_STAT_HEATER_FAULT = 16,
    RR_STAT_OVERLOAD = 32,
    RR_STAT_BROKEN = 64,
    RR_STAT_OVERFLOW = 128,
    RR_STAT_FAULTS = RR_STAT_HEATER_FAULT | RR_STAT_OVERLOAD | RR_STAT_BROKEN
};

/* OSC:MEAS? */
typedef struct rr_dynamic {
    double freq_Hz, storage_MPa, loss_MPa, tan_delta;
} rr_dynamic;

/* The vtable.  Every callback returns RR_OK or a negative rr_status; a
 * driver that lacks an optional feature returns RR_ERR_UNSUPPORTED (or leaves
 * the slot NULL, which the rr_instrument_* wrappers turn into that code).
 * A driver keeps a human-readable reason for its last failure, read with
 * last_error. */
typedef struct rr_instrument_ops {
    const char *name; /* "sim", "linedma", "replay" */

    /* Identification "maker,model,serial,firmware" into buf. */
    rr_status (*identify)(void *ctx, char *buf, size_t len);
    rr_status (*get_limits)(void *ctx, rr_limits *out);
    /* The safe state (*RST): oscillation off, acquisition stopped and buffer
     * cleared, strain 0, heater to standby.  Must be callable at any time,
     * also after other failures, and must try every step it can. */
    rr_status (*reset)(void *ctx);

    /* Time.  now(): the instrument clock (SYST:TIME?).
     * advance(): the run loop's one "advance to time t" path.  A virtual-time
     * driver simulates up to min(t_s, the moment its sample buffer would
     * hold max_samples) and returns at once; a real-time driver waits at most
     * one polling interval (well under a second) and returns.  Either way
     * *now_s is the instrument time on return; the engine calls advance again
     * until *now_s >= t_s, draining samples and checking faults between
     * calls. */
    rr_status (*now)(void *ctx, double *t_s);
    rr_status (*advance)(void *ctx, double t_s, double *now_s);

    rr_status (*get_status)(void *ctx, unsigned *bits);
    /* Oldest queued asynchronous fault (SYST:ERR?): code 0 when none. */
    rr_status (*next_error)(void *ctx, int *code, char *msg, size_t len);

    rr_status (*set_clamp)(void *ctx, rr_clamp mode);
    rr_status (*set_geometry)(void *ctx, const rr_geometry *g);

    rr_status (*set_temp_rate)(void *ctx, double K_per_min);
    rr_status (*set_temp)(void *ctx, double T_K);
    rr_status (*read_temp)(void *ctx, double *T_K);
    rr_status (*heater_standby)(void *ctx);

    rr_status (*set_strain)(void *ctx, double strain);
    rr_status (*read_strain)(void *ctx, double *strain);
    /* Time at which the last set_strain reached its target (STRN:T0?). */
    rr_status (*strain_t0)(void *ctx, double *t_s);
    rr_status (*read_stress)(void *ctx, double *stress_MPa);

    rr_status (*osc_set)(void *ctx, double freq_Hz, double amplitude);
    rr_status (*osc_enable)(void *ctx, bool on);
    rr_status (*osc_measure)(void *ctx, rr_dynamic *out);

    rr_status (*acq_set_rate)(void *ctx, double rate_Hz);
    rr_status (*acq_start)(void *ctx); /* clears the buffer */
    rr_status (*acq_stop)(void *ctx);
    /* Removes up to max of the oldest buffered samples into buf. */
    rr_status (*acq_read)(void *ctx, rr_sample *buf, size_t max, size_t *n);

    /* Optional: simulator-only knobs (material overrides such as
     * "material.A_beta", noise, fault injection).  Hardware returns
     * RR_ERR_UNSUPPORTED. */
    rr_status (*sim_set)(void *ctx, const char *key, double value);

    /* Human-readable detail of the last failure; never NULL. */
    const char *(*last_error)(void *ctx);
    void (*close)(void *ctx);
} rr_instrument_ops;

typedef struct rr_instrument {
    const rr_instrument_ops *ops;
    void *ctx;
    bool virtual_time; /* advance() jumps instead of waiting */
    char spec[256];    /* how it was opened, e.g. "sim:La60Ni15Al25" */
} rr_instrument;

/* Options shared by every driver's open function. */
typedef struct rr_open_options {
    unsigned long seed;          /* simulator noise seed */
    bool noise;                  /* simulator: load-cell noise and drift on */
    const char *presets_dir;     /* where sim:NAME finds NAME.yaml (borrowed) */
    const char *transcript_path; /* hardware: write every exchange here, or NULL */
    double timeout_s;            /* hardware: answer timeout, 0 = protocol's 2 s */
    /* Hardware: polled (every 0.1 s) while the connection is opened; when
     * it returns non-zero (a SIGINT), opening gives up with
     * RR_ERR_ABORTED instead of waiting out a silent device.  May be
     * NULL.  Not used once the instrument is open. */
    int (*interrupted)(void);
} rr_open_options;

/* Opens an instrument from a spec: "sim", "sim:PRESET", "sim:FILE.yaml",
 * "tcp:HOST:PORT", "serial:PORT[:BAUD...]", "replay:TRANSCRIPT".  On failure *out is NULL and, when
 * err is not NULL, a message is written to err. */
rr_status rr_instrument_open(const char *spec, const rr_open_options *opt,
                             rr_instrument **out, char *err, size_t errlen);
void rr_instrument_close(rr_instrument *in);

/* Wrapper used by the engine; NULL slots answer RR_ERR_UNSUPPORTED. */
#define RR_CALL(in, fn, ...) \
    ((in)->ops->fn ? (in)->ops->fn((in)->ctx, __VA_ARGS__) : RR_ERR_UNSUPPORTED)
#define RR_CALL0(in, fn) \
    ((in)->ops->fn ? (in)->ops->fn((in)->ctx) : RR_ERR_UNSUPPORTED)

/* Driver constructors, registered in instrument.c.  Each takes ownership of
 * nothing and returns a new rr_instrument (to be closed by the caller). */
rr_status rr_sim_open(const char *preset, const rr_open_options *opt,
                      rr_instrument **out, char *err, size_t errlen);
rr_status rr_linedma_open(const char *connection, const rr_open_options *opt,
                          rr_instrument **out, char *err, size_t errlen);
rr_status rr_replay_open(const char *transcript, const rr_open_options *opt,
                         rr_instrument **out, char *err, size_t errlen);

#endif
