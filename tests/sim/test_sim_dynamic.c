/* test_sim_dynamic.c - dynamic mode.  The closed frequency-domain form of
 * Eq. (2),
 *
 *   J*(w) = J0 [1 + A_b / (1 + i w tau_b) + A K(w tau_a) + A / (i w tau_a)],
 *   K = 1 - i w phi^(w),  phi^ the Fourier transform of the KWW decay,
 *
 * with K computed here independently of the simulator's Prony modes (a
 * convergent series for w tau' >= 1, GSL's QAWF quadrature below), against
 * the time-domain solver driven by a sinusoid (OSC:MEAS?); then the beta
 * loss peak: w tau_b = 1/(1 - f) for a pure standard linear solid of beta
 * strength f, isochronal peaks at 343 K (0.1 Hz), 373 K (1 Hz), 411 K
 * (10 Hz) with E''/E_u ~ 0.025, an isochronal ramp at 3 K/min and an
 * isothermal frequency scan through the instrument. */
#include <complex.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>

#include "harness.h"
#include "oracle.h"
#include "sim_internal.h"
#include "simtest.h"

#define E_U 40000.0
#define A_B 0.05263
#define A_A 1.5
#define CHI 0.44

static oracle_J la_at(double T)
{
    return oracle_params(E_U, A_B, A_A, CHI, 83e3, 461, 1e-3, 25, T);
}

static double kww_tau(double t, void *p)
{
    return exp(-pow(t, *(double *)p));
}

/* K(w) = 1 - i w int_0^inf exp(-(t/tau')^beta) e^{-i w t} dt, tau' = 1. */
static double complex kww_K(double w, double beta)
{
    if (w >= 1) { /* sum_{n>=1} (-1)^{n+1} Gamma(n beta + 1)/n! (i w)^{-n beta} */
        double complex sum = 0;
        for (int n = 1; n < 400; n++) {
            double lmag = gsl_sf_lngamma(n * beta + 1) - gsl_sf_lngamma(n + 1.0) -
                          n * beta * log(w);
            double ph = -n * beta * M_PI / 2;
            double complex term = exp(lmag) * (cos(ph) + I * sin(ph));
            sum += (n % 2 ? 1 : -1) * term;
            if (exp(lmag) < 1e-17)
                break;
        }
        return sum;
    }
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(2000);
    gsl_integration_workspace *wc = gsl_integration_workspace_alloc(2000);
    gsl_integration_qawo_table *tc = gsl_integration_qawo_table_alloc(w, 1, GSL_INTEG_COSINE, 60);
    gsl_integration_qawo_table *ts = gsl_integration_qawo_table_alloc(w, 1, GSL_INTEG_SINE, 60);
    gsl_function F = {.function = kww_tau, .params = &beta};
    double c, s, err;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int st1 = gsl_integration_qawf(&F, 0, 1e-11, 2000, ws, wc, tc, &c, &err);
    int st2 = gsl_integration_qawf(&F, 0, 1e-11, 2000, ws, wc, ts, &s, &err);
    gsl_set_error_handler(old);
    if (st1 || st2) /* roundoff warnings only: the values are checked below */
        fprintf(stderr, "  (QAWF at w = %g: status %d %d)\n", w, st1, st2);
    gsl_integration_qawo_table_free(tc);
    gsl_integration_qawo_table_free(ts);
    gsl_integration_workspace_free(ws);
    gsl_integration_workspace_free(wc);
    double complex phi = c - I * s;
    return 1 - I * w * phi;
}

/* Independent closed form E* = 1 / J* at angular frequency w, temperature T. */
static double complex E_closed(double w, double T)
{
    oracle_J o = la_at(T);
    double tau_p = o.ta * pow(CHI, 1 / CHI); /* (1/chi) u^chi = (t/tau')^chi */
    double complex J = 1 + A_B / (1 + I * w * o.tb) + A_A * kww_K(w * tau_p, CHI) +
                       A_A / (I * w * o.ta);
    return E_U / J;
}

