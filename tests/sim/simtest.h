/* simtest.h - helpers shared by the simulator tests: open the simulator
 * from the source tree's presets, wait for a stable temperature, a
 * first-order Eq. (2) reference. */
#ifndef RR_SIMTEST_H
#define RR_SIMTEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "instrument.h"

/* Direct calls: the simulator fills every slot of the vtable (RR_CALL's
 * NULL check would leave clang thinking out-parameters may stay unset). */
#define SIM_CALL(in, fn, ...) ((in)->ops->fn((in)->ctx, __VA_ARGS__))
#define SIM_CALL0(in, fn) ((in)->ops->fn((in)->ctx))

static inline const char *simtest_presets(void)
{
    static char dir[1024];
    const char *src = getenv("RELAXRUN_SOURCE_DIR");
    if (!src)
        return NULL; /* the simulator's compiled-in default */
    snprintf(dir, sizeof dir, "%s/drivers/sim/presets", src);
    return dir;
}

static inline rr_instrument *simtest_open(const char *preset, bool noise,
                                          unsigned long seed)
{
    rr_open_options o = {.seed = seed, .noise = noise,
                         .presets_dir = simtest_presets()};
    rr_instrument *in = NULL;
    char err[512];
    rr_status st = rr_sim_open(preset, &o, &in, err, sizeof err);
    if (st != RR_OK) {
        fprintf(stderr, "rr_sim_open: %s\n", err);
        exit(2);
    }
    return in;
}

/* Advances in 5 s chunks until STAT? bit 0; returns the device time. */
static inline double simtest_wait_stable(rr_instrument *in, double max_s)
{
    double now = 0;
    SIM_CALL(in, now, &now);
    double end = now + max_s;
    while (now < end) {
        unsigned bits = 0;
        SIM_CALL(in, get_status, &bits);
        if (bits & RR_STAT_TEMP_STABLE)
            return now;
        double t = now + 5;
        while (now < t)
            if (SIM_CALL(in, advance, t, &now) != RR_OK)
                return -1;
    }
    return -1;
}

/* Advances to device time t, draining samples into buf (may be NULL). */
static inline size_t simtest_run(rr_instrument *in, double t, rr_sample *buf,
                                 size_t cap)
{
    double now = 0;
    size_t n = 0;
    rr_sample tmp[512];
    do {
        if (SIM_CALL(in, advance, t, &now) != RR_OK)
            break;
        size_t k;
        do {
            k = 0;
            SIM_CALL(in, acq_read, tmp, 512, &k);
            for (size_t i = 0; i < k; i++)
                if (buf && n < cap)
                    buf[n++] = tmp[i];
        } while (k == 512);
    } while (now < t);
    return n;
}

#endif
