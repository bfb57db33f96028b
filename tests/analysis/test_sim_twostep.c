/* test_sim_twostep.c - the two-step fit and the Arrhenius fit of tau_1 on
 * relaxations recorded from the simulated instrument (drivers/sim, preset
 * La60Ni15Al25, load-cell noise on): 315 .. 345 K, 0.6 % strain, 10 Hz
 * from 0.5 s to 2000 s after loading, 1800 s of settling first. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "instrument.h"
#include "series.h"
#include "twostep.h"
#include "fits.h"

#define CALL(in, fn, ...) ((in)->ops->fn((in)->ctx, __VA_ARGS__))

static rr_instrument *open_sim(unsigned long seed)
{
    static char dir[1024];
    const char *src = getenv("RELAXRUN_SOURCE_DIR");
    if (src)
        snprintf(dir, sizeof dir, "%s/drivers/sim/presets", src);
    rr_open_options o = {.seed = seed, .noise = true, .presets_dir = src ? dir : NULL};
    rr_instrument *in = NULL;
    char err[512];
    if (rr_sim_open("La60Ni15Al25", &o, &in, err, sizeof err) != RR_OK)
        fprintf(stderr, "rr_sim_open: %s\n", err);
    return in;
}

/* Advances to device time t, appending samples to s (when not NULL). */
static int run_to(rr_instrument *in, double t, rr_series *s)
{
    double now = 0;
    rr_sample buf[512];
    do {
        if (CALL(in, advance, t, &now) != RR_OK)
            return -1;
        size_t k;
        do {
            k = 0;
            if (CALL(in, acq_read, buf, 512, &k) != RR_OK)
                return -1;
            for (size_t i = 0; s && i < k; i++)
                if (rr_series_append(s, &buf[i]) != RR_OK)
                    return -1;
        } while (k == 512);
    } while (now < t);
    return 0;
}

/* One relaxation at T_K; the fit on sigma/sigma0 from 0.5 s. */
static int relax_at(double T_K, unsigned long seed, rr_twostep *r)
{
    rr_instrument *in = open_sim(seed);
    if (!in)
        return -1;
    double now = 0, t0 = 0;
    int ok = CALL(in, set_temp_rate, 20.0) == RR_OK && CALL(in, set_temp, T_K) == RR_OK;
    CALL(in, now, &now);
    /* Settle: until the furnace reports stable, then 1800 s more. */
    for (double end = now + 7200; ok && now < end;) {
        unsigned bits = 0;
        CALL(in, get_status, &bits);
        if (bits & RR_STAT_TEMP_STABLE)
            break;
        ok = run_to(in, now + 5, NULL) == 0;
        CALL(in, now, &now);
    }
    ok = ok && run_to(in, now + 1800, NULL) == 0;
    ok = ok && CALL(in, acq_set_rate, 10.0) == RR_OK && CALL(in, set_strain, 0.006) == RR_OK;
    ok = ok && CALL(in, strain_t0, &t0) == RR_OK && in->ops->acq_start(in->ctx) == RR_OK;
    rr_series *s = NULL;
    ok = ok && rr_series_new(t0, "sim", &s) == RR_OK && run_to(in, t0 + 2000.05, s) == 0;
    rr_instrument_close(in);
    if (!ok || !s || s->n < 1000) {
        rr_series_free(s);
        return -1;
    }
    /* sigma/sigma0 over 0.5 .. 2000 s, sigma0 the first recorded stress */
    size_t i0 = 0;
    while (i0 < s->n && s->t_s[i0] < 0.5 - 1e-9)
        i0++;
    size_t n = 0;
    double *t = malloc(s->n * sizeof *t), *y = malloc(s->n * sizeof *y);
    for (size_t i = i0; t && y && i < s->n && s->t_s[i] <= 2000 + 1e-9; i++) {
        t[n] = s->t_s[i];
        y[n++] = s->stress_MPa[i] / s->stress_MPa[i0];
    }
    int rc = t && y && rr_twostep_fit(t, y, n, NULL, r, NULL) == RR_OK ? 0 : -1;
    printf("  %3.0f K: %zu samples from %.2f s, tau_1 = %.4g +- %.2g s, %s\n", T_K, n,
           n ? t[0] : 0, r->tau1_s, r->se[1], r->verdict);
    free(t);
    free(y);
    rr_series_free(s);
    return rc;
}

TEST(arrhenius_of_tau1_on_the_simulator)
{
    double T[7], tau[7];
    for (int k = 0; k < 7; k++) {
        rr_twostep r;
        T[k] = 315 + 5 * k;
        CHECK(relax_at(T[k], 40 + (unsigned long)k, &r) == 0);
        CHECK(r.two_step);
        tau[k] = r.tau1_s;
    }
    rr_arrhenius a;
    CHECK(rr_arrhenius_fit(T, tau, NULL, 7, 0, &a, NULL) == RR_OK);
    printf("  simulator: E = %.2f +- %.2f kJ/mol\n", a.E_kJ_per_mol, a.se_E_kJ_per_mol);
    CHECK_ABS(a.E_kJ_per_mol, 83, 2);
}

int main(void)
{
    RUN(arrhenius_of_tau1_on_the_simulator);
    return rr_test_summary();
}
