/* run.c - the run loop: advancing time, recording, limits, safe state. */
#include "run.h"

#include "analysis/csv.h"

#include <errno.h>
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
    /* A closed terminal (an ssh session dropped) hangs up, and Ctrl-\ quits:
     * both end the run like SIGTERM, through the safe state, never by
     * killing the process with the sample loaded. */
    sigaction(SIGTERM, &sa, NULL);
    struct sigaction hup;
    if (sigaction(SIGHUP, NULL, &hup) != 0 || hup.sa_handler != SIG_IGN)
        sigaction(SIGHUP, &sa, NULL); /* under nohup it stays ignored: the run goes on */
    sigaction(SIGQUIT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    /* Output to a closed pipe or socket fails with EPIPE instead (the TCP
     * transport sends with MSG_NOSIGNAL as well). */
    signal(SIGPIPE, SIG_IGN);
}

const char *rr_abort_signal_name(int sig)
{
    switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    case SIGQUIT: return "SIGQUIT";
    default: return "a signal";
    }
}

int rr_abort_requested(void) { return (int)abort_signal; }
void rr_abort_request(int sig) { abort_signal = sig; }

/* ---- failures ---------------------------------------------------------- */

static rr_status wait_stable(rr_run *run, double timeout_s, double *waited_s);
static rr_status send_strain(rr_run *run, double strain);

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
        rr_run_fail(run, RR_END_ABORTED, "aborted by %s", rr_abort_signal_name(sig));
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

/* Instrument time for the log: the clock, or the last reading of it when
 * the instrument no longer answers (a lost link, the end of the run). */
static double log_time(rr_run *run)
{
    double t = run->last_now_s;
    if (run->in && run->in->ops->now && run->in->ops->now(run->in->ctx, &t) == RR_OK)
        run->last_now_s = t;
    else
        t = run->last_now_s;
    return t;
}

void rr_run_event(rr_run *run, const char *level, const char *fmt, ...)
{
    double t = log_time(run);
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
    rr_journal_close(&run->journal);
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
    const size_t cap = sizeof buf / sizeof buf[0];
    for (;;) {
        size_t got = 0;
        rr_status st = RR_CALL(run->in, acq_read, buf, cap, &got);
        if (st != RR_OK)
            return rr_run_instrument(run, st, "reading samples");
        if (got == 0)
            return RR_OK;
        run->last_temp_K = buf[got - 1].temp_K;
        run->last_stress_MPa = buf[got - 1].stress_MPa;
        if (!run->segment_open)
            continue; /* not recording: samples between segments are dropped */
        /* Only the segment's window (a real-time instrument may hand over a
         * sample or two past its end before acquisition stops), and nothing
         * already on disk (a resumed recording). */
        size_t first = 0, last = got;
        while (first < last && (buf[first].t_s < run->target_t0_s - 1e-9 ||
                                buf[first].t_s <= run->last_written_s + 1e-9))
            first++;
        while (last > first && buf[last - 1].t_s > run->target_end_s + 1e-9)
            last--;
        for (size_t i = first; run->target && i < last; i++)
            if (rr_series_append(run->target, &buf[i]) != RR_OK)
                return rr_run_fail(run, RR_END_INTERNAL_ERROR, "out of memory while recording");
        if (rr_recorder_samples(run->rec, buf + first, last - first) != RR_OK)
            return rr_run_fail(run, RR_END_OUTPUT_ERROR,
                               "cannot write samples to %s (disk full?)",
                               rr_recorder_dir(run->rec));
        if (last > first)
            run->last_written_s = buf[last - 1].t_s;
        if (got < cap)
            return RR_OK;
    }
}

rr_status rr_run_status(rr_run *run, unsigned *bits)
{
    *bits = 0;
    rr_status st = RR_CALL(run->in, get_status, bits);
    if (st != RR_OK)
        return rr_run_instrument(run, st, "reading the status");
    if (*bits & RR_STAT_OVERFLOW) {
        /* The driver tells the count and the times in its last message. */
        const char *d = run->in->ops->last_error ? run->in->ops->last_error(run->in->ctx) : "";
        char msg[700];
        snprintf(msg, sizeof msg, "samples lost: %s",
                 d && *d ? d : "the instrument's sample buffer overflowed");
        rr_run_event(run, "WARN", "%s", msg);
        if (run->verbosity == 0) /* rr_run_event prints it itself when verbose */
            fprintf(stderr, "relaxrun: warning: %s\n", msg);
        if (rr_recorder_data_lost(run->rec, msg) != RR_OK)
            return rr_run_fail(run, RR_END_OUTPUT_ERROR, "cannot write the manifest in %s",
                               rr_recorder_dir(run->rec));
    }
    return RR_OK;
}

