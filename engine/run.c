/* run.c - the run loop: advancing time, recording, limits, safe state. */
#include "run.h"

#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- abort, pause and resume flags -------------------------------------- */

static volatile sig_atomic_t abort_signal, pause_signal, resume_signal;
static volatile sig_atomic_t pausing_enabled, paused_now;

static void on_signal(int sig)
{
    switch (sig) {
    case SIGUSR1:
        pause_signal = 1;
        break;
    case SIGUSR2:
        resume_signal = 1;
        break;
    case SIGINT:
        if (pausing_enabled && !pause_signal && !paused_now)
            pause_signal = 1; /* the first Ctrl-C pauses */
        else
            abort_signal = sig; /* a second one aborts */
        break;
    default:
        /* Another signal only sets the flag again: the safe state still runs. */
        abort_signal = sig;
    }
}

void rr_run_set_pause_policy(rr_run *run, int policy)
{
    run->pause_policy = policy;
    pausing_enabled = policy != RR_PAUSE_NONE;
}

void rr_abort_install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int rr_abort_requested(void) { return (int)abort_signal; }
void rr_abort_request(int sig) { abort_signal = sig; }

/* ---- failures ---------------------------------------------------------- */

static void hms(double s, char *buf, size_t len)
{
    long t = (long)(s + 0.5);
    snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}


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

/* ---- limits, dry runs and the timeline ------------------------------------ */

/* A limit the protocol asks to break: the end of a real run; in a dry run,
 * a note in the report (the value is then clamped by the caller). */
static rr_status violation(rr_run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static rr_status violation(rr_run *run, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!run->dry_run)
        return rr_run_fail(run, RR_END_PROTOCOL_ERROR, "%s", msg);
    void *p = realloc(run->violations, (run->nviolations + 1) * sizeof *run->violations);
    if (!p)
        return rr_run_fail(run, RR_END_INTERNAL_ERROR, "out of memory");
    run->violations = p;
    double t = 0;
    RR_CALL(run->in, now, &t);
    snprintf(run->violations[run->nviolations++], sizeof run->violations[0],
             "at %.0f s: %.200s", fmod(t, 1e12), msg);
    rr_run_event(run, "WARN", "dry run: %s", msg);
    return RR_OK;
}

void rr_run_step_begin(rr_run *run, const char *fmt, ...)
{
    void *p = realloc(run->timeline, (run->nsteps + 1) * sizeof *run->timeline);
    if (!p)
        return;
    run->timeline = p;
    rr_step *s = &run->timeline[run->nsteps++];
    memset(s, 0, sizeof *s);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->what, sizeof s->what, fmt, ap);
    va_end(ap);
    RR_CALL(run->in, now, &s->start_s);
    s->temp_K = run->setpoint_K;
    s->strain = run->strain_now;
}

void rr_run_step_end(rr_run *run, size_t samples)
{
    if (!run->nsteps)
        return;
    rr_step *s = &run->timeline[run->nsteps - 1];
    double now = s->start_s;
    RR_CALL(run->in, now, &now);
    s->duration_s = now - s->start_s;
    s->samples = samples;
}

rr_status rr_run_write_timeline(const rr_run *run)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/timeline.csv", rr_recorder_dir(run->rec));
    FILE *f = fopen(path, "w");
    if (!f)
        return RR_ERR_IO;
    fputs("start_s,duration_s,setpoint_K,strain_m_per_m,samples,step\n", f);
    for (size_t i = 0; i < run->nsteps; i++) {
        const rr_step *s = &run->timeline[i];
        fprintf(f, "%.3f,%.3f,%.6g,%.6g,%zu,\"%s\"\n", s->start_s, s->duration_s,
                s->temp_K, s->strain, s->samples, s->what);
    }
    return fclose(f) == 0 ? RR_OK : RR_ERR_IO;
}

