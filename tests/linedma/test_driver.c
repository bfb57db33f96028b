/* test_driver.c - the line-protocol driver against the emulator over TCP
 * (backed by the test fake): the vtable walk, the transcript and its replay,
 * and every fault: garbage, late, silence, disconnect, ERR, overload, broken
 * sample, heater fault, overflow, a missing port and a refused connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emuthread.h"
#include "fakedev.h"
#include "harness.h"
#include "linedma/transport.h"
#include "walk.h"

#define TIMEOUT_S 0.4

static char tmpdir[256];
static walk_result w1, w2;

/* The emulator over the fake, with fake.KEY settings (NULL-ended pairs of
 * key and value, may be NULL) and late answers late_s late (0: 1.5
 * timeouts). */
static int start_with(emuthread *t, double speed, double late_s, const char *const *faults,
                      const char *key, double value)
{
    rr_instrument *f = NULL;
    char log[512];
    snprintf(log, sizeof log, "%s/emu.log", tmpdir);
    if (fakedev_open(&f) != RR_OK)
        return -1;
    if (key)
        RR_CALL(f, sim_set, key, value);
    return emuthread_start(t, f, speed, late_s > 0 ? late_s : 1.5 * TIMEOUT_S, faults, NULL, log);
}

static int start(emuthread *t, double speed, const char *const *faults)
{
    return start_with(t, speed, 0, faults, NULL, 0);
}

static rr_instrument *open_dma(const emuthread *t, const char *transcript)
{
    rr_open_options o = {.timeout_s = TIMEOUT_S, .transcript_path = transcript};
    rr_instrument *in = NULL;
    char err[600];
    rr_status st = rr_linedma_open(t->addr, &o, &in, err, sizeof err);
    if (st != RR_OK)
        fprintf(stderr, "open %s: %s\n", t->addr, err);
    return in;
}

static const char *lasterr(rr_instrument *in) { return in->ops->last_error(in->ctx); }

TEST(walk_and_replay)
{
    emuthread t;
    CHECK(start(&t, 20, NULL) == 0);
    char tr[512];
    snprintf(tr, sizeof tr, "%s/walk.transcript", tmpdir);
    rr_instrument *in = open_dma(&t, tr);
    CHECK(in != NULL);
    if (!in)
        return;
    CHECK(!in->virtual_time && strcmp(in->ops->name, "linedma") == 0);
    walk(in, &w1, 10.0);
    CHECK(strcmp(w1.idn, "FAKE,DMA-0,SN1,0.1") == 0);
    /* 10 s at 10 Hz after the step, first sample 0.1 s after ACQ:START */
    CHECK(w1.n >= 95 && w1.n <= 130);
    size_t checked = 0, bad = fakedev_count_off(w1.s, w1.n, 0.006, w1.t0_s, &checked);
    CHECK(checked >= 95 && bad == 0);
    rr_instrument_close(in);
    emuthread_stop(&t);

    /* The replay answers the same commands with the same data, at once. */
    rr_instrument *rp = NULL;
    char err[600];
    rr_open_options o = {.timeout_s = TIMEOUT_S};
    CHECK(rr_replay_open(tr, &o, &rp, err, sizeof err) == RR_OK);
    if (!rp)
        return;
    double t0 = rr_mono_s();
    walk(rp, &w2, 10.0);
    CHECK(rr_mono_s() - t0 < 0.5 * 10.0 / 20); /* faster than the emulator's clock */
    CHECK(w2.n == w1.n && memcmp(w1.s, w2.s, w1.n * sizeof w1.s[0]) == 0);
    /* A run that departs from the transcript gets a clear message. */
    CHECK(RR_CALL(rp, set_strain, 0.01) != RR_OK);
    CHECK(strstr(lasterr(rp), "transcript") != NULL);
    rr_instrument_close(rp);
}