static void la_params(sim_params *p)
{
    sim_params_defaults(p);
    p->E_MPa = E_U;
    p->A_beta = A_B;
    p->A_alpha = A_A;
    p->chi = CHI;
    p->E_beta_kJ_per_mol = 83;
    p->Tg_K = 461;
    p->tau_alpha_Tg_s = 25;
    p->tau_beta_Tg_s = 1e-3;
}

static double complex E_modes(const sim_material *m, double w, double T)
{
    double J1, J2;
    sim_material_Jstar(m, w, T, &J1, &J2);
    return 1 / (J1 - I * J2);
}

TEST(kww_transform_modes_vs_quadrature)
{
    sim_params p;
    la_params(&p);
    static sim_material m;
    CHECK(sim_material_init(&m, &p, false) == RR_OK);
    double worst = 0;
    for (double lw = -4; lw <= 6; lw += 0.25) {
        double w = pow(10, lw); /* w tau_alpha */
        double complex Kp = 0;
        for (size_t k = 0; k < m.prony.n; k++)
            Kp += m.prony.g[k] / (1 + I * w * m.prony.lambda[k]);
        double complex Kq = kww_K(w * pow(CHI, 1 / CHI), CHI);
        worst = fmax(worst, cabs(Kp - Kq));
    }
    printf("  KWW part of J*: |Prony - series/quadrature| <= %.1e (w tau_a 1e-4..1e6)\n", worst);
    CHECK(worst < 1e-5);
}

TEST(time_domain_vs_closed_form)
{
    const double temps[] = {340, 373, 420};
    const double freqs[] = {0.01, 0.1, 1, 10, 30};
    double worst_abs = 0, worst_loss = 0;
    for (size_t a = 0; a < 3; a++) {
        for (size_t b = 0; b < 5; b++) {
            rr_instrument *in = simtest_open(NULL, false, 1);
            SIM_CALL(in, sim_set, "aging.amplitude", 0.0);
            SIM_CALL(in, sim_set, "osc.steady_cycles", 0.0); /* time domain only */
            SIM_CALL(in, set_temp, temps[a]);
            double t = simtest_wait_stable(in, 7200) + 1500, now;
            SIM_CALL(in, advance, t, &now);
            SIM_CALL(in, set_strain, 0.003); /* oscillate about a static strain */
            SIM_CALL(in, advance, t + 600, &now);
            SIM_CALL(in, osc_set, freqs[b], 1e-4);
            SIM_CALL(in, osc_enable, true);
            SIM_CALL(in, advance, t + 600 + 50 / freqs[b] + 1e-6, &now);
            rr_dynamic d;
            CHECK(SIM_CALL(in, osc_measure, &d) == RR_OK);
            rr_instrument_close(in);
            double complex Ec = E_closed(2 * M_PI * freqs[b], temps[a]);
            double ea = cabs(d.storage_MPa + I * d.loss_MPa - Ec) / cabs(Ec);
            double el = fabs(d.loss_MPa - cimag(Ec)) / cimag(Ec);
            worst_abs = fmax(worst_abs, ea);
            worst_loss = fmax(worst_loss, el);
            if (ea > 3e-4 || el > 3e-3)
                printf("  %g K %g Hz: E' %.3f E'' %.4f closed %.3f %.4f\n", temps[a],
                       freqs[b], d.storage_MPa, d.loss_MPa, creal(Ec), cimag(Ec));
        }
    }
    printf("  time domain (64 steps/cycle) vs closed form: |dE*|/|E*| <= %.1e, "
           "E'' within %.1e\n", worst_abs, worst_loss);
    /* 64 steps per cycle: piecewise-linear strain and stress cost about
     * (2 pi / 64)^2 / 12 = 8e-4 of the relaxing part of E* */
    CHECK(worst_abs < 3e-4);
    CHECK(worst_loss < 3e-3);
}

