/* test_sim_basic.c - the simulator behind the vtable: the instantaneous
 * response, the beta step at 315 K against the analytic standard linear
 * solid, unload/reload, the acquisition grid, limits, reset, the buffer,
 * noise, faults and preset checking. */
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "instrument.h"
#include "sim.h"
#include "simtest.h"

/* The design's La60Ni15Al25 set, written out independently of the preset. */
#define E_MPA 40000.0
#define A_B 0.05263
#define A_A 1.5
#define CHI 0.44
#define EB 83e3
#define TG 461.0
#define R_GAS 8.314462618

static double tau_b(double T)
{
    return 1e-3 * exp(EB / R_GAS * (1 / T - 1 / TG));
}

static double tau_a(double T)
{
    double t0 = pow(1e-3 / pow(25.0, CHI), 1 / (1 - CHI));
    return pow(tau_b(T) / pow(t0, 1 - CHI), 1 / CHI);
}

/* Relaxation modulus: the standard linear solid of the beta term (decay
 * time tau_b/(1 + A_b) = 0.95 tau_b) plus the alpha term to first order. */
static double G(double t, double T)
{
    if (t < 0)
        return 0;
    double f = A_B / (1 + A_B);
    double sls = E_MPA * ((1 - f) + f * exp(-t * (1 + A_B) / tau_b(T)));
    double u = t / tau_a(T);
    double dJ = A_A * (1 - exp(-pow(u, CHI) / CHI) + u) / E_MPA;
    return sls - E_MPA * E_MPA * dJ;
}

TEST(instantaneous_step)
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    CHECK(in->virtual_time);
    char id[128];
    CHECK(SIM_CALL(in, identify, id, sizeof id) == RR_OK);
    CHECK(strstr(id, "La60Ni15Al25") != NULL);
    CHECK(SIM_CALL(in, set_strain, 0.006) == RR_OK);
    double s = 0;
    CHECK(SIM_CALL(in, read_stress, &s) == RR_OK);
    CHECK_REL(s, 240.0, 1e-12);
    double e = 0;
    SIM_CALL(in, read_strain, &e);
    CHECK(e == 0.006);
    rr_instrument_close(in);
}

TEST(beta_step_315K)
{
    CHECK_REL(tau_b(315), 22.8, 0.01); /* the design table */
    rr_instrument *in = simtest_open(NULL, false, 1);
    CHECK(SIM_CALL(in, set_temp, 315.0) == RR_OK);
    double t_st = simtest_wait_stable(in, 7200);
    CHECK(t_st > 0);
    double T = 0;
    SIM_CALL(in, read_temp, &T);
    CHECK_ABS(T, 315, 0.1);
    simtest_run(in, t_st + 1800, NULL, 0); /* long enough: aging faded */
    CHECK(SIM_CALL0(in, acq_start) == RR_OK);
    CHECK(SIM_CALL(in, set_strain, 0.006) == RR_OK);
    double t0 = -1;
    SIM_CALL(in, strain_t0, &t0);
    static rr_sample buf[30000];
    size_t n = simtest_run(in, t0 + 2000, buf, 30000);
    CHECK(n == 19996); /* 0.5 s ... 2000 s at 10 points/s */
    CHECK_ABS(buf[0].t_s - t0, 0.5, 1e-9);
    double maxerr = 0;
    for (size_t i = 0; i < n; i++) {
        double t = buf[i].t_s - t0;
        double want = 0.006 * G(t, 315);
        maxerr = fmax(maxerr, fabs(buf[i].stress_MPa - want) / 240);
    }
    printf("  315 K step vs SLS + first-order alpha: max |err| = %.2e sigma0\n", maxerr);
    CHECK(maxerr < 1e-4);
    /* the beta step is ~5 % and has decayed to 1/e at 0.95 tau_b */
    double s_end = buf[n - 1].stress_MPa / 240;
    CHECK(s_end < 0.951 && s_end > 0.947);
    rr_instrument_close(in);
}