void rr_run_print_timeline(const rr_run *run, FILE *f)
{
    char a[32], b[32];
    double end = 0;
    size_t samples = 0;
    fprintf(f, "%-10s %-10s %9s %10s %8s  %s\n", "start", "duration", "T (K)", "strain",
            "samples", "step");
    for (size_t i = 0; i < run->nsteps; i++) {
        const rr_step *s = &run->timeline[i];
        hms(s->start_s, a, sizeof a);
        hms(s->duration_s, b, sizeof b);
        char T[32];
        if (s->temp_K > 0)
            snprintf(T, sizeof T, "%.1f", s->temp_K);
        else
            snprintf(T, sizeof T, "-");
        fprintf(f, "%-10s %-10s %9s %10.4g %8zu  %s\n", a, b, T, s->strain, s->samples, s->what);
        if (s->start_s + s->duration_s > end)
            end = s->start_s + s->duration_s;
        samples += s->samples;
    }
    hms(end, a, sizeof a);
    fprintf(f, "total instrument time: %s (%.0f s); samples: %zu\n", a, end, samples);
    if (run->dry_run) {
        if (!run->nviolations)
            fputs("limit violations: none\n", f);
        for (size_t i = 0; i < run->nviolations; i++)
            fprintf(f, "LIMIT VIOLATION %s\n", run->violations[i]);
    }
}