TEST(sls_loss_peak_factor)
{
    /* beta only (alpha negligible): E'' peaks at w tau_b = 1/(1 - f) */
    sim_params p;
    la_params(&p);
    p.A_alpha = 1e-12;
    p.tau_alpha_Tg_s = 1e6; /* push alpha away */
    static sim_material m;
    CHECK(sim_material_init(&m, &p, false) == RR_OK);
    double T = 340, tb, ta, best = 0, wbest = 0;
    sim_material_taus(&m, T, &tb, &ta);
    for (double lw = -2; lw <= 2; lw += 1e-4) {
        double w = pow(10, lw) / tb;
        double l = cimag(E_modes(&m, w, T));
        if (l > best) {
            best = l;
            wbest = w;
        }
    }
    double f = A_B / (1 + A_B);
    printf("  SLS: w_peak tau_b = %.4f, 1/(1-f) = %.4f\n", wbest * tb, 1 / (1 - f));
    CHECK_REL(wbest * tb, 1 / (1 - f), 1e-3);
}

/* The first local maximum of E'' over T (closed form from the modes): the
 * beta peak, before the alpha background takes over. */
static double isochronal_peak(const sim_material *m, double f_Hz, double *height)
{
    double dT = 0.05, prev = 0, cur = 0;
    for (double T = 300; T <= 450; T += dT) {
        double next = cimag(E_modes(m, 2 * M_PI * f_Hz, T + dT));
        if (T > 300 && cur > prev && cur >= next) {
            *height = cur;
            return T;
        }
        prev = cur;
        cur = next;
    }
    *height = 0;
    return 0;
}

TEST(isochronal_beta_peaks)
{
    sim_params p;
    la_params(&p);
    static sim_material m;
    CHECK(sim_material_init(&m, &p, false) == RR_OK);
    const double f[3] = {0.1, 1, 10}, want[3] = {343, 373, 411};
    for (int i = 0; i < 3; i++) {
        double h, Tp = isochronal_peak(&m, f[i], &h);
        double tb, ta;
        sim_material_taus(&m, Tp, &tb, &ta);
        printf("  %g Hz: beta peak at %.1f K (design %g K), E''/E_u = %.4f, "
               "2 pi f tau_b = %.3f\n", f[i], Tp, want[i], h / E_U, 2 * M_PI * f[i] * tb);
        CHECK_ABS(Tp, want[i], 2.0);
        CHECK_ABS(h / E_U, 0.025, 0.006);
        CHECK(2 * M_PI * f[i] * tb > 0.8 && 2 * M_PI * f[i] * tb < 1.3);
    }
}

TEST(isochronal_ramp_through_instrument)
{
    /* 1 Hz, 3 K/min from 330 to 420 K: E'' against the measured sample
     * temperature peaks near 373 K. */
    clock_t c0 = clock();
    rr_instrument *in = simtest_open(NULL, false, 1);
    SIM_CALL(in, set_temp, 330.0);
    double t = simtest_wait_stable(in, 7200) + 600, now, T;
    SIM_CALL(in, advance, t, &now);
    SIM_CALL(in, osc_set, 1.0, 1e-4);
    SIM_CALL(in, osc_enable, true);
    SIM_CALL(in, set_temp_rate, 3.0);
    SIM_CALL(in, set_temp, 420.0);
    double best = 0, Tbest = 0, worst = 0;
    for (int k = 1; k <= 90 * 20; k++) { /* a measurement every 1 K */
        SIM_CALL(in, advance, t + 20.0 * k, &now);
        rr_dynamic d;
        if (SIM_CALL(in, osc_measure, &d) != RR_OK)
            continue;
        SIM_CALL(in, read_temp, &T);
        if (d.loss_MPa > best) {
            best = d.loss_MPa;
            Tbest = T;
        }
        /* quasi-static: agrees with the closed form at the sample's T */
        double complex Ec = E_closed(2 * M_PI, T);
        worst = fmax(worst, fabs(d.loss_MPa - cimag(Ec)) / E_U);
        if (T > 419)
            break;
    }
    rr_instrument_close(in);
    printf("  1 Hz isochronal ramp at 3 K/min: E'' peak at %.1f K (%.2f s CPU), "
           "|E'' - closed form| <= %.1e E_u\n", Tbest,
           (double)(clock() - c0) / CLOCKS_PER_SEC, worst);
    CHECK_ABS(Tbest, 373, 2.5);
    CHECK(worst < 2e-4);
}