TEST(replay_mismatch)
{
    char tr[512];
    snprintf(tr, sizeof tr, "%s/walk.transcript", tmpdir);
    rr_instrument *rp = NULL;
    char err[600];
    CHECK(rr_replay_open(tr, NULL, &rp, err, sizeof err) == RR_OK);
    if (!rp)
        return;
    CHECK(RR_CALL(rp, set_temp, 999.0) == RR_ERR_PARSE); /* the walk identifies first */
    CHECK(strstr(lasterr(rp), "mismatch") && strstr(lasterr(rp), "TEMP:SET 999") &&
          strstr(lasterr(rp), "*IDN?"));
    printf("     replay message: %s\n", lasterr(rp));
    rr_instrument_close(rp);
    CHECK(rr_replay_open("/nonexistent/transcript", NULL, &rp, err, sizeof err) ==
          RR_ERR_NOT_FOUND);
}

/* Setup common to fault tests: reset, then sampling with the strain applied. */
static void load(rr_instrument *in)
{
    CHECK(RR_CALL0(in, reset) == RR_OK);
    CHECK(RR_CALL(in, acq_set_rate, 10.0) == RR_OK);
    CHECK(RR_CALL0(in, acq_start) == RR_OK);
    CHECK(RR_CALL(in, set_strain, 0.006) == RR_OK);
}

/* Runs the device until the call fails; returns its status. */
static rr_status run_until_fault(rr_instrument *in, double until_s, size_t *nsamples)
{
    double now = 0;
    rr_sample buf[4096];
    size_t n;
    rr_status st = RR_OK;
    *nsamples = 0;
    for (int i = 0; i < 10000 && now < until_s && st == RR_OK; i++) {
        st = RR_CALL(in, advance, until_s, &now);
        while (RR_CALL(in, acq_read, buf, 4096, &n) == RR_OK && n > 0)
            *nsamples += n;
    }
    return st;
}

TEST(garbage)
{
    emuthread t;
    /* the second on the step itself: set_strain reads SYST:TIME? first */
    const char *f[] = {"garbage/*IDN?", "garbage/STRN:SET@2", NULL};
    CHECK(start(&t, 5, f) == 0);
    rr_instrument *in = open_dma(&t, NULL); /* *IDN? got garbage, retried */
    CHECK(in != NULL);
    if (!in)
        return;
    CHECK(emuthread_count(&t, "*IDN?") == 2);
    CHECK(RR_CALL0(in, reset) == RR_OK);
    rr_sleep_s(0.5);
    /* a set command is not retried */
    CHECK(RR_CALL(in, set_strain, 0.006) == RR_ERR_LINK);
    CHECK(strstr(lasterr(in), "garbage answer to 'STRN:SET 0.006'") &&
          strstr(lasterr(in), "not retried"));
    CHECK(emuthread_count(&t, "STRN:SET 0.006") == 1);
    CHECK(RR_CALL0(in, reset) == RR_OK);
    CHECK(strcmp(emuthread_last(&t), "*RST") == 0);
    rr_instrument_close(in);
    emuthread_stop(&t);
}

TEST(late)
{
    emuthread t;
    const char *f[] = {"late@2", "late@7", NULL};
    CHECK(start(&t, 5, f) == 0);
    rr_instrument *in = open_dma(&t, NULL);
    if (!in)
        return;
    CHECK(RR_CALL0(in, reset) == RR_OK);
    rr_sleep_s(0.5);
    double T;
    CHECK(RR_CALL(in, read_temp, &T) == RR_OK); /* a query: the late answer is taken */
    CHECK(emuthread_count(&t, "TEMP?") == 1);
    rr_sleep_s(0.5);
    CHECK(RR_CALL(in, set_temp, 320.0) == RR_ERR_TIMEOUT);
    CHECK(strstr(lasterr(in), "no answer to 'TEMP:SET 320'") && strstr(lasterr(in), "not retried"));
    CHECK(RR_CALL0(in, reset) == RR_OK); /* the line was resynchronised */
    CHECK(strcmp(emuthread_last(&t), "*RST") == 0);
    rr_instrument_close(in);
    emuthread_stop(&t);
}