/* The decay inside a 0.5-2000 s window (the drop of sigma/sigma0 between
 * 0.5 and 2000 s, sigma0 = E * strain) against what the design's reference
 * implementation measured. */
TEST(design_table_window_decay)
{
    /* 430-440 K: the design gives 76-79 % for 430-461 K; at 450 and 461 K
     * this model loses 30-40 % before 0.5 s and shows 72 and 62 %. */
    const double T[] = {315, 330, 345, 360, 380, 400, 430, 440};
    const double want[] = {4.98, 4.92, 4.87, 5.95, 16.2, 38.5, 77.5, 77.5};
    const double tol[] = {0.02, 0.02, 0.02, 0.02, 0.1, 0.1, 2.5, 2.5};
    /* the design's split: the beta part alone (A_alpha ~ 0) */
    const double want_beta[] = {4.89, 4.54, 3.48, 1.48, 0.02, 0};
    for (int i = 0; i < 8 + 6; i++) {
        bool beta_only = i >= 8;
        int k = beta_only ? i - 8 : i;
        rr_instrument *in = simtest_open(NULL, false, 1);
        SIM_CALL(in, sim_set, "aging.amplitude", 0.0);
        if (beta_only)
            CHECK(SIM_CALL(in, sim_set, "material.A_alpha", 1e-9) == RR_OK);
        SIM_CALL(in, set_temp, T[k]);
        double t = simtest_wait_stable(in, 7200) + 600, now, s1, s2;
        SIM_CALL(in, advance, t, &now);
        SIM_CALL(in, set_strain, 0.006);
        SIM_CALL(in, advance, t + 0.5, &now);
        SIM_CALL(in, read_stress, &s1);
        SIM_CALL(in, advance, t + 2000, &now);
        SIM_CALL(in, read_stress, &s2);
        rr_instrument_close(in);
        double d = 100 * (s1 - s2) / 240;
        printf("  %g K: %s decay in 0.5-2000 s %.2f %% (design %.2f %%)\n", T[k],
               beta_only ? "beta" : "whole", d, beta_only ? want_beta[k] : want[k]);
        if (beta_only)
            CHECK_ABS(d, want_beta[k], 0.015);
        else
            CHECK_ABS(d, want[k], tol[k]);
    }
}

/* Shapes of -d(sigma/sigma0)/d ln t in a 0.5-2000 s window: interior maxima
 * (a beta peak) and minima (a beta tail meeting the alpha rise). */
static void window_shape(const char *preset, double T, int *nmax, double *t_max, int *nmin)
{
    rr_instrument *in = simtest_open(preset, false, 1);
    SIM_CALL(in, sim_set, "aging.amplitude", 0.0);
    SIM_CALL(in, set_temp, T);
    double t = simtest_wait_stable(in, 7200) + 600, now, s, prev = 0, s0 = 0, d[200];
    SIM_CALL(in, advance, t, &now);
    SIM_CALL(in, set_strain, 0.006);
    SIM_CALL(in, read_stress, &s0);
    int n = 0;
    const double dl = 0.02; /* decades */
    for (int k = 0; k * dl <= 3.61; k++) {
        SIM_CALL(in, advance, t + pow(10, -0.3 + k * dl), &now);
        SIM_CALL(in, read_stress, &s);
        if (k > 0)
            d[n++] = -(s - prev) / s0 / (dl * log(10));
        prev = s;
    }
    rr_instrument_close(in);
    *nmax = *nmin = 0;
    for (int i = 1; i < n - 1; i++) {
        if (d[i] > d[i - 1] && d[i] >= d[i + 1]) {
            (*nmax)++;
            *t_max = pow(10, -0.3 + dl * (i + 0.5));
        }
        if (d[i] < d[i - 1] && d[i] <= d[i + 1])
            (*nmin)++;
    }
}

