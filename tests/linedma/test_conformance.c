/* test_conformance.c - the same vtable walk (walk.h) against every
 * instrument: the simulator itself, and the line-protocol driver talking to
 * the emulator that serves the simulator over TCP (libsigrok driver_all.c
 * and libiio "emu" style).  Then the relaxation curves of both, on the same
 * seed, are compared point by point. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emuthread.h"
#include "harness.h"
#include "linedma/transport.h"
#include "walk.h"

#define HOLD_S 20.0

static walk_result direct, viaemu;

static rr_instrument *open_sim(void)
{
    rr_open_options o = {.seed = 7, .noise = false};
    rr_instrument *in = NULL;
    char err[600];
    if (rr_sim_open(NULL, &o, &in, err, sizeof err) != RR_OK)
        fprintf(stderr, "sim: %s\n", err);
    return in;
}

/* Stress of w at time dt after its step, linearly interpolated. */
static double stress_at(const walk_result *w, double dt)
{
    for (size_t i = 1; i < w->n; i++) {
        double a = w->s[i - 1].t_s - w->t0_s, b = w->s[i].t_s - w->t0_s;
        if (a <= dt && dt <= b && b > a)
            return w->s[i - 1].stress_MPa +
                   (w->s[i].stress_MPa - w->s[i - 1].stress_MPa) * (dt - a) / (b - a);
    }
    return NAN;
}

TEST(sim_direct)
{
    rr_instrument *in = open_sim();
    CHECK(in != NULL);
    if (!in)
        return;
    walk(in, &direct, HOLD_S);
    printf("     sim: %s, %zu samples\n", direct.idn, direct.n);
    rr_instrument_close(in);
}

TEST(sim_via_emulator)
{
    rr_instrument *sim = open_sim();
    CHECK(sim != NULL);
    if (!sim)
        return;
    emuthread t;
    CHECK(emuthread_start(&t, sim, 40, 0, NULL, NULL, NULL) == 0);
    rr_open_options o = {.timeout_s = 1.0};
    rr_instrument *in = NULL;
    char err[600];
    CHECK(rr_linedma_open(t.addr, &o, &in, err, sizeof err) == RR_OK);
    if (in) {
        walk(in, &viaemu, HOLD_S);
        printf("     emulated: %s, %zu samples\n", viaemu.idn, viaemu.n);
        CHECK(strcmp(viaemu.idn, direct.idn) == 0);
        CHECK(memcmp(&viaemu.lim, &direct.lim, sizeof direct.lim) == 0);
    }
    rr_instrument_close(in);
    emuthread_stop(&t);
}

TEST(same_curves)
{
    /* Compare the relaxation after the step at the emulated samples' times. */
    size_t used = 0;
    double worst = 0;
    for (size_t i = 0; i < viaemu.n; i++) {
        double dt = viaemu.s[i].t_s - viaemu.t0_s;
        if (dt < 0.5 || dt > HOLD_S)
            continue;
        double ref = stress_at(&direct, dt);
        if (isnan(ref))
            continue;
        double rel = fabs(viaemu.s[i].stress_MPa - ref) / fabs(ref);
        if (rel > worst)
            worst = rel;
        used++;
    }
    printf("     %zu points compared, worst relative difference %.2e\n", used, worst);
    CHECK(used > 100);
    CHECK(worst < 2e-3);
}

int main(void)
{
    RUN(sim_direct);
    RUN(sim_via_emulator);
    RUN(same_curves);
    return rr_test_summary();
}