TEST(silence)
{
    emuthread t;
    const char *f[] = {"silence@2", NULL};
    CHECK(start(&t, 5, f) == 0);
    rr_instrument *in = open_dma(&t, NULL);
    if (!in)
        return;
    load(in);
    size_t n;
    double t0 = rr_mono_s();
    rr_status st = run_until_fault(in, 100, &n);
    CHECK(st == RR_ERR_TIMEOUT);
    CHECK(n >= 5); /* the samples before the silence were kept */
    CHECK(strstr(lasterr(in), "silent") != NULL);
    printf("     message: %s\n", lasterr(in));
    double t1 = rr_mono_s();
    CHECK(t1 - t0 < 0.5 + 5 * TIMEOUT_S);
    /* reset reconnects, finds the device still silent to *IDN?, and sends
     * *RST anyway (it may hear without being heard) without waiting out
     * the 10 s of *RST: bounded, and honest */
    int rst = emuthread_count(&t, "*RST");
    CHECK(RR_CALL0(in, reset) != RR_OK);
    printf("     reset gave up after %.2f s: %s\n", rr_mono_s() - t1, lasterr(in));
    CHECK(strstr(lasterr(in), "safe state not confirmed") != NULL);
    CHECK(strstr(lasterr(in), "*RST sent anyway, unanswered") != NULL);
    rr_sleep_s(0.1); /* the emulator logs what it reads, silent or not */
    CHECK(emuthread_count(&t, "*RST") == rst + 1);
    CHECK(emuthread_count(&t, "*IDN?") == 3); /* open; twice after reconnecting */
    rr_instrument_close(in);
    emuthread_stop(&t);
}

TEST(disconnect)
{
    emuthread t;
    const char *f[] = {"disconnect@2", NULL};
    CHECK(start(&t, 5, f) == 0);
    rr_instrument *in = open_dma(&t, NULL);
    if (!in)
        return;
    load(in);
    size_t n;
    CHECK(run_until_fault(in, 100, &n) == RR_ERR_LINK);
    CHECK(n >= 5);
    CHECK(strstr(lasterr(in), "connection lost during 'SYST:TIME?'") != NULL);
    printf("     message: %s\n", lasterr(in));
    double now = 0;
    CHECK(RR_CALL(in, now, &now) == RR_ERR_LINK); /* fails at once from now on */
    CHECK(RR_CALL0(in, reset) == RR_OK);         /* but reset reconnects */
    CHECK(strcmp(emuthread_last(&t), "*RST") == 0);
    rr_instrument_close(in);
    emuthread_stop(&t);
}

TEST(err_answer)
{
    emuthread t;
    const char *f[] = {"err@2", NULL};
    CHECK(start(&t, 5, f) == 0);
    rr_instrument *in = open_dma(&t, NULL);
    if (!in)
        return;
    CHECK(RR_CALL0(in, reset) == RR_OK);
    rr_sleep_s(0.5);
    CHECK(RR_CALL(in, set_temp, 320.0) == RR_ERR_INSTRUMENT);
    CHECK(strstr(lasterr(in), "ERR -100") && strstr(lasterr(in), "TEMP:SET 320"));
    CHECK(emuthread_count(&t, "TEMP:SET 320") == 1);
    CHECK(RR_CALL0(in, reset) == RR_OK);
    rr_instrument_close(in);
    emuthread_stop(&t);
}

static void status_fault(const char *fault, unsigned bit, const char *word)
{
    emuthread t;
    const char *f[] = {fault, NULL};
    CHECK(start(&t, 5, f) == 0);
    rr_instrument *in = open_dma(&t, NULL);
    if (!in)
        return;
    load(in);
    size_t n;
    CHECK(run_until_fault(in, 100, &n) == RR_ERR_INSTRUMENT);
    CHECK(n >= 10);
    CHECK(strstr(lasterr(in), word) != NULL);
    printf("     %s: %s\n", fault, lasterr(in));
    if (bit != RR_STAT_HEATER_FAULT) {
        unsigned bits = 0;
        CHECK(RR_CALL(in, get_status, &bits) == RR_OK && (bits & bit));
        CHECK(RR_CALL0(in, reset) == RR_OK);
        CHECK(strcmp(emuthread_last(&t), "*RST") == 0);
    } else {
        /* every command answers ERR 320: each step is tried, none hangs */
        CHECK(RR_CALL0(in, reset) == RR_ERR_INSTRUMENT);
        CHECK(emuthread_count(&t, "*RST") == 2 && emuthread_count(&t, "OSC:OFF") == 1 &&
              emuthread_count(&t, "ACQ:STOP") == 1 && emuthread_count(&t, "STRN:SET 0") == 1 &&
              emuthread_count(&t, "TEMP:STBY") == 1);
        CHECK(strstr(lasterr(in), "safe state not confirmed") != NULL);
    }
    rr_instrument_close(in);
    emuthread_stop(&t);
}