TEST(two_step_and_single_step_windows)
{
    int nmax, nmin;
    double tmax = 0;
    /* La60Ni15Al25: a beta peak at ~0.95 tau_b at 315-345 K */
    const double Tb[3] = {315, 330, 345};
    for (int i = 0; i < 3; i++) {
        window_shape("La60Ni15Al25", Tb[i], &nmax, &tmax, &nmin);
        printf("  La %g K: beta peak of -dsigma/dln t at %.2f s = %.3f tau_b\n", Tb[i], tmax,
               tmax / tau_b(Tb[i]));
        CHECK(nmax == 1 && nmin == 1);
        CHECK_REL(tmax, 0.95 * tau_b(Tb[i]), 0.06);
    }
    /* 360-375 K: the beta tail at the window's start, then the alpha rise */
    window_shape("La60Ni15Al25", 360, &nmax, &tmax, &nmin);
    CHECK(nmax == 0 && nmin == 1);
    /* 390-410 K: a single step */
    window_shape("La60Ni15Al25", 390, &nmax, &tmax, &nmin);
    CHECK(nmax == 0 && nmin == 0);
    window_shape("La60Ni15Al25", 410, &nmax, &tmax, &nmin);
    CHECK(nmax == 0 && nmin == 0);
    /* Zr50Cu40Al10: an excess wing only, single step at 450-550 K */
    for (double T = 450; T <= 550; T += 50) {
        window_shape("Zr50Cu40Al10", T, &nmax, &tmax, &nmin);
        CHECK(nmax == 0 && nmin == 0);
    }
}

TEST(unload_reload)
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    SIM_CALL(in, set_temp, 315.0);
    double t = simtest_wait_stable(in, 7200) + 1800;
    simtest_run(in, t, NULL, 0);
    double tl = t, tu = t + 100, tr = t + 300, s;
    SIM_CALL(in, set_strain, 0.006);
    simtest_run(in, tu, NULL, 0);
    double before;
    SIM_CALL(in, read_stress, &before);
    SIM_CALL(in, set_strain, 0.0);
    SIM_CALL(in, read_stress, &s);
    CHECK_ABS(s - before, -240, 1e-9); /* the jump is E * d_strain exactly */
    simtest_run(in, tu + 50, NULL, 0);
    SIM_CALL(in, read_stress, &s);
    double want = 0.006 * (G(tu + 50 - tl, 315) - G(50, 315));
    CHECK_ABS(s, want, 240e-4);
    CHECK(s < 0 && s > -10); /* recovering toward 0 from below */
    simtest_run(in, tr, NULL, 0);
    SIM_CALL(in, set_strain, 0.006);
    simtest_run(in, tr + 20, NULL, 0);
    SIM_CALL(in, read_stress, &s);
    want = 0.006 * (G(tr + 20 - tl, 315) - G(tr + 20 - tu, 315) + G(20, 315));
    CHECK_ABS(s, want, 240e-4);
    rr_instrument_close(in);
}

TEST(acquisition_grid)
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    double now;
    SIM_CALL(in, advance, 10.0, &now);
    CHECK(now == 10.0);
    SIM_CALL(in, acq_set_rate, 10.0);
    SIM_CALL0(in, acq_start);
    rr_sample b[64];
    size_t n = simtest_run(in, 12.34, b, 64);
    CHECK(n == 24); /* 10.0 ... 12.3 */
    CHECK_ABS(b[0].t_s, 10.0, 1e-9);
    CHECK_ABS(b[23].t_s, 12.3, 1e-9);
    SIM_CALL(in, set_strain, 0.006);
    double t0;
    SIM_CALL(in, strain_t0, &t0);
    CHECK_ABS(t0, 12.34, 1e-9);
    n = simtest_run(in, 13.0, b, 64);
    CHECK(n == 2); /* 12.84, 12.94: none in the first 0.5 s */
    CHECK_ABS(b[0].t_s, 12.84, 1e-9);
    CHECK_ABS(b[1].t_s, 12.94, 1e-9);
    CHECK(b[0].strain == 0.006);
    CHECK(b[0].stress_MPa > 200 && b[0].stress_MPa < 240);
    unsigned bits;
    SIM_CALL(in, get_status, &bits);
    CHECK(bits & RR_STAT_SAMPLING);
    CHECK(bits & RR_STAT_STRAIN_AT_SET);
    rr_instrument_close(in);
}