void rr_run_release(rr_run *run)
{
    free(run->timeline);
    free(run->violations);
    run->timeline = NULL;
    run->violations = NULL;
    run->nsteps = run->nviolations = 0;
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
        /* Only the segment's window: a real-time instrument may hand over a
         * sample or two past its end before acquisition stops. */
        size_t first = 0, last = n;
        while (first < n && buf[first].t_s < run->target_t0_s - 1e-9)
            first++;
        while (last > first && buf[last - 1].t_s > run->target_end_s + 1e-9)
            last--;
        n = last;
        for (size_t i = first; i < n; i++)
            if (rr_series_append(run->target, &buf[i]) != RR_OK)
                return rr_run_fail(run, RR_END_INTERNAL_ERROR, "out of memory while recording");
        if (rr_recorder_samples(run->rec, buf + first, n - first) != RR_OK)
            return rr_run_fail(run, RR_END_OUTPUT_ERROR,
                               "cannot write samples to %s (disk full?)",
                               rr_recorder_dir(run->rec));
        if (last < sizeof buf / sizeof buf[0])
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

/* Progress on a terminal (one line, redrawn twice a second) or, when stderr
 * is not a terminal, a plain log line a minute: the current step, elapsed
 * and remaining time (the plan's durations, corrected by where the run
 * really is), the latest temperature and stress. */
static void progress(rr_run *run, double now)
{
    if (!run->plan || run->verbosity < 0 || !run->nsteps)
        return;
    double w = wall_s();
    int tty = isatty(STDERR_FILENO);
    if (w - run->progress_wall_s < (tty ? 0.5 : 60))
        return;
    run->progress_wall_s = w;
    size_t k = run->nsteps - 1;
    const rr_step *cur = &run->timeline[k];
    double remaining = 0;
    if (k < run->nplan) {
        double left = run->plan[k].duration_s - (now - cur->start_s);
        remaining += left > 0 ? left : 0;
        for (size_t i = k + 1; i < run->nplan; i++)
            remaining += run->plan[i].duration_s;
    }
    char e[32], r[32];
    double T = run->last_temp_K, stress = run->last_stress_MPa;
    RR_CALL(run->in, read_temp, &T);
    RR_CALL(run->in, read_stress, &stress);
    hms(now - run->timeline[0].start_s, e, sizeof e);
    hms(remaining, r, sizeof r);
    fprintf(stderr, "%s[step %zu/%zu] %-28.28s elapsed %s, remaining ~%s, T %.2f K, stress %.3f MPa%s",
            tty ? "\r" : "", k + 1, run->nplan > k ? run->nplan : k + 1, cur->what, e, r,
            T, stress, tty ? "\033[K" : "\n");
    fflush(stderr);
}

rr_status rr_run_now(rr_run *run, double *t_s)
{
    return rr_run_instrument(run, RR_CALL(run->in, now, t_s), "reading the clock");
}

/* Enter on the controlling terminal resumes a pause too. */
static bool enter_pressed(void)
{
    if (!isatty(STDIN_FILENO))
        return false;
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    if (poll(&p, 1, 0) != 1)
        return false;
    char buf[256];
    return read(STDIN_FILENO, buf, sizeof buf) > 0;
}

/* A pause at a safe point of the run loop: the policy, then waiting (in
 * instrument time, still draining samples and watching for faults) until a
 * resume or an abort.  *target_s is the time the step under way runs to;
 * continuing a step extends it by the pause.  Returns RR_ERR_INTERRUPTED
 * when the step must be restarted (the sample was unloaded during a
 * recording, or the step declares restart). */
static rr_status pause_here(rr_run *run, double *target_s)
{
    rr_status st;
    double t_from, now;
    int policy = run->pause_policy ? run->pause_policy : RR_PAUSE_HOLD;
    double strain_before = run->strain_now;
    if ((st = rr_run_now(run, &t_from)) != RR_OK)
        return st;
    paused_now = 1;
    pause_signal = 0;
    resume_signal = 0;
    rr_recorder_set_paused(run->rec, true);
    rr_run_event(run, "PAUSE", "paused (%s)", policy == RR_PAUSE_UNLOAD
                                               ? "unloaded, temperature held"
                                               : "temperature and strain held");
    if (run->verbosity >= 0)
        fprintf(stderr, "\nrelaxrun: paused (%s). Resume with Enter or `relaxrun resume %s`; "
                        "Ctrl-C aborts to the safe state.\n",
                policy == RR_PAUSE_UNLOAD ? "unloaded, temperature held" : "temperature and strain held",
                rr_recorder_dir(run->rec));
    if (policy == RR_PAUSE_UNLOAD) {
        RR_CALL(run->in, osc_enable, false);
        if (run->recording)
            RR_CALL0(run->in, acq_stop);
        rr_run_event(run, "INFO", "strain 0 for the pause");
        if ((st = rr_run_instrument(run, RR_CALL(run->in, set_strain, 0.0), "unloading for the pause")))
            goto out;
    }
    double end_before = run->target_end_s;
    run->target_end_s = INFINITY; /* a held recording keeps its samples while paused */
    for (now = t_from; !resume_signal && !enter_pressed();) {
        /* Hardware waits a polling interval in advance(); a simulation is
         * kept in step with the wall clock (at its pace) while paused. */
        double step_to = now + 0.2 * (run->pace > 0 ? run->pace : 1.0);
        if (run->in->virtual_time) {
            struct timespec ts = {0, 200 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if ((st = rr_run_instrument(run, RR_CALL(run->in, advance, step_to, &now), "pausing")) ||
            (st = drain(run)) || (st = check_faults(run)) || (st = rr_run_check(run)))
            goto out;
    }
    resume_signal = 0;
    run->target_end_s = end_before;
    double paused = now - t_from;
    run->paused_s += paused;
    rr_recorder_segment_paused(run->rec, t_from, now, policy == RR_PAUSE_UNLOAD && run->recording);
    rr_run_event(run, "PAUSE", "resumed after %.1f s", paused);
    if (run->verbosity >= 0)
        fprintf(stderr, "relaxrun: resumed after %.1f s\n", paused);
    if (policy == RR_PAUSE_UNLOAD && run->recording)
        st = RR_ERR_INTERRUPTED; /* a relaxation cannot go on after an unload */
    else if (run->resume_mode == RR_RESUME_RESTART)
        st = RR_ERR_INTERRUPTED;
    else {
        if (policy == RR_PAUSE_UNLOAD && strain_before != 0)
            st = rr_run_instrument(run, RR_CALL(run->in, set_strain, strain_before),
                                   "reloading after the pause");
        *target_s += paused;
        if (run->recording)
            run->target_end_s += paused;
    }
out:
    if (isinf(run->target_end_s))
        run->target_end_s = end_before;
    paused_now = 0;
    rr_recorder_set_paused(run->rec, false);
    return st;
}

rr_status rr_run_advance_to(rr_run *run, double t_s)
{
    rr_status st;
    double now = 0;
    if ((st = rr_run_check(run)) != RR_OK || (st = rr_run_now(run, &now)) != RR_OK)
        return st;
    if (run->pace > 0 && run->pace_wall0_s == 0) {
        run->pace_wall0_s = wall_s();
        run->pace_inst0_s = now;
    }
    while (now < t_s) {
        double step_to = t_s;
        if (pause_signal && (st = pause_here(run, &t_s)) != RR_OK)
            return st;
        if (run->pace > 0 && run->in->virtual_time) {
            /* Paced simulation: keep instrument time = pace x wall time,
             * advancing in slices of about 50 ms of wall time. */
            double due = run->pace_inst0_s + run->pace * (wall_s() - run->pace_wall0_s);
            step_to = due < t_s ? due : t_s;
            double slice = run->pace * 0.05 < t_s - now ? run->pace * 0.05 : t_s - now;
            if (step_to - now < slice) {
                double wait = (slice - (step_to - now)) / run->pace; /* wall s */
                struct timespec ts = {0, (long)(1e9 * (wait < 0.05 ? wait : 0.05))};
                nanosleep(&ts, NULL);
                if ((st = rr_run_check(run)) != RR_OK)
                    return st;
                continue;
            }
        }
        st = RR_CALL(run->in, advance, step_to, &now);
        if (st != RR_OK)
            return rr_run_instrument(run, st, "advancing time");
        if ((st = drain(run)) != RR_OK || (st = check_faults(run)) != RR_OK ||
            (st = rr_run_check(run)) != RR_OK)
            return st;
        progress(run, now);
    }
    return RR_OK;
}

rr_status rr_run_wait_stable(rr_run *run, double timeout_s, double *waited_s)
{
    double t0, now;
    rr_status st = rr_run_now(run, &t0);
    if (st != RR_OK)
        return st;
    rr_run_step_begin(run, "stabilise at %.6g K", run->setpoint_K);
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
    rr_run_step_end(run, 0);
    if (waited_s)
        *waited_s = now - t0;
    return RR_OK;
}

rr_status rr_run_hold(rr_run *run, double duration_s, const char *what)
{
    double now;
    rr_status st = rr_run_now(run, &now);
    if (st != RR_OK)
        return st;
    rr_run_event(run, "INFO", "hold %.6g s%s%s", duration_s, what ? ": " : "", what ? what : "");
    rr_run_step_begin(run, "hold%s%s", what ? ": " : "", what ? what : "");
    while ((st = rr_run_advance_to(run, now + duration_s)) == RR_ERR_INTERRUPTED) {
        rr_run_event(run, "INFO", "hold restarted after the pause");
        if ((st = rr_run_now(run, &now)) != RR_OK)
            break;
    }
    rr_run_step_end(run, 0);
    return st;
}

rr_status rr_run_oscillate(rr_run *run, double freq_Hz, double amplitude)
{
    rr_status st = rr_run_check(run);
    if (st != RR_OK)
        return st;
    const rr_limits *l = &run->limits;
    if (!(freq_Hz >= l->freq_min_Hz && freq_Hz <= l->freq_max_Hz)) {
        if ((st = violation(run, "frequency %.6g Hz is outside the limits %.6g..%.6g Hz",
                            freq_Hz, l->freq_min_Hz, l->freq_max_Hz)) != RR_OK)
            return st;
        freq_Hz = freq_Hz < l->freq_min_Hz ? l->freq_min_Hz : l->freq_max_Hz;
    }
    if (!(amplitude > 0 && fabs(run->strain_now) + amplitude <= l->strain_max)) {
        if (!(amplitude > 0))
            return rr_run_fail(run, RR_END_PROTOCOL_ERROR,
                               "oscillation amplitude %.6g must be above 0", amplitude);
        if ((st = violation(run, "strain %.6g + oscillation amplitude %.6g is beyond the limit %.6g",
                            run->strain_now, amplitude, l->strain_max)) != RR_OK)
            return st;
        amplitude = l->strain_max - fabs(run->strain_now);
    }
    rr_run_event(run, "INFO", "oscillating at %.6g Hz, amplitude %.6g", freq_Hz, amplitude);
    if ((st = rr_run_instrument(run, RR_CALL(run->in, osc_set, freq_Hz, amplitude),
                                "setting the oscillation")) != RR_OK)
        return st;
    return rr_run_instrument(run, RR_CALL(run->in, osc_enable, true), "starting oscillation");
}

/* ---- setpoints --------------------------------------------------------- */

rr_status rr_run_set_temperature(rr_run *run, double T_K, double rate_K_per_min)
{
    rr_status st = rr_run_check(run);
    if (st != RR_OK)
        return st;
    const rr_limits *l = &run->limits;
    if (!(T_K >= l->temp_min_K && T_K <= l->temp_max_K)) {
        if ((st = violation(run, "temperature %.6g K is outside the limits %.6g..%.6g K",
                            T_K, l->temp_min_K, l->temp_max_K)) != RR_OK)
            return st;
        T_K = T_K < l->temp_min_K ? l->temp_min_K : l->temp_max_K;
    }
    if (rate_K_per_min > 0) {
        if (!(rate_K_per_min <= l->rate_max_K_per_min)) {
            if ((st = violation(run, "heating rate %.6g K/min is beyond the limit %.6g K/min",
                                rate_K_per_min, l->rate_max_K_per_min)) != RR_OK)
                return st;
            rate_K_per_min = l->rate_max_K_per_min;
        }
        st = rr_run_instrument(run, RR_CALL(run->in, set_temp_rate, rate_K_per_min),
                               "setting the heating rate");
        if (st != RR_OK)
            return st;
    }
    rr_run_event(run, "INFO", "temperature setpoint %.6g K", T_K);
    run->setpoint_K = T_K;
    return rr_run_instrument(run, RR_CALL(run->in, set_temp, T_K), "setting the temperature");
}

rr_status rr_run_set_strain(rr_run *run, double strain)
{
    rr_status st = rr_run_check(run);
    if (st != RR_OK)
        return st;
    if (!(fabs(strain) <= run->limits.strain_max)) {
        if ((st = violation(run, "strain %.6g is beyond the limit %.6g", strain,
                            run->limits.strain_max)) != RR_OK)
            return st;
        strain = strain < 0 ? -run->limits.strain_max : run->limits.strain_max;
    }
    rr_run_event(run, "INFO", "strain setpoint %.6g", strain);
    run->strain_now = strain;
    return rr_run_instrument(run, RR_CALL(run->in, set_strain, strain), "the strain step");
}

/* One recorded step into a new series and segment file. */
static rr_status record_once(rr_run *run, double strain, double duration_s, double rate_Hz,
                             const char *label, rr_series **out)
{
    rr_status st;
    double t0 = 0, T = NAN;
    *out = NULL;
    if ((st = rr_run_instrument(run, RR_CALL(run->in, acq_set_rate, rate_Hz), "setting the sampling rate")) ||
        (st = rr_run_instrument(run, RR_CALL0(run->in, acq_start), "starting acquisition")) ||
        (st = rr_run_set_strain(run, strain)) ||
        (st = rr_run_instrument(run, RR_CALL(run->in, strain_t0, &t0), "reading the step time")))
        return st;
    RR_CALL(run->in, read_temp, &T);
    if (rr_series_new(t0, label, out) != RR_OK)
        return rr_run_fail(run, RR_END_INTERNAL_ERROR, "out of memory");
    if (rr_recorder_segment_begin(run->rec, label, "relaxation", t0, strain, T) != RR_OK)
        return rr_run_fail(run, RR_END_OUTPUT_ERROR, "cannot create a segment file in %s",
                           rr_recorder_dir(run->rec));
    rr_run_event(run, "INFO", "recording '%s': strain %.6g for %.6g s at %.6g Hz",
                 label, strain, duration_s, rate_Hz);
    run->target = *out;
    run->target_t0_s = t0;
    run->target_end_s = t0 + duration_s;
    run->recording = true;
    st = rr_run_advance_to(run, t0 + duration_s);
    run->recording = false;
    if (st == RR_OK)
        st = rr_run_instrument(run, RR_CALL0(run->in, acq_stop), "stopping acquisition");
    if (st == RR_OK)
        st = drain(run);
    run->target = NULL;
    if (rr_recorder_segment_end(run->rec) != RR_OK && st == RR_OK)
        st = rr_run_fail(run, RR_END_OUTPUT_ERROR, "cannot close the segment file (disk full?)");
    return st;
}

rr_status rr_run_relaxation(rr_run *run, double strain, double duration_s,
                            double rate_Hz, const char *label, rr_series **out)
{
    rr_status st;
    *out = NULL;
    if ((st = rr_run_check(run)) != RR_OK)
        return st;
    if (!(duration_s > 0) || !(rate_Hz >= 0.1 && rate_Hz <= 100))
        return rr_run_fail(run, RR_END_PROTOCOL_ERROR,
                           "recording needs a duration > 0 s and a rate of 0.1 to 100 Hz "
                           "(got %.6g s at %.6g Hz)", duration_s, rate_Hz);
    rr_run_step_begin(run, "record '%s'", label);
    if (run->nsteps)
        run->timeline[run->nsteps - 1].strain = strain;
    char name[96];
    snprintf(name, sizeof name, "%s", label);
    for (int attempt = 2;; attempt++) {
        st = record_once(run, strain, duration_s, rate_Hz, name, out);
        if (st != RR_ERR_INTERRUPTED)
            break;
        /* A pause unloaded the sample (or the step restarts on resume): the
         * paused segment stays on disk, marked; the step is recorded anew. */
        rr_series_free(*out);
        *out = NULL;
        snprintf(name, sizeof name, "%.60s (restart %d)", label, attempt);
        rr_run_event(run, "INFO", "step '%s' restarted after the pause", label);
    }
    rr_run_step_end(run, *out ? (*out)->n : 0);
    return st;
}

rr_status rr_run_safe_state(rr_run *run)
{
    if (run->plan && run->verbosity >= 0 && run->progress_wall_s > 0 && isatty(STDERR_FILENO))
        fputc('\n', stderr);
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