TEST(overload) { status_fault("overload@2", RR_STAT_OVERLOAD, "overload"); }
TEST(broken) { status_fault("broken@2", RR_STAT_BROKEN, "sample broken"); }
TEST(heater) { status_fault("heater@2", RR_STAT_HEATER_FAULT, "heater fault"); }

TEST(overflow_reported)
{
    emuthread t;
    CHECK(start(&t, 1000, NULL) == 0);
    rr_instrument *in = open_dma(&t, NULL);
    if (!in)
        return;
    CHECK(RR_CALL0(in, reset) == RR_OK);
    CHECK(RR_CALL(in, acq_set_rate, 100.0) == RR_OK);
    CHECK(RR_CALL0(in, acq_start) == RR_OK);
    rr_sleep_s(0.3); /* 300 device s at 100 Hz: 30000 samples > 20000 */
    double now;
    CHECK(RR_CALL(in, advance, 1e9, &now) == RR_OK);
    unsigned bits = 0;
    CHECK(RR_CALL(in, get_status, &bits) == RR_OK && (bits & RR_STAT_OVERFLOW));
    CHECK(strstr(lasterr(in), "overflow") != NULL);
    printf("     %s\n", lasterr(in));
    int code = 0;
    char msg[128];
    CHECK(RR_CALL(in, next_error, &code, msg, sizeof msg) == RR_OK && code == 350);
    printf("     SYST:ERR? %d %s\n", code, msg);
    CHECK(RR_CALL0(in, reset) == RR_OK);
    rr_instrument_close(in);
    emuthread_stop(&t);
}

/* Takes every queued sample into s (up to cap). */
static void take(rr_instrument *in, rr_sample *s, size_t cap, size_t *n)
{
    size_t got;
    while (*n < cap && RR_CALL(in, acq_read, s + *n, cap - *n, &got) == RR_OK && got > 0)
        *n += got;
}

/* Samples missing from a 10 Hz (period p) series: the holes in its grid. */
static long holes(const rr_sample *s, size_t n, double p, int *nholes)
{
    long missing = 0;
    *nholes = 0;
    for (size_t i = 1; i < n; i++) {
        long k = lround((s[i].t_s - s[i - 1].t_s) / p) - 1;
        if (k > 0) {
            missing += k;
            ++*nholes;
        }
    }
    return missing;
}

static rr_sample samples[30000];

/* A garbled ACQ:DATA? answer: its samples are gone (the command removes
 * them), so it is not asked again as if nothing had happened.  The loss is
 * reported through the status the engine reads after every advance (bit 7,
 * the count in the message), and the count is the hole in the data. */
TEST(garbled_data_reported)
{
    emuthread t;
    const char *f[] = {"garbage/ACQ:DATA?@3", NULL};
    CHECK(start(&t, 5, f) == 0);
    rr_instrument *in = open_dma(&t, NULL);
    if (!in)
        return;
    load(in);
    size_t n = 0;
    long reported = -1;
    int reports = 0;
    double now = 0;
    rr_status st = RR_OK;
    for (int i = 0; i < 1000 && now < 8 && st == RR_OK; i++) {
        st = RR_CALL(in, advance, 8.0, &now);
        take(in, samples, 30000, &n);
        unsigned bits = 0; /* as the engine does after every advance */
        CHECK(RR_CALL(in, get_status, &bits) == RR_OK);
        if (bits & RR_STAT_OVERFLOW) {
            reports++;
            printf("     reported: %s\n", lasterr(in));
            CHECK(sscanf(lasterr(in), "%ld samples lost", &reported) == 1 ||
                  sscanf(lasterr(in), "%ld sample lost", &reported) == 1);
            CHECK(strstr(lasterr(in), "garbled") != NULL);
        }
    }
    CHECK(st == RR_OK); /* the run goes on: the loss is recorded */
    CHECK(RR_CALL0(in, acq_stop) == RR_OK);
    take(in, samples, 30000, &n);
    int nholes = 0;
    long missing = holes(samples, n, 0.1, &nholes);
    printf("     %zu samples, %d hole(s), %ld missing\n", n, nholes, missing);
    CHECK(reports == 1 && nholes == 1 && reported == missing && missing > 0);
    CHECK(RR_CALL0(in, reset) == RR_OK);
    rr_instrument_close(in);
    emuthread_stop(&t);
}