TEST(buffer_fills_and_stops)
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    SIM_CALL0(in, acq_start);
    double now = 0;
    CHECK(SIM_CALL(in, advance, 5000.0, &now) == RR_OK);
    CHECK_ABS(now, 1999.9, 1e-6); /* 20000 samples: 0 ... 1999.9 s */
    CHECK(SIM_CALL(in, advance, 5000.0, &now) == RR_OK);
    CHECK_ABS(now, 1999.9, 1e-6); /* full: no progress until drained */
    static rr_sample b[20000];
    size_t n = 0;
    SIM_CALL(in, acq_read, b, 20000, &n);
    CHECK(n == 20000);
    CHECK(SIM_CALL(in, advance, 5000.0, &now) == RR_OK);
    CHECK_ABS(now, 3999.9, 1e-6);
    unsigned bits;
    SIM_CALL(in, get_status, &bits);
    CHECK(!(bits & RR_STAT_OVERFLOW));
    rr_instrument_close(in);
}

TEST(limits_and_conflicts)
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    rr_limits L;
    CHECK(SIM_CALL(in, get_limits, &L) == RR_OK);
    CHECK(L.strain_max == 0.02);
    CHECK(SIM_CALL(in, set_strain, 0.03) == RR_ERR_RANGE);
    CHECK(SIM_CALL(in, set_temp, L.temp_max_K + 1) == RR_ERR_RANGE);
    CHECK(SIM_CALL(in, set_temp_rate, 0.0) == RR_ERR_RANGE);
    CHECK(SIM_CALL(in, set_temp_rate, L.rate_max_K_per_min + 1) == RR_ERR_RANGE);
    CHECK(SIM_CALL(in, acq_set_rate, 200.0) == RR_ERR_RANGE);
    CHECK(SIM_CALL(in, osc_set, 1.0, 0.0) == RR_ERR_RANGE);
    CHECK(SIM_CALL(in, osc_set, L.freq_max_Hz * 2, 1e-4) == RR_ERR_RANGE);
    rr_geometry g = {15, 1, 0};
    CHECK(SIM_CALL(in, set_geometry, &g) == RR_ERR_RANGE);
    SIM_CALL(in, set_strain, 0.001);
    CHECK(SIM_CALL(in, set_clamp, RR_CLAMP_SINGLE_CANTILEVER) == RR_ERR_STATE);
    g.thickness_mm = 0.03;
    CHECK(SIM_CALL(in, set_geometry, &g) == RR_ERR_STATE);
    SIM_CALL(in, set_strain, 0.0);
    CHECK(SIM_CALL(in, set_clamp, RR_CLAMP_SINGLE_CANTILEVER) == RR_OK);
    SIM_CALL0(in, acq_start);
    CHECK(SIM_CALL(in, set_geometry, &g) == RR_ERR_STATE);
    rr_instrument_close(in);
}

TEST(oscillation_not_ready_then_ready)
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    rr_dynamic d;
    double now;
    CHECK(SIM_CALL(in, osc_measure, &d) == RR_ERR_NOT_READY);
    SIM_CALL(in, osc_set, 1.0, 1e-4);
    CHECK(SIM_CALL(in, osc_enable, true) == RR_OK);
    SIM_CALL(in, advance, 2.9, &now);
    CHECK(SIM_CALL(in, osc_measure, &d) == RR_ERR_NOT_READY);
    SIM_CALL(in, advance, 3.05, &now);
    CHECK(SIM_CALL(in, osc_measure, &d) == RR_OK);
    CHECK(d.freq_Hz == 1.0);
    CHECK(d.storage_MPa > 30000 && d.storage_MPa <= 40000);
    CHECK(d.loss_MPa > 0 && d.tan_delta > 0);
    unsigned bits;
    SIM_CALL(in, get_status, &bits);
    CHECK(bits & RR_STAT_OSCILLATING);
    CHECK(SIM_CALL(in, set_strain, 0.02) == RR_ERR_RANGE); /* + amplitude */
    CHECK(SIM_CALL(in, set_strain, 0.001) == RR_OK);
    CHECK(SIM_CALL(in, osc_measure, &d) == RR_ERR_NOT_READY); /* a change */
    rr_instrument_close(in);
}

