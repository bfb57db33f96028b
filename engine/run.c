/* run.c - the run loop: advancing time, recording, limits, safe state. */
#include "run.h"

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- abort flag -------------------------------------------------------- */

static volatile sig_atomic_t abort_signal;

static void on_signal(int sig)
{
    /* A second SIGINT only sets the flag again: the safe state still runs. */
    abort_signal = sig;
}

void rr_abort_install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int rr_abort_requested(void) { return (int)abort_signal; }
void rr_abort_request(int sig) { abort_signal = sig; }

/* ---- failures ---------------------------------------------------------- */

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static rr_status status_of(rr_end why)
{
    switch (why) {
    case RR_END_ABORTED: return RR_ERR_ABORTED;
    case RR_END_INSTRUMENT_FAILURE: return RR_ERR_INSTRUMENT;
    case RR_END_PROTOCOL_ERROR: return RR_ERR_LIMIT;
    case RR_END_USAGE_ERROR: return RR_ERR_ARG;
    default: return RR_ERR_ARG;
    }
}

rr_status rr_run_fail(rr_run *run, rr_end why, const char *fmt, ...)
{
    if (run->failure == RR_END_RUNNING) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(run->message, sizeof run->message, fmt, ap);
        va_end(ap);
        run->failure = why;
        rr_run_event(run, "ERROR", "%s", run->message);
    }
    return status_of(run->failure);
}

rr_status rr_run_check(rr_run *run)
{
    int sig = rr_abort_requested();
    if (sig && run->failure == RR_END_RUNNING)
        rr_run_fail(run, RR_END_ABORTED, "aborted by %s",
                    sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "signal");
    if (run->failure != RR_END_RUNNING)
        return status_of(run->failure);
    return RR_OK;
}

rr_status rr_run_instrument(rr_run *run, rr_status st, const char *what)
{
    if (st == RR_OK)
        return RR_OK;
    const char *detail = run->in->ops->last_error ? run->in->ops->last_error(run->in->ctx) : "";
    if (st == RR_ERR_RANGE || st == RR_ERR_STATE)
        return rr_run_fail(run, RR_END_PROTOCOL_ERROR, "%s refused by the instrument: %s%s%s",
                           what, rr_strerror(st), *detail ? ": " : "", detail);
    return rr_run_fail(run, RR_END_INSTRUMENT_FAILURE, "instrument failure during %s: %s%s%s",
                       what, rr_strerror(st), *detail ? ": " : "", detail);
}

void rr_run_event(rr_run *run, const char *level, const char *fmt, ...)
{
    double t = 0;
    if (run->in && run->in->ops->now)
        run->in->ops->now(run->in->ctx, &t);
    va_list ap;
    va_start(ap, fmt);
    rr_recorder_eventv(run->rec, t, level, fmt, ap);
    va_end(ap);
    if (run->verbosity > 0) {
        va_start(ap, fmt);
        fprintf(stderr, "[t=%10.1f s] %-5s ", t, level);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    }
}

/* ---- setup ------------------------------------------------------------- */

rr_status rr_run_init(rr_run *run, rr_instrument *in, rr_recorder *rec)
{
    memset(run, 0, sizeof *run);
    run->in = in;
    run->rec = rec;
    run->stable_timeout_s = 4 * 3600;
    run->last_temp_K = NAN;
    run->last_stress_MPa = NAN;
    rr_status st = rr_run_instrument(run, RR_CALL(in, get_limits, &run->limits), "reading the limits");
    if (st != RR_OK)
        return st;
    return rr_run_instrument(run, RR_CALL0(in, reset), "the initial reset");
}

/* ---- the run loop ------------------------------------------------------ */

/* Takes everything the instrument has buffered; samples at or after the
 * current segment's origin go to its series and to disk. */
static rr_status drain(rr_run *run)
{
    rr_sample buf[1024];
    for (;;) {
        size_t n = 0;
        rr_status st = RR_CALL(run->in, acq_read, buf, sizeof buf / sizeof buf[0], &n);
        if (st != RR_OK)
            return rr_run_instrument(run, st, "reading samples");
        if (n == 0)
            return RR_OK;
        run->last_temp_K = buf[n - 1].temp_K;
        run->last_stress_MPa = buf[n - 1].stress_MPa;
        if (!run->target)
            continue; /* not recording: samples between segments are dropped */
        size_t first = 0;
        while (first < n && buf[first].t_s < run->target_t0_s - 1e-9)
            first++;
        for (size_t i = first; i < n; i++)
            if (rr_series_append(run->target, &buf[i]) != RR_OK)
                return rr_run_fail(run, RR_END_INTERNAL_ERROR, "out of memory while recording");
        if (rr_recorder_samples(run->rec, buf + first, n - first) != RR_OK)
            return rr_run_fail(run, RR_END_INTERNAL_ERROR,
                               "cannot write samples to %s (disk full?)",
                               rr_recorder_dir(run->rec));
        if (n < sizeof buf / sizeof buf[0])
            return RR_OK;
    }
}