/* Status bits: a fault ends the run with the device's own message. */
static rr_status check_faults(rr_run *run)
{
    unsigned bits = 0;
    rr_status st = rr_run_status(run, &bits);
    if (st != RR_OK)
        return st;
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
    /* The latest sample's readings: no extra queries to the instrument, so a
     * transcript replays the same whatever the terminal. */
    double T = run->last_temp_K, stress = run->last_stress_MPa;
    hms(now - run->timeline[0].start_s, e, sizeof e);
    hms(remaining, r, sizeof r);
    char now_T[48] = "", now_s[48] = "";
    if (run->segment_open && !isnan(T))
        snprintf(now_T, sizeof now_T, ", T %.2f K", T);
    else if (run->setpoint_K > 0)
        snprintf(now_T, sizeof now_T, ", setpoint %.2f K", run->setpoint_K);
    if (run->segment_open && !isnan(stress))
        snprintf(now_s, sizeof now_s, ", stress %.3f MPa", stress);
    fprintf(stderr, "%s[step %zu/%zu] %-28.28s elapsed %s, remaining ~%s%s%s%s",
            tty ? "\r" : "", k + 1, run->nplan > k ? run->nplan : k + 1, cur->what, e, r,
            now_T, now_s, tty ? "\033[K" : "\n");
    fflush(stderr);
}