TEST(isothermal_frequency_scan)
{
    /* 345 K, 20 frequencies from 0.01 to 30 Hz: E'' peaks where
     * 2 pi f tau_b ~ 1/(1 - f_beta) (alpha adds a background). */
    clock_t c0 = clock();
    rr_instrument *in = simtest_open(NULL, false, 1);
    SIM_CALL(in, set_temp, 345.0);
    double t = simtest_wait_stable(in, 7200) + 1800, now;
    SIM_CALL(in, advance, t, &now);
    double lf[20], loss[20];
    SIM_CALL(in, osc_set, 0.01, 1e-4);
    SIM_CALL(in, osc_enable, true);
    for (int i = 0; i < 20; i++) {
        lf[i] = -2 + i * (log10(30) + 2) / 19;
        double f = pow(10, lf[i]);
        SIM_CALL(in, osc_set, f, 1e-4);
        rr_dynamic d;
        while (SIM_CALL(in, osc_measure, &d) != RR_OK)
            SIM_CALL(in, advance, now + 1 / f, &now);
        SIM_CALL(in, advance, now + 3 / f, &now); /* let transients fade */
        SIM_CALL(in, osc_measure, &d);
        loss[i] = d.loss_MPa;
    }
    rr_instrument_close(in);
    int k = 1;
    for (int i = 1; i < 19; i++)
        if (loss[i] > loss[k])
            k = i;
    /* parabola through the three points around the maximum, in log f */
    double y0 = loss[k - 1], y1 = loss[k], y2 = loss[k + 1], dx = lf[1] - lf[0];
    double lpk = lf[k] + dx * (y0 - y2) / (2 * (y0 - 2 * y1 + y2));
    oracle_J o = la_at(345);
    double wt = 2 * M_PI * pow(10, lpk) * o.tb;
    printf("  345 K frequency scan: E'' peak at %.3f Hz, 2 pi f tau_b = %.2f "
           "(%.2f s CPU)\n", pow(10, lpk), wt, (double)(clock() - c0) / CLOCKS_PER_SEC);
    CHECK(wt > 0.8 && wt < 1.4);
}

/* Samples of an oscillation about a relaxing static strain during a
 * temperature ramp: the steady-state path (after 8 cycles) against the
 * time domain throughout. */
static size_t osc_run(double steady, rr_sample *buf, size_t cap, rr_dynamic *d)
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    SIM_CALL(in, sim_set, "osc.steady_cycles", steady);
    SIM_CALL(in, set_temp, 360.0);
    double t = simtest_wait_stable(in, 7200) + 300, now;
    SIM_CALL(in, advance, t, &now);
    SIM_CALL(in, acq_set_rate, 50.0);
    SIM_CALL0(in, acq_start);
    SIM_CALL(in, set_strain, 0.004);
    SIM_CALL(in, osc_set, 2.0, 2e-4);
    SIM_CALL(in, osc_enable, true);
    SIM_CALL(in, set_temp_rate, 3.0);
    SIM_CALL(in, set_temp, 380.0);
    size_t n = simtest_run(in, t + 200, buf, cap);
    SIM_CALL(in, osc_measure, d);
    rr_instrument_close(in);
    return n;
}

TEST(steady_state_path_vs_time_domain)
{
    static rr_sample a[20000], b[20000];
    rr_dynamic da, db;
    clock_t c0 = clock();
    size_t na = osc_run(0, a, 20000, &da);
    clock_t c1 = clock();
    size_t nb = osc_run(8, b, 20000, &db);
    clock_t c2 = clock();
    CHECK(na == nb && na > 9000);
    double worst = 0;
    for (size_t i = 0; i < na && i < nb; i++) {
        CHECK(a[i].t_s == b[i].t_s);
        worst = fmax(worst, fabs(a[i].stress_MPa - b[i].stress_MPa));
    }
    double emin = 1, emax = -1;
    for (size_t i = 0; i < nb; i++) { /* samples carry the oscillating strain */
        emin = fmin(emin, b[i].strain);
        emax = fmax(emax, b[i].strain);
    }
    CHECK_ABS(emax, 0.004 + 2e-4, 1e-6);
    CHECK_ABS(emin, 0.004 - 2e-4, 1e-6);
    double amp = 40000 * 2e-4; /* stress amplitude, MPa */
    printf("  2 Hz about a relaxing 0.4 %% during a 3 K/min ramp: steady-state path vs "
           "time domain max |d sigma| = %.1e of the amplitude; E'' %.3f vs %.3f MPa; "
           "CPU %.3f vs %.3f s\n", worst / amp, db.loss_MPa, da.loss_MPa,
           (double)(c2 - c1) / CLOCKS_PER_SEC, (double)(c1 - c0) / CLOCKS_PER_SEC);
    CHECK(worst / amp < 2e-3);
    CHECK_REL(db.loss_MPa, da.loss_MPa, 3e-3);
    CHECK_REL(db.storage_MPa, da.storage_MPa, 1e-4);
}

