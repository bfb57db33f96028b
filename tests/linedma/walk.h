/* walk.h - the vtable walk every instrument must pass (libsigrok
 * driver_all.c style): identify, limits, reset, clamp, geometry, furnace,
 * acquisition around a strain step, a refused out-of-range step,
 * oscillation, safe state.  Header-only so it shares the including test's
 * harness counters. */
#ifndef RR_TEST_WALK_H
#define RR_TEST_WALK_H

#include <math.h>
#include <string.h>

#include "harness.h"
#include "instrument.h"

#define WALK_MAX 20000

typedef struct walk_result {
    char idn[160];
    rr_limits lim;
    double t0_s;
    size_t n;
    rr_sample s[WALK_MAX];
    rr_dynamic dyn;
} walk_result;

static void walk_drain(rr_instrument *in, walk_result *w)
{
    size_t n;
    do {
        n = 0;
        if (RR_CALL(in, acq_read, w->s + w->n, WALK_MAX - w->n, &n) != RR_OK)
            break;
        w->n += n;
    } while (n > 0 && w->n < WALK_MAX);
}

/* Advances to device time t, collecting samples. */
static rr_status walk_until(rr_instrument *in, walk_result *w, double t)
{
    double now = -1;
    rr_status st = RR_OK;
    for (int i = 0; i < 100000 && now < t; i++) {
        st = RR_CALL(in, advance, t, &now);
        walk_drain(in, w);
        if (st != RR_OK)
            break;
    }
    return st;
}

static void walk(rr_instrument *in, walk_result *w, double hold_s)
{
    memset(w, 0, sizeof *w);
    CHECK(RR_CALL(in, identify, w->idn, sizeof w->idn) == RR_OK && w->idn[0]);
    CHECK(RR_CALL(in, get_limits, &w->lim) == RR_OK);
    CHECK(w->lim.temp_max_K > w->lim.temp_min_K && w->lim.strain_max > 0);
    CHECK(RR_CALL0(in, reset) == RR_OK);
    double t = -1;
    CHECK(RR_CALL(in, now, &t) == RR_OK && t >= 0 && t < 5);
    CHECK(RR_CALL(in, set_clamp, RR_CLAMP_TENSION) == RR_OK);
    rr_geometry g = {15, 1, 0.03}; /* a 30 um ribbon */
    CHECK(RR_CALL(in, set_geometry, &g) == RR_OK);
    CHECK(RR_CALL(in, set_temp_rate, fmin(5.0, w->lim.rate_max_K_per_min)) == RR_OK);
    double T = fmin(fmax(315.0, w->lim.temp_min_K), w->lim.temp_max_K);
    CHECK(RR_CALL(in, set_temp, T) == RR_OK);
    double Tm = NAN;
    CHECK(RR_CALL(in, read_temp, &Tm) == RR_OK && Tm > 0 && Tm < 2000);
    CHECK(RR_CALL(in, acq_set_rate, 10.0) == RR_OK);
    CHECK(RR_CALL0(in, acq_start) == RR_OK);
    CHECK(RR_CALL(in, set_strain, 0.006) == RR_OK);
    CHECK(RR_CALL(in, strain_t0, &w->t0_s) == RR_OK && w->t0_s >= 0);
    CHECK(walk_until(in, w, w->t0_s + hold_s) == RR_OK);
    unsigned bits = 0;
    CHECK(RR_CALL(in, get_status, &bits) == RR_OK && (bits & RR_STAT_SAMPLING));
    CHECK((bits & RR_STAT_FAULTS) == 0);
    double e = NAN, s = NAN;
    CHECK(RR_CALL(in, read_strain, &e) == RR_OK && fabs(e - 0.006) < 1e-3);
    CHECK(RR_CALL(in, read_stress, &s) == RR_OK && s > 0);
    CHECK(RR_CALL(in, set_strain, 1.5 * w->lim.strain_max) == RR_ERR_RANGE);
    CHECK(RR_CALL0(in, acq_stop) == RR_OK);
    walk_drain(in, w);
    CHECK(w->n > 0);
    /* 10 Hz once the step is done (a device may restart its sampling grid
     * at a strain step: the simulator samples 0.5 s after loading) */
    for (size_t i = 1; i < w->n; i++)
        if (w->s[i - 1].t_s >= w->t0_s + 0.5 && fabs(w->s[i].t_s - w->s[i - 1].t_s - 0.1) > 1e-6) {
            CHECK(fabs(w->s[i].t_s - w->s[i - 1].t_s - 0.1) <= 1e-6);
            break;
        }
    CHECK(RR_CALL(in, set_strain, 0.0) == RR_OK);
    CHECK(RR_CALL(in, osc_set, 1.0, 1e-4) == RR_OK);
    CHECK(RR_CALL(in, osc_enable, true) == RR_OK);
    CHECK(RR_CALL(in, osc_measure, &w->dyn) == RR_ERR_NOT_READY);
    CHECK(RR_CALL(in, now, &t) == RR_OK);
    CHECK(walk_until(in, w, t + 4.5) == RR_OK);
    CHECK(RR_CALL(in, osc_measure, &w->dyn) == RR_OK && fabs(w->dyn.freq_Hz - 1) < 1e-6);
    CHECK(RR_CALL(in, osc_enable, false) == RR_OK);
    CHECK(RR_CALL0(in, heater_standby) == RR_OK);
    CHECK(RR_CALL0(in, reset) == RR_OK);
    CHECK(RR_CALL(in, get_status, &bits) == RR_OK &&
          (bits & (RR_STAT_SAMPLING | RR_STAT_OSCILLATING)) == 0);
    int code = -1;
    char msg[128];
    CHECK(RR_CALL(in, next_error, &code, msg, sizeof msg) == RR_OK && code == 0);
}

#endif