/* The same in acq_stop's own fetch: the engine reads no status after it,
 * so the loss fails it (after the samples are queued). */
TEST(garbled_data_at_stop)
{
    emuthread t;
    const char *f[] = {"garbage/ACQ:DATA?@5", NULL};
    CHECK(start(&t, 5, f) == 0);
    rr_instrument *in = open_dma(&t, NULL);
    if (!in)
        return;
    load(in);
    double now = 0;
    CHECK(RR_CALL(in, advance, 1.0, &now) == RR_OK && now < 5);
    size_t n = 0;
    take(in, samples, 30000, &n);
    CHECK(n > 0);
    for (int i = 0; i < 500 && now < 5.5; i++) { /* past the fault's time, no fetch */
        rr_sleep_s(0.02);
        CHECK(RR_CALL(in, now, &now) == RR_OK);
    }
    CHECK(RR_CALL0(in, acq_stop) == RR_ERR_INSTRUMENT);
    printf("     %s\n", lasterr(in));
    CHECK(strstr(lasterr(in), "samples lost") && strstr(lasterr(in), "garbled"));
    CHECK(RR_CALL0(in, reset) == RR_OK);
    rr_instrument_close(in);
    emuthread_stop(&t);
}

/* SYST:ERR? removes the entry it reports: a garbled answer is not followed
 * by a second SYST:ERR? that would hand out the next entry as if the first
 * had never been; the loss is reported. */
TEST(garbled_error_entry)
{
    emuthread t;
    const char *f[] = {"garbage/SYST:ERR?", NULL};
    CHECK(start_with(&t, 5, 0, f, "fake.queue_errors", 2) == 0);
    rr_instrument *in = open_dma(&t, NULL);
    if (!in)
        return;
    int code = -1;
    char msg[200] = "";
    CHECK(RR_CALL(in, next_error, &code, msg, sizeof msg) != RR_OK);
    printf("     %s\n", lasterr(in));
    CHECK(strstr(lasterr(in), "garbage answer to 'SYST:ERR?'") &&
          strstr(lasterr(in), "may have gone with it"));
    CHECK(emuthread_count(&t, "SYST:ERR?") == 1);
    CHECK(RR_CALL(in, next_error, &code, msg, sizeof msg) == RR_OK && code == 301);
    CHECK(RR_CALL(in, next_error, &code, msg, sizeof msg) == RR_OK && code == 0);
    rr_instrument_close(in);
    emuthread_stop(&t);
}

/* STRN:SET answered at once, the step done (and STRN:T0? telling it) 50 ms
 * later: strain_t0 still gives the step's time, and the record its data. */