TEST(reset_is_safe_state)
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    double now, v;
    SIM_CALL(in, set_temp, 320.0);
    SIM_CALL(in, advance, 100.0, &now);
    SIM_CALL0(in, acq_start);
    SIM_CALL(in, set_strain, 0.006);
    SIM_CALL(in, osc_set, 1.0, 1e-4);
    SIM_CALL(in, osc_enable, true);
    SIM_CALL(in, advance, 110.0, &now);
    CHECK(SIM_CALL0(in, reset) == RR_OK);
    SIM_CALL(in, now, &now);
    CHECK(now == 0);
    SIM_CALL(in, strain_t0, &v);
    CHECK(v == 0);
    SIM_CALL(in, read_strain, &v);
    CHECK(v == 0);
    unsigned bits;
    SIM_CALL(in, get_status, &bits);
    CHECK(!(bits & (RR_STAT_SAMPLING | RR_STAT_OSCILLATING | RR_STAT_TEMP_STABLE)));
    size_t n = 1;
    rr_sample b[4];
    SIM_CALL(in, acq_read, b, 4, &n);
    CHECK(n == 0);
    SIM_CALL(in, advance, 5.0, &now);
    CHECK(now == 5.0);
    rr_instrument_close(in);
}

TEST(noise_seeded)
{
    rr_sample a[200], b[200], c[200];
    unsigned long seeds[3] = {7, 7, 8};
    rr_sample *bufs[3] = {a, b, c};
    for (int k = 0; k < 3; k++) {
        rr_instrument *in = simtest_open(NULL, true, seeds[k]);
        SIM_CALL0(in, acq_start);
        simtest_run(in, 19.95, bufs[k], 200);
        rr_instrument_close(in);
    }
    double ss = 0;
    bool same = true, differ = false;
    for (int i = 0; i < 200; i++) {
        same = same && a[i].stress_MPa == b[i].stress_MPa;
        differ = differ || a[i].stress_MPa != c[i].stress_MPa;
        ss += a[i].stress_MPa * a[i].stress_MPa;
    }
    CHECK(same);
    CHECK(differ);
    double rms = sqrt(ss / 200);
    CHECK(rms > 0.03 && rms < 0.09); /* 0.05 MPa noise + 0.02 MPa drift */
    rr_instrument *in = simtest_open(NULL, true, 7);
    CHECK(SIM_CALL(in, sim_set, "noise", 0.0) == RR_OK);
    double s;
    SIM_CALL(in, read_stress, &s);
    CHECK(s == 0);
    rr_instrument_close(in);
}

TEST(sim_set_keys)
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    CHECK(SIM_CALL(in, sim_set, "material.A_bta", 0.1) == RR_ERR_ARG);
    CHECK(strstr(in->ops->last_error(in->ctx), "material.A_bta") != NULL);
    CHECK(SIM_CALL(in, sim_set, "material.chi", 1.5) == RR_ERR_RANGE);
    CHECK(strstr(in->ops->last_error(in->ctx), "material.chi") != NULL);
    CHECK(SIM_CALL(in, sim_set, "material.tau_beta_Tg_s", -1.0) == RR_ERR_RANGE);
    CHECK(SIM_CALL(in, sim_set, "material.E_MPa", 80000.0) == RR_OK);
    /* a new chi: new modes, the present strain applied to the relaxed glass */
    SIM_CALL(in, set_strain, 0.003);
    CHECK(SIM_CALL(in, sim_set, "material.chi", 0.5) == RR_OK);
    double s2;
    SIM_CALL(in, read_stress, &s2);
    CHECK_REL(s2, 240, 1e-12);
    SIM_CALL(in, set_strain, 0.0);
    SIM_CALL(in, set_strain, 0.006);
    double s;
    SIM_CALL(in, read_stress, &s);
    CHECK_REL(s, 480, 1e-12);
    rr_instrument_close(in);
}