rr_status rr_run_now(rr_run *run, double *t_s)
{
    rr_status st = rr_run_instrument(run, RR_CALL(run->in, now, t_s), "reading the clock");
    if (st == RR_OK)
        run->last_now_s = *t_s;
    return st;
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

/* After a pause that unloaded: back to what the step had, whether it goes
 * on or starts again (a recording steps its strain itself when it starts
 * again, from 0). */
static rr_status reload_after_unload(rr_run *run, double strain_before)
{
    rr_status st = RR_OK;
    if (strain_before != 0 && !run->recording)
        st = rr_run_instrument(run, RR_CALL(run->in, set_strain, strain_before),
                               "reloading after the pause");
    if (st == RR_OK && run->oscillating) {
        rr_run_event(run, "INFO", "oscillation on again after the pause");
        if ((st = rr_run_instrument(run, RR_CALL(run->in, osc_set, run->osc_freq_Hz,
                                                 run->osc_amplitude),
                                    "setting the oscillation after the pause")) == RR_OK)
            st = rr_run_instrument(run, RR_CALL(run->in, osc_enable, true),
                                   "starting oscillation after the pause");
    }
    return st;
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
    double end_before = run->target_end_s;
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
    if (policy == RR_PAUSE_UNLOAD)
        st = reload_after_unload(run, strain_before);
    if (st == RR_OK) {
        if (policy == RR_PAUSE_UNLOAD && run->recording)
            st = RR_ERR_INTERRUPTED; /* a relaxation cannot go on after an unload */
        else if (run->resume_mode == RR_RESUME_RESTART)
            st = RR_ERR_INTERRUPTED;
        else {
            *target_s += paused;
            if (run->recording)
                run->target_end_s += paused;
        }
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
        run->last_now_s = now;
        if ((st = drain(run)) != RR_OK || (st = check_faults(run)) != RR_OK ||
            (st = rr_run_check(run)) != RR_OK)
            return st;
        progress(run, now);
    }
    return RR_OK;
}

/* ---- actions and the journal --------------------------------------------- */

enum { ACT_LIVE, ACT_SKIP, ACT_CONTINUE, ACT_ERROR };

/* Numbers the next action.  Live, it journals "begin"; when resuming, the
 * journal says whether the action ended before the crash (skip it), was
 * under way (continue it), or lies beyond (live).  *a: the journal's record
 * when there is one. */
/* One journal line; a line that did not reach the disk ends the run as an
 * output error at once (a journal with a line missing could not resume the
 * run), whether or not the caller stops. */
static rr_status journal_line(rr_run *run, const char *what, unsigned long n,
                              const char *kind, double t, const char *fields)
{
    if (rr_journal_write(&run->journal, what, n, kind, t, fields) == RR_OK)
        return RR_OK;
    return rr_run_fail(run, RR_END_OUTPUT_ERROR, "cannot write %s/journal.log: %s (disk full?)",
                       rr_recorder_dir(run->rec), strerror(run->journal.error));
}

static int action_begin(rr_run *run, const char *kind, const char *fields,
                        unsigned long *n, const rr_action **a)
{
    *n = ++run->journal.n;
    *a = NULL;
    run->safe_state_done = false; /* the run commands the instrument again */
    if (*n <= run->journal.nreplay) {
        const rr_action *x = &run->journal.replay[*n - 1];
        if (strcmp(x->kind, kind) != 0) {
            rr_run_fail(run, RR_END_PROTOCOL_ERROR,
                        "the protocol no longer matches its journal: action %lu is '%s', "
                        "the journal has '%s'", *n, kind, x->kind);
            return ACT_ERROR;
        }
        *a = x;
        return x->ended ? ACT_SKIP : ACT_CONTINUE;
    }
    double t = 0;
    RR_CALL(run->in, now, &t);
    if (journal_line(run, "begin", *n, kind, t, fields) != RR_OK)
        return ACT_ERROR;
    return ACT_LIVE;
}

static void action_end(rr_run *run, unsigned long n, const char *kind, const char *fields)
{
    double t = 0;
    RR_CALL(run->in, now, &t);
    journal_line(run, "end", n, kind, t, fields); /* a failure is the run's ending */
}

rr_status rr_run_wait_stable(rr_run *run, double timeout_s, double *waited_s)
{
    unsigned long n;
    const rr_action *a;
    int mode = action_begin(run, "stabilise", "", &n, &a);
    if (mode == ACT_ERROR)
        return status_of(run->failure);
    if (mode == ACT_SKIP) {
        if (waited_s)
            *waited_s = a->t_end_s - a->t_s;
        return RR_OK;
    }
    rr_status st = wait_stable(run, timeout_s, waited_s);
    if (st == RR_OK)
        action_end(run, n, "stabilise", "");
    return st;
}

/* One wait of a polling loop that started at *t0: advances step_s from
 * *now and updates *now.  A pause with resume = "restart" starts the wait
 * (and its timeout) again: *t0 = *now = the time after the pause, with an
 * event saying that `what` restarted. */
static rr_status poll_wait(rr_run *run, double step_s, double *t0, double *now,
                           const char *what)
{
    rr_status st = rr_run_advance_to(run, *now + step_s);
    if (st == RR_ERR_INTERRUPTED) {
        rr_run_event(run, "INFO", "%s restarted after the pause", what);
        if ((st = rr_run_now(run, t0)) == RR_OK)
            *now = *t0;
        return st;
    }
    return st != RR_OK ? st : rr_run_now(run, now);
}

static rr_status wait_stable(rr_run *run, double timeout_s, double *waited_s)
{
    double t0, now;
    rr_status st = rr_run_now(run, &t0);
    if (st != RR_OK)
        return st;
    rr_run_step_begin(run, "stabilise at %.6g K", run->setpoint_K);
    now = t0;
    for (;;) {
        unsigned bits = 0;
        if ((st = rr_run_status(run, &bits)) != RR_OK)
            return st;
        if (bits & RR_STAT_TEMP_STABLE)
            break;
        if (now - t0 >= timeout_s) {
            double T = NAN;
            RR_CALL(run->in, read_temp, &T);
            return rr_run_fail(run, RR_END_INSTRUMENT_FAILURE,
                               "temperature not stable after %.0f s (sample at %.2f K)",
                               timeout_s, T);
        }
        /* Stability is the instrument's own judgement, so after a pause
         * "continue" and "restart" differ only in the timeout. */
        if ((st = poll_wait(run, 1.0, &t0, &now, "stabilisation")) != RR_OK)
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
    rr_status st = rr_run_check(run);
    if (st != RR_OK)
        return st;
    if (!(duration_s >= 0 && isfinite(duration_s)))
        return rr_run_fail(run, RR_END_PROTOCOL_ERROR,
                           "hold: duration_s must be a finite number of s, 0 or more (got %.6g)",
                           duration_s);
    if ((st = rr_run_now(run, &now)) != RR_OK)
        return st;
    char fields[160];
    unsigned long n;
    const rr_action *a;
    snprintf(fields, sizeof fields, "duration=%.6f", duration_s);
    int mode = action_begin(run, "hold", fields, &n, &a);
    if (mode == ACT_ERROR || mode == ACT_SKIP)
        return mode == ACT_SKIP ? RR_OK : status_of(run->failure);
    if (mode == ACT_CONTINUE) {
        /* The rest of an interrupted hold: to its end on the instrument's
         * clock, which went on while relaxrun was down. */
        rr_run_event(run, "INFO", "resuming the hold: %.1f s of %.6g s left",
                     a->t_s + duration_s - now, duration_s);
        duration_s = a->t_s + duration_s - now;
        if (duration_s < 0)
            duration_s = 0;
    }
    rr_run_event(run, "INFO", "hold %.6g s%s%s", duration_s, what ? ": " : "", what ? what : "");
    rr_run_step_begin(run, "hold%s%s", what ? ": " : "", what ? what : "");
    while ((st = rr_run_advance_to(run, now + duration_s)) == RR_ERR_INTERRUPTED) {
        rr_run_event(run, "INFO", "hold restarted after the pause");
        if ((st = rr_run_now(run, &now)) != RR_OK)
            break;
    }
    rr_run_step_end(run, 0);
    if (st == RR_OK)
        action_end(run, n, "hold", "");
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
    char fields[160];
    unsigned long n;
    const rr_action *a;
    snprintf(fields, sizeof fields, "freq=%.9g amplitude=%.9g", freq_Hz, amplitude);
    int mode = action_begin(run, "oscillate", fields, &n, &a);
    if (mode == ACT_ERROR)
        return status_of(run->failure);
    run->oscillating = true; /* for a pause that unloads */
    run->osc_freq_Hz = freq_Hz;
    run->osc_amplitude = amplitude;
    if (mode == ACT_SKIP)
        return RR_OK;
    rr_run_event(run, "INFO", "oscillating at %.6g Hz, amplitude %.6g", freq_Hz, amplitude);
    if ((st = rr_run_instrument(run, RR_CALL(run->in, osc_set, freq_Hz, amplitude),
                                "setting the oscillation")) != RR_OK ||
        (st = rr_run_instrument(run, RR_CALL(run->in, osc_enable, true), "starting oscillation")))
        return st;
    action_end(run, n, "oscillate", "");
    return RR_OK;
}

rr_status rr_run_oscillation_off(rr_run *run)
{
    unsigned long n;
    const rr_action *a;
    rr_status st = rr_run_check(run);
    if (st != RR_OK)
        return st;
    int mode = action_begin(run, "osc_off", "", &n, &a);
    if (mode == ACT_ERROR)
        return status_of(run->failure);
    run->oscillating = false;
    if (mode == ACT_SKIP)
        return RR_OK;
    rr_run_event(run, "INFO", "oscillation off");
    if ((st = rr_run_instrument(run, RR_CALL(run->in, osc_enable, false), "stopping oscillation")))
        return st;
    action_end(run, n, "osc_off", "");
    return RR_OK;
}

rr_status rr_run_measure_dynamic(rr_run *run, double timeout_s, rr_dynamic *d)
{
    unsigned long n;
    const rr_action *a;
    double t0, now;
    rr_status st = rr_run_check(run);
    if (st != RR_OK)
        return st;
    int mode = action_begin(run, "dynamic", "", &n, &a);
    if (mode == ACT_ERROR)
        return status_of(run->failure);
    if (mode == ACT_SKIP) { /* the measurement as it was made */
        *d = (rr_dynamic){a->freq_Hz, a->storage_MPa, a->loss_MPa, a->tan_delta};
        return RR_OK;
    }
    if ((st = rr_run_now(run, &t0)) != RR_OK)
        return st;
    for (now = t0;;) {
        st = RR_CALL(run->in, osc_measure, d);
        if (st == RR_OK)
            break;
        if (st != RR_ERR_NOT_READY)
            return rr_run_instrument(run, st, "the dynamic measurement");
        if (now - t0 > timeout_s)
            return rr_run_fail(run, RR_END_INSTRUMENT_FAILURE,
                               "no dynamic measurement after %.6g s", timeout_s);
        if ((st = poll_wait(run, 0.1, &t0, &now, "dynamic measurement")) != RR_OK)
            return st;
    }
    char fields[200];
    snprintf(fields, sizeof fields, "freq=%.9g storage=%.9g loss=%.9g tan_delta=%.9g",
             d->freq_Hz, d->storage_MPa, d->loss_MPa, d->tan_delta);
    action_end(run, n, "dynamic", fields);
    return RR_OK;
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
    }
    char fields[160];
    unsigned long n;
    const rr_action *a;
    snprintf(fields, sizeof fields, "T=%.9g rate_K_per_min=%.9g", T_K, rate_K_per_min);
    int mode = action_begin(run, "temperature", fields, &n, &a);
    if (mode == ACT_ERROR)
        return status_of(run->failure);
    run->setpoint_K = T_K;
    if (mode == ACT_SKIP)
        return RR_OK;
    if (rate_K_per_min > 0 &&
        (st = rr_run_instrument(run, RR_CALL(run->in, set_temp_rate, rate_K_per_min),
                                "setting the heating rate")) != RR_OK)
        return st;
    rr_run_event(run, "INFO", "temperature setpoint %.6g K", T_K);
    if ((st = rr_run_instrument(run, RR_CALL(run->in, set_temp, T_K), "setting the temperature")))
        return st;
    action_end(run, n, "temperature", "");
    return RR_OK;
}

/* The strain within the limits (clamped in a dry run), or a failure. */
static rr_status limit_strain(rr_run *run, double *strain)
{
    rr_status st = rr_run_check(run);
    if (st != RR_OK)
        return st;
    if (!(fabs(*strain) <= run->limits.strain_max)) {
        if ((st = violation(run, "strain %.6g is beyond the limit %.6g", *strain,
                            run->limits.strain_max)) != RR_OK)
            return st;
        *strain = *strain < 0 ? -run->limits.strain_max : run->limits.strain_max;
    }
    return RR_OK;
}

static rr_status send_strain(rr_run *run, double strain)
{
    rr_run_event(run, "INFO", "strain setpoint %.6g", strain);
    run->strain_now = strain;
    return rr_run_instrument(run, RR_CALL(run->in, set_strain, strain), "the strain step");
}

rr_status rr_run_set_strain(rr_run *run, double strain)
{
    rr_status st = limit_strain(run, &strain);
    if (st != RR_OK)
        return st;
    char fields[80];
    unsigned long n;
    const rr_action *a;
    snprintf(fields, sizeof fields, "strain=%.9g", strain);
    int mode = action_begin(run, "strain", fields, &n, &a);
    if (mode == ACT_ERROR)
        return status_of(run->failure);
    if (mode == ACT_SKIP) {
        run->strain_now = strain;
        return RR_OK;
    }
    if ((st = send_strain(run, strain)) != RR_OK)
        return st;
    action_end(run, n, "strain", "");
    return RR_OK;
}

/* Records from the current sampling into *out and the open segment until
 * t0 + duration_s, then stops sampling. */
static rr_status record_until(rr_run *run, double t0, double duration_s, rr_series *out)
{
    run->target = out;
    run->target_t0_s = t0;
    run->target_end_s = t0 + duration_s;
    run->last_written_s = out->n ? t0 + out->t_s[out->n - 1] : -INFINITY;
    run->segment_open = true;
    run->recording = true;
    rr_status st = rr_run_advance_to(run, t0 + duration_s);
    run->recording = false;
    if (st == RR_OK)
        st = rr_run_instrument(run, RR_CALL0(run->in, acq_stop), "stopping acquisition");
    if (st == RR_OK)
        st = drain(run);
    run->target = NULL; /* the caller owns the series */
    if (st != RR_OK && st != RR_ERR_INTERRUPTED)
        return st; /* the segment stays open: the safe state keeps what is left */
    run->segment_open = false;
    if (rr_recorder_segment_end(run->rec) != RR_OK && st == RR_OK)
        st = rr_run_fail(run, RR_END_OUTPUT_ERROR, "cannot close the segment file (disk full?)");
    return st;
}

/* One recorded step into a new series and segment file. */
static rr_status record_once(rr_run *run, unsigned long n, double strain, double duration_s,
                             double rate_Hz, const char *label, rr_series **out)
{
    rr_status st;
    double t0 = 0, T = NAN;
    *out = NULL;
    if ((st = rr_run_instrument(run, RR_CALL(run->in, acq_set_rate, rate_Hz), "setting the sampling rate")) ||
        (st = rr_run_instrument(run, RR_CALL0(run->in, acq_start), "starting acquisition")) ||
        (st = send_strain(run, strain)) ||
        (st = rr_run_instrument(run, RR_CALL(run->in, strain_t0, &t0), "reading the step time")))
        return st;
    char fields[64];
    snprintf(fields, sizeof fields, "t0=%.6f", t0);
    if ((st = journal_line(run, "step", n, "record", t0, fields)) != RR_OK)
        return st;
    RR_CALL(run->in, read_temp, &T);
    if (rr_series_new(t0, label, out) != RR_OK)
        return rr_run_fail(run, RR_END_INTERNAL_ERROR, "out of memory");
    if (rr_recorder_segment_begin(run->rec, label, "relaxation", t0, strain, T) != RR_OK)
        return rr_run_fail(run, RR_END_OUTPUT_ERROR, "cannot create a segment file in %s",
                           rr_recorder_dir(run->rec));
    rr_run_event(run, "INFO", "recording '%s': strain %.6g for %.6g s at %.6g Hz",
                 label, strain, duration_s, rate_Hz);
    return record_until(run, t0, duration_s, *out);
}

rr_status rr_run_adopt_segment(rr_run *run, rr_resume_segment *seg, bool append, char *path,
                               size_t len)
{
    if (rr_recorder_segment_adopt(run->rec, seg->label, "relaxation", seg->t0_s, seg->strain,
                                  seg->temp_K, seg->samples, append, path, len) != RR_OK)
        return RR_ERR_IO;
    seg->registered = true;
    /* The recorder numbers its segments itself: the file it reopened must
     * be the one the manifest lists, or the data would be mixed up. */
    size_t n = strlen(path), m = strlen(seg->file);
    if (n < m || strcmp(path + n - m, seg->file) != 0 || (n > m && path[n - m - 1] != '/'))
        return RR_ERR_PARSE;
    for (size_t i = 0; i < seg->npaused; i++)
        rr_recorder_segment_paused(run->rec, seg->paused_s[i][0], seg->paused_s[i][1],
                                   seg->interrupted && i + 1 == seg->npaused);
    return RR_OK;
}

/* The manifest's segment of a journaled recording: the attempt whose strain
 * step the journal has (its last one). */
static rr_resume_segment *resume_segment_of(rr_run *run, const rr_action *a)
{
    for (size_t i = run->nresume_segments; i-- > 0;) {
        rr_resume_segment *seg = &run->resume_segments[i];
        if (fabs(seg->t0_s - a->t0_s) <= 1e-6 * (1 + fabs(a->t0_s)))
            return seg;
    }
    return NULL;
}

/* Resuming: a recording of the journal, from its segment file; with
 * go_on, the file stays open and the recording continues to its end (the
 * instrument kept sampling while relaxrun was down).  *name gets the
 * segment's label (a restarted attempt's: "a (restart 2)"). */
static rr_status adopt_recording(rr_run *run, const rr_action *a, const char *label,
                                 bool go_on, rr_series **out, char *name, size_t namelen)
{
    char path[1400], err[512];
    rr_status st = RR_OK;
    rr_series *s = NULL;
    snprintf(name, namelen, "%s", label);
    if (run->resume_segments) {
        /* recover.c registered the manifest's segments in order, all but
         * the one under way when the run stopped: that one is taken here,
         * to go on appending to it. */
        rr_resume_segment *seg = resume_segment_of(run, a);
        if (!seg && !go_on)
            return rr_run_fail(run, RR_END_PROTOCOL_ERROR,
                               "resuming: the recording '%s' (step at %.6f s) is not in the "
                               "manifest", label, a->t0_s);
        if (seg) {
            snprintf(name, namelen, "%s", seg->label);
            if (seg->registered && go_on && seg->interrupted) {
                /* Stopped between a pause that unloaded and the next
                 * attempt: that attempt is made now. */
                return RR_ERR_INTERRUPTED;
            }
            if (seg->registered) {
                /* Closed on disk: the run stopped after the file, before
                 * the journal's end.  Nothing is left to record. */
                go_on = false;
                snprintf(path, sizeof path, "%s/%s", rr_recorder_dir(run->rec), seg->file);
            } else if ((st = rr_run_adopt_segment(run, seg, go_on, path, sizeof path)) != RR_OK) {
                if (st == RR_ERR_PARSE)
                    return rr_run_fail(run, RR_END_PROTOCOL_ERROR,
                                       "resuming: the recording '%s' would be read from %s, "
                                       "the manifest has %s", label, path, seg->file);
                return rr_run_fail(run, RR_END_OUTPUT_ERROR, "cannot reopen %s", path);
            }
        } else if (rr_recorder_segment_adopt(run->rec, label, "relaxation", a->t0_s, a->strain,
                                             a->T_K, 0, true, path, sizeof path) != RR_OK) {
            /* Stopped before its segment reached the manifest: a new one. */
            return rr_run_fail(run, RR_END_OUTPUT_ERROR, "cannot reopen %s", path);
        }
    } else if (rr_recorder_segment_adopt(run->rec, label, "relaxation", a->t0_s, a->strain,
                                         a->T_K, 0, go_on, path, sizeof path) != RR_OK) {
        return rr_run_fail(run, RR_END_OUTPUT_ERROR, "cannot reopen %s", path);
    }
    if (rr_csv_read_series(path, NULL, name, &s, err) != RR_OK) {
        /* Interrupted before its first sample reached the disk. */
        if (!go_on || rr_series_new(a->t0_s, name, &s) != RR_OK)
            return rr_run_fail(run, RR_END_PROTOCOL_ERROR, "resuming: %s", err);
    }
    s->t0_s = a->t0_s;
    *out = s;
    if (go_on) {
        rr_run_event(run, "INFO", "resuming the recording '%s' at %.1f s of %.6g s", name,
                     s->n ? s->t_s[s->n - 1] : 0.0, a->duration_s);
        st = record_until(run, a->t0_s, a->duration_s, s);
    }
    return st;
}

/* The attempt after the one labelled name: "a" is the first, "a (restart
 * 2)" the second. */
static int next_attempt(const char *name)
{
    const char *p = strrchr(name, '(');
    int k = 0;
    char close = 0;
    if (p && sscanf(p, "(restart %d%c", &k, &close) == 2 && close == ')' && k >= 2)
        return k + 1;
    return 2;
}

rr_status rr_run_relaxation(rr_run *run, double strain, double duration_s,
                            double rate_Hz, const char *label, rr_series **out)
{
    rr_status st;
    *out = NULL;
    if ((st = rr_run_check(run)) != RR_OK)
        return st;
    /* Infinity and NaN are the protocol's mistake, not the instrument's:
     * refused here, before the clock is asked to reach them. */
    if (!(duration_s > 0))
        return rr_run_fail(run, RR_END_PROTOCOL_ERROR,
                           "recording needs a duration > 0 s (duration_s = %.6g)", duration_s);
    if (!isfinite(duration_s))
        return rr_run_fail(run, RR_END_PROTOCOL_ERROR,
                           "recording needs a finite duration (duration_s = %.6g)", duration_s);
    if (!(rate_Hz >= 0.1 && rate_Hz <= 100))
        return rr_run_fail(run, RR_END_PROTOCOL_ERROR,
                           "recording needs a duration > 0 s and a rate of 0.1 to 100 Hz "
                           "(got %.6g s at %.6g Hz)", duration_s, rate_Hz);
    if ((st = limit_strain(run, &strain)) != RR_OK)
        return st;
    char fields[300];
    unsigned long n;
    const rr_action *a;
    snprintf(fields, sizeof fields, "strain=%.9g duration=%.6f rate=%.6g label=\"", strain,
             duration_s, rate_Hz);
    size_t k = strlen(fields);
    for (const char *c = label; *c && k + 3 < sizeof fields; c++) {
        if (*c == '"' || *c == '\\')
            fields[k++] = '\\';
        fields[k++] = *c;
    }
    fields[k++] = '"';
    fields[k] = 0;
    int mode = action_begin(run, "record", fields, &n, &a);
    if (mode == ACT_ERROR)
        return status_of(run->failure);
    rr_run_step_begin(run, "record '%s'", label);
    if (run->nsteps)
        run->timeline[run->nsteps - 1].strain = strain;
    char name[96];
    snprintf(name, sizeof name, "%s", label);
    if (mode == ACT_SKIP || (mode == ACT_CONTINUE && a->t0_s > 0)) {
        run->strain_now = strain;
        st = adopt_recording(run, a, label, mode == ACT_CONTINUE, out, name, sizeof name);
    } else {
        st = record_once(run, n, strain, duration_s, rate_Hz, name, out);
    }
    for (int attempt = next_attempt(name); st == RR_ERR_INTERRUPTED; attempt++) {
        /* A pause unloaded the sample (or the step restarts on resume): the
         * paused segment stays on disk, marked; the step is recorded anew. */
        rr_series_free(*out);
        *out = NULL;
        snprintf(name, sizeof name, "%.60s (restart %d)", label, attempt);
        rr_run_event(run, "INFO", "step '%s' restarted after the pause", label);
        st = record_once(run, n, strain, duration_s, rate_Hz, name, out);
    }
    rr_run_step_end(run, *out ? (*out)->n : 0);
    if (st == RR_OK && mode != ACT_SKIP) {
        snprintf(fields, sizeof fields, "samples=%zu", *out ? (*out)->n : 0);
        action_end(run, n, "record", fields);
    }
    return st;
}

rr_end rr_run_close(rr_run *run)
{
    /* The host reaches the safe state before it closes Lua; again only if
     * that failed, or no protocol ran. */
    if (!run->safe_state_done)
        rr_run_safe_state(run);
    rr_end end = run->failure == RR_END_RUNNING ? RR_END_COMPLETE : run->failure;
    errno = 0;
    rr_status fin = rr_recorder_finish(run->rec, end, end == RR_END_COMPLETE ? NULL : run->message);
    int fin_errno = errno;
    errno = 0;
    rr_status tl = rr_run_write_timeline(run);
    int tl_errno = errno;
    if (end != RR_END_COMPLETE)
        fprintf(stderr, "relaxrun: %s\n", run->message);
    if (fin != RR_OK || tl != RR_OK) {
        /* The data may be complete, but the run directory does not say so:
         * not a success.  An earlier failure keeps its own status. */
        char msg[1400];
        int e = fin != RR_OK ? fin_errno : tl_errno;
        snprintf(msg, sizeof msg, "cannot write %s in %s: %s",
                 fin != RR_OK ? "the final manifest" : "timeline.csv", rr_recorder_dir(run->rec),
                 e ? strerror(e) : rr_strerror(fin != RR_OK ? fin : tl));
        /* At the time of the safe state: a reset may have restarted the clock. */
        rr_recorder_event(run->rec, run->last_now_s, "ERROR", "%s", msg);
        fprintf(stderr, "relaxrun: %s\n", msg);
        if (end == RR_END_COMPLETE) {
            end = RR_END_OUTPUT_ERROR;
            run->failure = end;
            snprintf(run->message, sizeof run->message, "%s", msg);
        }
    }
    return end;
}

rr_status rr_run_safe_state(rr_run *run)
{
    if (run->plan && run->verbosity >= 0 && run->progress_wall_s > 0 && isatty(STDERR_FILENO))
        fputc('\n', stderr);
    /* Keep what the instrument still holds for the open segment, whatever
     * the failure: a driver's acq_read is safe after any of them. */
    if (run->segment_open)
        drain(run);
    /* Stamped when it was reached: a reset may restart the device's clock
     * (run->last_now_s keeps this time for what is logged after it). */
    double t = log_time(run);
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
    if (run->segment_open)
        drain(run); /* what the reset fetched from the device before *RST */
    run->segment_open = false;
    rr_recorder_event(run->rec, t, st == RR_OK ? "INFO" : "ERROR",
                      st == RR_OK ? "safe state reached (strain 0, oscillation off, heater standby)"
                                  : "safe state: reset failed, tried each step");
    run->safe_state_done = st == RR_OK;
    return st;
}