TEST(late_t0)
{
    emuthread t;
    CHECK(start_with(&t, 2, 0, NULL, "fake.t0_delay_s", 0.05) == 0);
    rr_instrument *in = open_dma(&t, NULL);
    if (!in)
        return;
    CHECK(RR_CALL0(in, reset) == RR_OK);
    CHECK(RR_CALL(in, acq_set_rate, 10.0) == RR_OK);
    CHECK(RR_CALL0(in, acq_start) == RR_OK);
    double before = -1, t0 = -1, now = 0;
    CHECK(RR_CALL(in, now, &before) == RR_OK);
    CHECK(RR_CALL(in, set_strain, 0.006) == RR_OK);
    CHECK(RR_CALL(in, strain_t0, &t0) == RR_OK);
    printf("     clock %.6f s before the step, t0 %.6f s\n", before, t0);
    CHECK(t0 >= before + 0.05 - 1e-6); /* the step's, to the wire's 1 us */
    size_t n = 0;
    rr_status st = RR_OK;
    for (int i = 0; i < 1000 && now < t0 + 3 && st == RR_OK; i++) {
        st = RR_CALL(in, advance, t0 + 3, &now);
        take(in, samples, 30000, &n);
    }
    CHECK(st == RR_OK && RR_CALL0(in, acq_stop) == RR_OK);
    take(in, samples, 30000, &n);
    size_t checked = 0, bad = fakedev_count_off(samples, n, 0.006, t0, &checked);
    int nholes = 0;
    printf("     %zu samples after the step, %zu off\n", checked, bad);
    CHECK(bad == 0 && checked >= 29 && holes(samples, n, 0.1, &nholes) == 0);
    /* a second step, the first confirmed: its own t0 again */
    double t1 = -1;
    CHECK(RR_CALL(in, set_strain, 0.0) == RR_OK && RR_CALL(in, strain_t0, &t1) == RR_OK);
    CHECK(t1 >= now + 0.05 - 1e-6);
    CHECK(RR_CALL0(in, reset) == RR_OK);
    rr_instrument_close(in);
    emuthread_stop(&t);
}

/* A device may take 5 s to answer *RST: the timeout for it is never below
 * the protocol's 10 s, whatever the answer timeout. */
TEST(slow_reset)
{
    emuthread t;
    const char *f[] = {"late/*RST", NULL};
    CHECK(start_with(&t, 5, 2.5, f, NULL, 0) == 0);
    rr_instrument *in = open_dma(&t, NULL); /* 0.4 s for answers */
    if (!in)
        return;
    CHECK(RR_CALL0(in, reset) == RR_OK);
    CHECK(emuthread_count(&t, "*RST") == 1);
    rr_instrument_close(in);
    emuthread_stop(&t);
}

/* The protocol sets no length for *IDN?: a long one is taken (and cut for
 * display). */
TEST(long_identity)
{
    emuthread t;
    CHECK(start_with(&t, 5, 0, NULL, "fake.idn_len", 400) == 0);
    rr_instrument *in = open_dma(&t, NULL);
    CHECK(in != NULL);
    if (!in)
        return;
    char idn[160];
    CHECK(RR_CALL(in, identify, idn, sizeof idn) == RR_OK);
    CHECK(strncmp(idn, "FAKE,DMA-0,SN1,0.1-tuvw", 23) == 0 && strlen(idn) == 159);
    CHECK(emuthread_count(&t, "*IDN?") == 2); /* open, and this: no retries */
    rr_instrument_close(in);
    emuthread_stop(&t);
    /* the same from a device of another make, as a script (a replay) */
    char tr[512], id[1001];
    snprintf(tr, sizeof tr, "%s/idn.transcript", tmpdir);
    memset(id, 'a', 1000);
    id[1000] = '\0';
    memcpy(id, "ACME,DMA-850S,SN0042,", 21);
    FILE *fp = fopen(tr, "w");
    CHECK(fp != NULL);
    if (!fp)
        return;
    fprintf(fp, "# relaxrun transcript 1\n0.0 > #\n0.05 < ERR -113,\"Undefined header\"\n0.1 ! timeout\n0.2 > *IDN?\n0.3 < %s\n", id);
    fclose(fp);
    rr_instrument *rp = NULL;
    char err[600];
    CHECK(rr_replay_open(tr, NULL, &rp, err, sizeof err) == RR_OK);
    rr_instrument_close(rp);
}

/* advance() checks STAT? like get_status does: a status word is an integer
 * of 0 to 65535 (replayed from a transcript: the device as a script). */