TEST(heater_fault)
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    SIM_CALL(in, set_temp, 350.0);
    CHECK(SIM_CALL(in, sim_set, "fault.heater", 1.0) == RR_OK);
    unsigned bits;
    double now;
    CHECK(SIM_CALL(in, get_status, &bits) == RR_ERR_INSTRUMENT);
    CHECK(strcmp(in->ops->last_error(in->ctx), "Heater fault") == 0);
    CHECK(SIM_CALL(in, advance, 10.0, &now) == RR_ERR_INSTRUMENT);
    CHECK(SIM_CALL(in, set_strain, 0.001) == RR_ERR_INSTRUMENT);
    CHECK(SIM_CALL0(in, reset) == RR_ERR_INSTRUMENT);
    CHECK(SIM_CALL(in, sim_set, "fault.heater", 0.0) == RR_OK);
    int code;
    char msg[64];
    CHECK(SIM_CALL(in, next_error, &code, msg, sizeof msg) == RR_OK);
    CHECK(code == 320);
    rr_instrument_close(in);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static const char *good_material =
    "material:\n"
    "  E_MPa: 40000\n"
    "  A_beta: 0.05\n"
    "  A_alpha: 1.5\n"
    "  chi: 0.44\n"
    "  E_beta_kJ_per_mol: 83\n"
    "  Tg_K: 461\n"
    "  tau_alpha_Tg_s: 25\n"
    "  tau_beta_Tg_s: 1.0e-3\n";

static rr_status open_text(const char *text, char *err, size_t len)
{
    char dir[] = "/tmp/rr_sim_presetXXXXXX", path[64];
    if (!mkdtemp(dir))
        return RR_ERR_IO;
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    write_file(path, text);
    rr_open_options o = {.seed = 1};
    rr_instrument *in = NULL;
    rr_status st = rr_sim_open(path, &o, &in, err, len);
    rr_instrument_close(in);
    unlink(path);
    rmdir(dir);
    return st;
}