/* Status bits: a fault ends the run with the device's own message. */
static rr_status check_faults(rr_run *run)
{
    unsigned bits = 0;
    rr_status st = RR_CALL(run->in, get_status, &bits);
    if (st != RR_OK)
        return rr_run_instrument(run, st, "reading the status");
    if (bits & RR_STAT_OVERFLOW)
        rr_run_event(run, "WARN", "instrument sample buffer overflowed: samples lost");
    if (!(bits & RR_STAT_FAULTS))
        return RR_OK;
    int code = 0;
    char msg[256] = "";
    if (run->in->ops->next_error)
        run->in->ops->next_error(run->in->ctx, &code, msg, sizeof msg);
    const char *what = (bits & RR_STAT_BROKEN)   ? "sample broken"
                       : (bits & RR_STAT_OVERLOAD) ? "overload"
                                                   : "heater fault";
    return rr_run_fail(run, RR_END_INSTRUMENT_FAILURE, "instrument fault: %s (status %u%s%s)",
                       what, bits, code ? ", " : "", code ? msg : "");
}

rr_status rr_run_now(rr_run *run, double *t_s)
{
    return rr_run_instrument(run, RR_CALL(run->in, now, t_s), "reading the clock");
}

rr_status rr_run_advance_to(rr_run *run, double t_s)
{
    rr_status st;
    double now = 0, wall0 = wall_s(), inst0 = 0;
    if ((st = rr_run_check(run)) != RR_OK || (st = rr_run_now(run, &inst0)) != RR_OK)
        return st;
    now = inst0;
    while (now < t_s) {
        double step_to = t_s;
        if (run->pace > 0 && run->in->virtual_time) {
            /* Paced simulation: keep instrument time = pace x wall time. */
            double due = inst0 + run->pace * (wall_s() - wall0);
            if (due < now + 1e-6) {
                struct timespec ts = {0, 20 * 1000 * 1000};
                nanosleep(&ts, NULL);
                if ((st = rr_run_check(run)) != RR_OK)
                    return st;
                continue;
            }
            step_to = due < t_s ? due : t_s;
        }
        st = RR_CALL(run->in, advance, step_to, &now);
        if (st != RR_OK)
            return rr_run_instrument(run, st, "advancing time");
        if ((st = drain(run)) != RR_OK || (st = check_faults(run)) != RR_OK ||
            (st = rr_run_check(run)) != RR_OK)
            return st;
    }
    return RR_OK;
}

rr_status rr_run_wait_stable(rr_run *run, double timeout_s, double *waited_s)
{
    double t0, now;
    rr_status st = rr_run_now(run, &t0);
    if (st != RR_OK)
        return st;
    now = t0;
    for (;;) {
        unsigned bits = 0;
        st = RR_CALL(run->in, get_status, &bits);
        if (st != RR_OK)
            return rr_run_instrument(run, st, "reading the status");
        if (bits & RR_STAT_TEMP_STABLE)
            break;
        if (now - t0 >= timeout_s) {
            double T = NAN;
            RR_CALL(run->in, read_temp, &T);
            return rr_run_fail(run, RR_END_INSTRUMENT_FAILURE,
                               "temperature not stable after %.0f s (sample at %.2f K)",
                               timeout_s, T);
        }
        if ((st = rr_run_advance_to(run, now + 1.0)) != RR_OK ||
            (st = rr_run_now(run, &now)) != RR_OK)
            return st;
    }
    if (waited_s)
        *waited_s = now - t0;
    return RR_OK;
}

/* ---- setpoints --------------------------------------------------------- */