TEST(changes_while_oscillating)
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    double now = 0, e, sg;
    rr_dynamic d;
    SIM_CALL(in, set_temp, 373.0);
    double t = simtest_wait_stable(in, 7200) + 600;
    SIM_CALL(in, advance, t, &now);
    SIM_CALL(in, osc_set, 1.0, 1e-4);
    SIM_CALL(in, osc_enable, true);
    SIM_CALL(in, advance, t + 20, &now); /* on the steady-state path by now */
    CHECK(SIM_CALL(in, osc_measure, &d) == RR_OK);
    double complex Ec = E_closed(2 * M_PI, 373);
    CHECK_REL(d.loss_MPa, cimag(Ec), 1e-4);
    /* a new frequency: not ready for 3 cycles, then the new value */
    CHECK(SIM_CALL(in, osc_set, 10.0, 1e-4) == RR_OK);
    CHECK(SIM_CALL(in, osc_measure, &d) == RR_ERR_NOT_READY);
    SIM_CALL(in, advance, now + 0.29, &now);
    CHECK(SIM_CALL(in, osc_measure, &d) == RR_ERR_NOT_READY);
    SIM_CALL(in, advance, now + 0.02, &now);
    CHECK(SIM_CALL(in, osc_measure, &d) == RR_OK);
    CHECK(d.freq_Hz == 10.0);
    Ec = E_closed(2 * M_PI * 10, 373);
    printf("  1 -> 10 Hz at 373 K: E'' off by %.1e after 3 cycles (transient)\n",
           fabs(d.loss_MPa / cimag(Ec) - 1));
    CHECK_REL(d.loss_MPa, cimag(Ec), 0.01); /* 3 cycles: transients remain */
    SIM_CALL(in, advance, now + 5, &now);
    SIM_CALL(in, osc_measure, &d);
    CHECK_REL(d.loss_MPa, cimag(Ec), 1e-4);
    /* a static strain step while on the steady-state path, then reset */
    CHECK(SIM_CALL(in, set_strain, 0.003) == RR_OK);
    CHECK(SIM_CALL(in, osc_measure, &d) == RR_ERR_NOT_READY);
    SIM_CALL(in, advance, now + 5, &now);
    SIM_CALL(in, read_strain, &e);
    CHECK(fabs(e - 0.003) <= 1e-4 + 1e-12);
    CHECK(SIM_CALL0(in, reset) == RR_OK);
    unsigned bits;
    SIM_CALL(in, get_status, &bits);
    CHECK(!(bits & RR_STAT_OSCILLATING));
    SIM_CALL(in, read_strain, &e);
    CHECK(e == 0);
    SIM_CALL(in, read_stress, &sg);
    CHECK(fabs(sg) < 0.1 * 40000 * 0.003); /* what is left of the history */
    SIM_CALL(in, advance, 100.0, &now);
    SIM_CALL(in, read_stress, &sg);
    CHECK(isfinite(sg) && fabs(sg) < 5);
    rr_instrument_close(in);
}

int main(void)
{
    RUN(kww_transform_modes_vs_quadrature);
    RUN(time_domain_vs_closed_form);
    RUN(sls_loss_peak_factor);
    RUN(isochronal_beta_peaks);
    RUN(isochronal_ramp_through_instrument);
    RUN(isothermal_frequency_scan);
    RUN(steady_state_path_vs_time_domain);
    RUN(changes_while_oscillating);
    return rr_test_summary();
}