TEST(status_word_checked)
{
    const char *bad[] = {"70000", "-1", "2.5"};
    for (size_t i = 0; i < 3; i++) {
        char tr[512];
        snprintf(tr, sizeof tr, "%s/status.transcript", tmpdir);
        FILE *fp = fopen(tr, "w");
        CHECK(fp != NULL);
        if (!fp)
            return;
        fprintf(fp, "# relaxrun transcript 1\n0.0 > #\n0.05 < ERR -113,\"Undefined header\"\n0.1 ! timeout\n0.2 > *IDN?\n"
                    "0.3 < ACME,DMA-850S,SN0042,1.3.0\n0.4 > SYST:TIME?\n0.5 < 12.000000\n"
                    "0.6 > STAT?\n0.7 < %s\n", bad[i]);
        fclose(fp);
        rr_instrument *rp = NULL;
        char err[600];
        CHECK(rr_replay_open(tr, NULL, &rp, err, sizeof err) == RR_OK);
        if (!rp)
            return;
        double now;
        CHECK(RR_CALL(rp, advance, 20.0, &now) == RR_ERR_PARSE);
        CHECK(strstr(lasterr(rp), "not a status word") != NULL);
        rr_instrument_close(rp);
    }
}

/* An overflow between the last advance() and acq_stop(): seen in the STAT?
 * before acq_stop's fetch (which clears the bit), reported as an error
 * there, with the count of the 350 entry. */
TEST(overflow_at_stop)
{
    emuthread t;
    CHECK(start(&t, 1000, NULL) == 0);
    rr_instrument *in = open_dma(&t, NULL);
    if (!in)
        return;
    CHECK(RR_CALL0(in, reset) == RR_OK);
    CHECK(RR_CALL(in, acq_set_rate, 100.0) == RR_OK);
    CHECK(RR_CALL0(in, acq_start) == RR_OK);
    double now;
    unsigned bits = 0;
    long reported = 0, k = 0;
    CHECK(RR_CALL(in, advance, 1e9, &now) == RR_OK);
    size_t n = 0;
    take(in, samples, 30000, &n);
    /* (a machine so loaded that it overflowed already: reported here) */
    CHECK(RR_CALL(in, get_status, &bits) == RR_OK);
    if ((bits & RR_STAT_OVERFLOW) && sscanf(lasterr(in), "%ld samples lost", &k) == 1)
        reported += k;
    rr_sleep_s(0.3); /* 300 device s at 100 Hz: 30000 samples > 20000 */
    CHECK(RR_CALL0(in, acq_stop) == RR_ERR_INSTRUMENT);
    printf("     %s\n", lasterr(in));
    CHECK(sscanf(lasterr(in), "%ld samples lost", &k) == 1);
    reported += k;
    CHECK(strstr(lasterr(in), "overflowed") != NULL);
    int code = 0;
    unsigned long lost = 0, l1;
    char msg[128];
    while (RR_CALL(in, next_error, &code, msg, sizeof msg) == RR_OK && code == 350 &&
           sscanf(msg, "Sample buffer overflow; %lu samples lost", &l1) == 1)
        lost += l1;
    CHECK(code == 0 && lost > 0);
    CHECK(reported > 0 && (unsigned long)reported == lost); /* the grid agrees */
    CHECK(RR_CALL0(in, reset) == RR_OK);
    rr_instrument_close(in);
    emuthread_stop(&t);
}

TEST(open_failures)
{
    rr_instrument *in = NULL;
    char err[600];
    rr_open_options o = {.timeout_s = TIMEOUT_S};
    CHECK(rr_linedma_open("serial:/dev/relaxrun-no-such-port", &o, &in, err, sizeof err) ==
          RR_ERR_NOT_FOUND);
    CHECK(in == NULL && strstr(err, "/dev/relaxrun-no-such-port") != NULL);
    printf("     %s\n", err);
    /* a free port nobody listens on */
    CHECK(rr_linedma_open("tcp:127.0.0.1:1", &o, &in, err, sizeof err) == RR_ERR_LINK);
    printf("     %s\n", err);
    CHECK(rr_linedma_open("tcp:", &o, &in, err, sizeof err) == RR_ERR_ARG);
    CHECK(rr_linedma_open("serial:/dev/x:fast", &o, &in, err, sizeof err) == RR_ERR_ARG);
    CHECK(strstr(err, "baud") != NULL);
    CHECK(rr_linedma_open("tcp:127.0.0.1:5025", &o, &in, err, sizeof err) != RR_OK ||
          (rr_instrument_close(in), 1));
}