rr_status rr_run_set_temperature(rr_run *run, double T_K, double rate_K_per_min)
{
    rr_status st = rr_run_check(run);
    if (st != RR_OK)
        return st;
    const rr_limits *l = &run->limits;
    if (!(T_K >= l->temp_min_K && T_K <= l->temp_max_K))
        return rr_run_fail(run, RR_END_PROTOCOL_ERROR,
                           "temperature %.6g K is outside the limits %.6g..%.6g K",
                           T_K, l->temp_min_K, l->temp_max_K);
    if (rate_K_per_min > 0) {
        if (!(rate_K_per_min <= l->rate_max_K_per_min))
            return rr_run_fail(run, RR_END_PROTOCOL_ERROR,
                               "heating rate %.6g K/min is beyond the limit %.6g K/min",
                               rate_K_per_min, l->rate_max_K_per_min);
        st = rr_run_instrument(run, RR_CALL(run->in, set_temp_rate, rate_K_per_min),
                               "setting the heating rate");
        if (st != RR_OK)
            return st;
    }
    rr_run_event(run, "INFO", "temperature setpoint %.6g K", T_K);
    return rr_run_instrument(run, RR_CALL(run->in, set_temp, T_K), "setting the temperature");
}

rr_status rr_run_set_strain(rr_run *run, double strain)
{
    rr_status st = rr_run_check(run);
    if (st != RR_OK)
        return st;
    if (!(fabs(strain) <= run->limits.strain_max))
        return rr_run_fail(run, RR_END_PROTOCOL_ERROR,
                           "strain %.6g is beyond the limit %.6g", strain,
                           run->limits.strain_max);
    rr_run_event(run, "INFO", "strain setpoint %.6g", strain);
    return rr_run_instrument(run, RR_CALL(run->in, set_strain, strain), "the strain step");
}

rr_status rr_run_relaxation(rr_run *run, double strain, double duration_s,
                            double rate_Hz, const char *label, rr_series **out)
{
    rr_status st;
    double t0 = 0, T = NAN;
    *out = NULL;
    if ((st = rr_run_check(run)) != RR_OK)
        return st;
    if (!(duration_s > 0) || !(rate_Hz >= 0.1 && rate_Hz <= 100))
        return rr_run_fail(run, RR_END_PROTOCOL_ERROR,
                           "recording needs a duration > 0 s and a rate of 0.1 to 100 Hz "
                           "(got %.6g s at %.6g Hz)", duration_s, rate_Hz);
    if ((st = rr_run_instrument(run, RR_CALL(run->in, acq_set_rate, rate_Hz), "setting the sampling rate")) ||
        (st = rr_run_instrument(run, RR_CALL0(run->in, acq_start), "starting acquisition")) ||
        (st = rr_run_set_strain(run, strain)) ||
        (st = rr_run_instrument(run, RR_CALL(run->in, strain_t0, &t0), "reading the step time")))
        return st;
    RR_CALL(run->in, read_temp, &T);
    if (rr_series_new(t0, label, out) != RR_OK)
        return rr_run_fail(run, RR_END_INTERNAL_ERROR, "out of memory");
    if (rr_recorder_segment_begin(run->rec, label, "relaxation", t0, strain, T) != RR_OK)
        return rr_run_fail(run, RR_END_INTERNAL_ERROR, "cannot create a segment file in %s",
                           rr_recorder_dir(run->rec));
    rr_run_event(run, "INFO", "recording '%s': strain %.6g for %.6g s at %.6g Hz",
                 label, strain, duration_s, rate_Hz);
    run->target = *out;
    run->target_t0_s = t0;
    st = rr_run_advance_to(run, t0 + duration_s);
    if (st == RR_OK)
        st = rr_run_instrument(run, RR_CALL0(run->in, acq_stop), "stopping acquisition");
    if (st == RR_OK)
        st = drain(run);
    run->target = NULL;
    if (rr_recorder_segment_end(run->rec) != RR_OK && st == RR_OK)
        st = rr_run_fail(run, RR_END_INTERNAL_ERROR, "cannot close the segment file");
    return st;
}

rr_status rr_run_safe_state(rr_run *run)
{
    /* Keep what the instrument still holds for the open segment. */
    if (run->target && run->failure != RR_END_INSTRUMENT_FAILURE)
        drain(run);
    run->target = NULL;
    rr_status st = RR_CALL0(run->in, reset);
    if (st != RR_OK) {
        /* The steps of *RST one by one: whatever still works. */
        if (run->in->ops->osc_enable)
            run->in->ops->osc_enable(run->in->ctx, false);
        if (run->in->ops->acq_stop)
            run->in->ops->acq_stop(run->in->ctx);
        if (run->in->ops->set_strain)
            run->in->ops->set_strain(run->in->ctx, 0.0);
        if (run->in->ops->heater_standby)
            run->in->ops->heater_standby(run->in->ctx);
    }
    rr_recorder_event(run->rec, 0, st == RR_OK ? "INFO" : "ERROR",
                      st == RR_OK ? "safe state reached (strain 0, oscillation off, heater standby)"
                                  : "safe state: reset failed, tried each step");
    run->safe_state_done = st == RR_OK;
    return st;
}