static char *subst(const char *text, const char *from, const char *to)
{
    static char out[4096];
    const char *p = strstr(text, from);
    snprintf(out, sizeof out, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
    return out;
}

TEST(preset_errors)
{
    char err[1024];
    CHECK(open_text(good_material, err, sizeof err) == RR_OK);
    CHECK(open_text(subst(good_material, "chi: 0.44", "chi: 1.5"), err, sizeof err) == RR_ERR_RANGE);
    CHECK(strstr(err, ":5: key 'material.chi'") != NULL);
    printf("  %s\n", err);
    CHECK(open_text(subst(good_material, "tau_beta_Tg_s: 1.0e-3", "tau_beta_Tg_s: -1"), err,
                    sizeof err) == RR_ERR_RANGE);
    CHECK(strstr(err, ":9: key 'material.tau_beta_Tg_s'") != NULL);
    printf("  %s\n", err);
    CHECK(open_text(subst(good_material, "A_alpha", "A_alfa"), err, sizeof err) != RR_OK);
    CHECK(strstr(err, ":4: unknown key 'material.A_alfa'") != NULL);
    printf("  %s\n", err);
    CHECK(open_text(subst(good_material, "  Tg_K: 461\n", ""), err, sizeof err) != RR_OK);
    CHECK(strstr(err, "missing key 'material.Tg_K'") != NULL);
    CHECK(strstr(err, "/tmp/rr_sim_preset") != NULL);
    printf("  %s\n", err);
    CHECK(open_text(subst(good_material, "E_MPa: 40000", "E_MPa: 4e4x"), err, sizeof err) != RR_OK);
    CHECK(strstr(err, ":2: key 'material.E_MPa'") != NULL);
    printf("  %s\n", err);
    CHECK(open_text(subst(good_material, "chi: 0.44", "chi: 0"), err, sizeof err) == RR_ERR_RANGE);
    CHECK(open_text(subst(good_material, "material:", "materail:"), err, sizeof err) != RR_OK);
    CHECK(strstr(err, ":1: unknown key 'materail'") != NULL);
    printf("  %s\n", err);
    char text[2048];
    snprintf(text, sizeof text, "%snoise:\n  stress_MPa: -0.1\n", good_material);
    CHECK(open_text(text, err, sizeof err) == RR_ERR_RANGE);
    CHECK(strstr(err, ":11: key 'noise.stress_MPa'") != NULL);
    printf("  %s\n", err);
    snprintf(text, sizeof text, "%ssample:\n  clamp: dual_cantilever\n", good_material);
    CHECK(open_text(text, err, sizeof err) == RR_OK);
    snprintf(text, sizeof text, "%ssample:\n  clamp: torsion\n", good_material);
    CHECK(open_text(text, err, sizeof err) != RR_OK);
    CHECK(strstr(err, "sample.clamp") != NULL);
    rr_open_options o = {.seed = 1, .presets_dir = simtest_presets()};
    rr_instrument *in = NULL;
    CHECK(rr_sim_open("NoSuchGlass", &o, &in, err, sizeof err) != RR_OK);
    CHECK(in == NULL);
    CHECK(rr_sim_open("Zr50Cu40Al10", &o, &in, err, sizeof err) == RR_OK);
    rr_instrument_close(in);
    /* cross-field checks name the key and its line: a chi too small for
     * the Prony series (3 modes a decade, 128 in all: chi >= 0.2 or so for
     * A_alpha 1.5), and an ambient where tau_alpha overflows */
    CHECK(open_text(subst(good_material, "chi: 0.44", "chi: 0.15"), err, sizeof err) ==
          RR_ERR_RANGE);
    CHECK(strstr(err, ":5: key 'material.chi'") != NULL && strstr(err, "at least 0.2") != NULL);
    printf("  %s\n", err);
    snprintf(text, sizeof text, "%sfurnace:\n  ambient_K: 20\n", good_material);
    CHECK(open_text(text, err, sizeof err) == RR_ERR_RANGE);
    CHECK(strstr(err, ":11: key 'furnace.ambient_K'") != NULL);
    printf("  %s\n", err);
    /* the same checks on a running simulator, by key */
    in = NULL;
    CHECK(rr_sim_open(NULL, &o, &in, err, sizeof err) == RR_OK);
    CHECK(in->ops->sim_set(in->ctx, "material.chi", 0.15) == RR_ERR_RANGE);
    CHECK(strstr(in->ops->last_error(in->ctx), "chi must be at least") != NULL);
    CHECK(in->ops->sim_set(in->ctx, "furnace.ambient_K", 20) == RR_ERR_RANGE);
    CHECK(in->ops->sim_set(in->ctx, "material.chi", 0.5) == RR_OK);
    rr_instrument_close(in);
}

int main(void)
{
    RUN(instantaneous_step);
    RUN(beta_step_315K);
    RUN(design_table_window_decay);
    RUN(two_step_and_single_step_windows);
    RUN(unload_reload);
    RUN(acquisition_grid);
    RUN(buffer_fills_and_stops);
    RUN(limits_and_conflicts);
    RUN(oscillation_not_ready_then_ready);
    RUN(reset_is_safe_state);
    RUN(noise_seeded);
    RUN(sim_set_keys);
    RUN(heater_fault);
    RUN(preset_errors);
    return rr_test_summary();
}