TEST(conn_strings)
{
    rr_conn c;
    char s[600];
    CHECK(rr_conn_parse("tcp:localhost", &c, NULL, 0) == RR_OK && c.tcp_port == 5025);
    CHECK(rr_conn_parse("tcp:[::1]:7", &c, NULL, 0) == RR_OK && strcmp(c.host, "::1") == 0 &&
          c.tcp_port == 7);
    CHECK(rr_conn_parse("serial:/dev/ttyUSB0", &c, NULL, 0) == RR_OK && c.baud == 115200 &&
          c.parity == RR_PARITY_NONE && c.stop_bits == 1 && c.flow == RR_FLOW_NONE);
    CHECK(rr_conn_parse("serial:/dev/ttyUSB0:9600:even:2:rtscts:7", &c, NULL, 0) == RR_OK &&
          c.baud == 9600 && c.parity == RR_PARITY_EVEN && c.stop_bits == 2 &&
          c.flow == RR_FLOW_RTSCTS && c.data_bits == 7);
    rr_conn_format(&c, s, sizeof s);
    CHECK(strcmp(s, "serial:/dev/ttyUSB0:9600:even:2:rtscts:7") == 0);
    CHECK(rr_conn_parse("serial:/dev/ttyUSB0::o", &c, NULL, 0) == RR_OK &&
          c.parity == RR_PARITY_ODD && c.baud == 115200);
    CHECK(rr_conn_parse("serial:/dev/ttyUSB0:9600:x", &c, NULL, 0) == RR_ERR_ARG);
    CHECK(rr_conn_parse("serial:/dev/ttyUSB0:9600:none:3", &c, NULL, 0) == RR_ERR_ARG);
    CHECK(rr_conn_parse("serial:", &c, NULL, 0) == RR_ERR_ARG);
    CHECK(rr_conn_parse("tcp:h:70000", &c, NULL, 0) == RR_ERR_ARG);
    CHECK(rr_conn_parse("udp:h:1", &c, NULL, 0) == RR_ERR_ARG);
    /* found by the instrconf fuzzer: brackets inside a host */
    CHECK(rr_conn_parse("tcp:[[]", &c, NULL, 0) == RR_ERR_ARG);
    CHECK(rr_conn_parse("tcp:a]:b:5025", &c, NULL, 0) == RR_ERR_ARG);
    CHECK(rr_conn_parse("tcp:a b:5025", &c, NULL, 0) == RR_ERR_ARG);
    /* every accepted string round-trips through its canonical form */
    const char *ok[] = {"tcp:localhost", "tcp:[::1]:7", "tcp:a:b:9", "serial:/dev/x::odd"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        rr_conn a, b;
        char s1[600], s2[600];
        CHECK(rr_conn_parse(ok[i], &a, NULL, 0) == RR_OK);
        rr_conn_format(&a, s1, sizeof s1);
        CHECK(rr_conn_parse(s1, &b, NULL, 0) == RR_OK);
        rr_conn_format(&b, s2, sizeof s2);
        CHECK(strcmp(s1, s2) == 0);
    }
}

int main(int argc, char **argv)
{
    bool faults = argc > 1 && strcmp(argv[1], "faults") == 0;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rr-linedma-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    if (!faults) {
        RUN(conn_strings);
        RUN(walk_and_replay);
        RUN(replay_mismatch);
        RUN(overflow_reported);
        RUN(overflow_at_stop);
        RUN(long_identity);
        RUN(status_word_checked);
        RUN(late_t0);
        RUN(open_failures);
    } else {
        RUN(garbage);
        RUN(late);
        RUN(silence);
        RUN(disconnect);
        RUN(err_answer);
        RUN(overload);
        RUN(broken);
        RUN(heater);
        RUN(garbled_data_reported);
        RUN(garbled_data_at_stop);
        RUN(garbled_error_entry);
        RUN(slow_reset);
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    int rc = rr_test_summary();
    if (system(cmd) != 0)
        return 1;
    return rc;
}
