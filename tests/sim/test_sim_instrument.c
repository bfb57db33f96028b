/* test_sim_instrument.c - the simulated instrument beyond the material:
 * the furnace (ramp lag against the analytic tracking error, overshoot,
 * measured stability, standby), physical aging (an irreversible extra decay
 * on the first loading after a short anneal only), faults (broken sample,
 * overload, heater) and the load frame (clamp and geometry set the load
 * cell's range in stress). */
#include <string.h>

#include "harness.h"
#include "simtest.h"

static double temp_at(rr_instrument *in, double t)
{
    double now, T;
    SIM_CALL(in, advance, t, &now);
    SIM_CALL(in, read_temp, &T);
    return T;
}

TEST(furnace_ramp_lag_overshoot_stability)
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    const double r = 10.0 / 60, P = 120, zeta = 0.45, lag_s = 20; /* the preset */
    SIM_CALL(in, set_temp, 400.0);
    /* steady ramp: the loop lags by 2 zeta r / w, the sample by r tau_s more */
    double want_lag = r * (2 * zeta / (2 * M_PI / P) + lag_s);
    double T = temp_at(in, 400);
    printf("  ramp at 10 K/min: sample lags %.2f K (analytic %.2f K)\n",
           295 + r * 400 - T, want_lag);
    CHECK_ABS(295 + r * 400 - T, want_lag, 0.05);
    /* overshoot after the ramp, then settling; stability is measured */
    double maxT = 0, t_band = -1, t_stable = -1, now = 400;
    while (now < 2400) {
        T = temp_at(in, now + 1);
        now += 1;
        unsigned bits;
        SIM_CALL(in, get_status, &bits);
        if (T > maxT)
            maxT = T;
        if (fabs(T - 400) > 0.1)
            t_band = -1;
        else if (t_band < 0)
            t_band = now;
        if ((bits & RR_STAT_TEMP_STABLE) && t_stable < 0)
            t_stable = now;
    }
    printf("  overshoot %.2f K; in the band from %.0f s, stable from %.0f s\n", maxT - 400,
           t_band, t_stable);
    CHECK(maxT - 400 > 0.2 && maxT - 400 < 3);
    CHECK(t_stable >= t_band + 60 - 1 && t_stable <= t_band + 62);
    CHECK(t_stable - 600 > 120); /* settling takes minutes, not a fixed wait */
    /* a new TEMP:SET restarts the 60 s */
    unsigned bits;
    SIM_CALL(in, set_temp, 400.0);
    SIM_CALL(in, get_status, &bits);
    CHECK(!(bits & RR_STAT_TEMP_STABLE));
    temp_at(in, now + 61);
    SIM_CALL(in, get_status, &bits);
    CHECK(bits & RR_STAT_TEMP_STABLE);
    /* standby: drifts to ambient (295 K) with the cooling time constant */
    SIM_CALL0(in, heater_standby);
    SIM_CALL(in, get_status, &bits);
    CHECK(!(bits & RR_STAT_TEMP_STABLE));
    T = temp_at(in, now + 61 + 900 * 8);
    CHECK_ABS(T, 295, 0.2);
    rr_instrument_close(in);
}

TEST(furnace_rate)
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    CHECK(SIM_CALL(in, set_temp_rate, 2.0) == RR_OK);
    SIM_CALL(in, set_temp, 330.0);
    double T = temp_at(in, 600); /* 20 K programmed after 600 s */
    double lag = 2.0 / 60 * (2 * 0.45 / (2 * M_PI / 120) + 20);
    CHECK_ABS(T, 295 + 20 - lag, 0.05);
    rr_instrument_close(in);
}

/* sigma/sigma0 at 100 s and 1000 s after each of two loadings at 315 K. */
static void aging_run(double anneal_s, double amplitude, double out[2][2])
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    SIM_CALL(in, sim_set, "aging.amplitude", amplitude);
    SIM_CALL(in, set_temp, 315.0);
    double t = simtest_wait_stable(in, 7200) + anneal_s, now, s;
    for (int k = 0; k < 2; k++) {
        SIM_CALL(in, advance, t, &now);
        SIM_CALL(in, set_strain, 0.006);
        SIM_CALL(in, advance, t + 100, &now);
        SIM_CALL(in, read_stress, &s);
        out[k][0] = s / 240;
        SIM_CALL(in, advance, t + 1000, &now);
        SIM_CALL(in, read_stress, &s);
        out[k][1] = s / 240;
        SIM_CALL(in, advance, t + 2000, &now);
        SIM_CALL(in, set_strain, 0.0);
        t += 4000; /* unloaded for 2000 s, then reload */
    }
    rr_instrument_close(in);
}

TEST(physical_aging)
{
    double on[2][2], off[2][2], late[2][2], late_off[2][2];
    aging_run(0, 0.0075, on); /* loaded as soon as the temperature is stable */
    aging_run(0, 0.0, off);
    aging_run(1800, 0.0075, late);
    aging_run(1800, 0.0, late_off);
    /* extra decay between 100 and 1000 s, first loading only */
    double x1 = (on[0][0] - on[0][1]) - (off[0][0] - off[0][1]);
    double x2 = (on[1][0] - on[1][1]) - (off[1][0] - off[1][1]);
    double x3 = (late[0][0] - late[0][1]) - (late_off[0][0] - late_off[0][1]);
    printf("  extra decay 100-1000 s: first loading %.2f %%, reload %.1e %%, "
           "after 1800 s anneal %.1e %% of sigma0\n", 100 * x1, 100 * x2, 100 * x3);
    CHECK(x1 > 0.003 && x1 < 0.008);
    CHECK(fabs(x2) < 1e-6);
    CHECK(fabs(x3) < 0.05 / 240); /* below the load-cell noise */
}

TEST(fault_broken_sample)
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    double now, s;
    SIM_CALL(in, set_strain, 0.006);
    CHECK(SIM_CALL(in, sim_set, "fault.break_at_s", 100.0) == RR_OK);
    CHECK(SIM_CALL(in, advance, 500.0, &now) == RR_OK);
    CHECK_ABS(now, 100, 1e-9); /* advance stops at the fault */
    unsigned bits;
    SIM_CALL(in, get_status, &bits);
    CHECK(bits & RR_STAT_BROKEN);
    SIM_CALL(in, read_stress, &s);
    CHECK(s == 0);
    int code;
    char msg[96];
    SIM_CALL(in, next_error, &code, msg, sizeof msg);
    CHECK(code == 311);
    CHECK(strcmp(msg, "Sample broken") == 0);
    SIM_CALL(in, next_error, &code, msg, sizeof msg);
    CHECK(code == 0);
    CHECK(SIM_CALL0(in, reset) == RR_OK);
    SIM_CALL(in, get_status, &bits);
    CHECK(bits & RR_STAT_BROKEN); /* needs a new sample */
    rr_instrument_close(in);
}

TEST(fault_overload)
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    double e, now;
    unsigned bits;
    int code;
    char msg[96];
    CHECK(SIM_CALL(in, sim_set, "fault.overload_MPa", 100.0) == RR_OK);
    SIM_CALL(in, set_strain, 0.006);
    SIM_CALL(in, get_status, &bits);
    CHECK(bits & RR_STAT_OVERLOAD);
    CHECK(!(bits & RR_STAT_STRAIN_AT_SET));
    SIM_CALL(in, read_strain, &e);
    CHECK(e == 0); /* driven to 0 */
    SIM_CALL(in, next_error, &code, msg, sizeof msg);
    CHECK(code == 310);
    CHECK(SIM_CALL0(in, reset) == RR_OK);
    SIM_CALL(in, get_status, &bits);
    CHECK(!(bits & RR_STAT_OVERLOAD));
    /* the load cell's own range: 18 N on a 1 mm x 30 um ribbon is 600 MPa */
    SIM_CALL(in, sim_set, "fault.overload_MPa", 0.0);
    SIM_CALL(in, set_strain, 0.014);
    SIM_CALL(in, get_status, &bits);
    CHECK(!(bits & RR_STAT_OVERLOAD));
    SIM_CALL(in, set_strain, 0.016);
    SIM_CALL(in, get_status, &bits);
    CHECK(bits & RR_STAT_OVERLOAD);
    SIM_CALL0(in, reset);
    /* a 30 x 2 x 1 mm bar in single cantilever takes it (1620 MPa) */
    rr_geometry g = {30, 2, 1};
    CHECK(SIM_CALL(in, set_clamp, RR_CLAMP_SINGLE_CANTILEVER) == RR_OK);
    CHECK(SIM_CALL(in, set_geometry, &g) == RR_OK);
    SIM_CALL(in, set_strain, 0.016);
    SIM_CALL(in, advance, 10.0, &now);
    SIM_CALL(in, get_status, &bits);
    CHECK(!(bits & RR_STAT_OVERLOAD));
    CHECK(SIM_CALL(in, set_clamp, RR_CLAMP_DUAL_CANTILEVER) == RR_ERR_STATE); /* loaded */
    rr_instrument_close(in);
    /* on a fresh bar (no viscoelastic memory of the steps above): dual
     * cantilever, two clamped-guided halves, sigma = 3 F L / (4 w t^2), so
     * 18 N is 202.5 MPa; compression, F / A: 18 N / 2 mm^2 = 9 MPa */
    const struct { rr_clamp c; double ok, over; } cases[] = {
        {RR_CLAMP_DUAL_CANTILEVER, 0.0050, 0.0052}, /* 200 and 208 MPa */
        {RR_CLAMP_COMPRESSION, -2.2e-4, -2.3e-4},   /* -8.8 and -9.2 MPa */
    };
    for (int i = 0; i < 2; i++) {
        in = simtest_open(NULL, false, 1);
        SIM_CALL(in, sim_set, "fault.overload_MPa", 0.0);
        CHECK(SIM_CALL(in, set_clamp, cases[i].c) == RR_OK);
        CHECK(SIM_CALL(in, set_geometry, &g) == RR_OK);
        SIM_CALL(in, set_strain, cases[i].ok);
        SIM_CALL(in, get_status, &bits);
        CHECK(!(bits & RR_STAT_OVERLOAD));
        SIM_CALL(in, set_strain, cases[i].over);
        SIM_CALL(in, get_status, &bits);
        CHECK(bits & RR_STAT_OVERLOAD);
        if (i == 0)
            rr_instrument_close(in);
    }
    rr_instrument_close(in);
}

TEST(fault_heater)
{
    rr_instrument *in = simtest_open(NULL, false, 1);
    double now = 0, T;
    SIM_CALL(in, set_temp, 400.0);
    CHECK(SIM_CALL(in, sim_set, "fault.heater_at_s", 300.0) == RR_OK);
    CHECK(SIM_CALL(in, advance, 1000.0, &now) == RR_ERR_INSTRUMENT);
    CHECK_ABS(now, 300, 1e-9);
    CHECK(strcmp(in->ops->last_error(in->ctx), "Heater fault") == 0);
    CHECK(SIM_CALL(in, read_temp, &T) == RR_ERR_INSTRUMENT);
    CHECK(SIM_CALL(in, set_temp, 300.0) == RR_ERR_INSTRUMENT);
    CHECK(SIM_CALL0(in, reset) == RR_ERR_INSTRUMENT); /* still tries the safe state */
    /* cleared: the furnace had no power meanwhile and cools */
    CHECK(SIM_CALL(in, sim_set, "fault.heater", 0.0) == RR_OK);
    SIM_CALL(in, read_temp, &T);
    CHECK(T < 400 - 40);
    int code;
    char msg[96];
    SIM_CALL(in, next_error, &code, msg, sizeof msg);
    CHECK(code == 320);
    rr_instrument_close(in);
}

int main(void)
{
    RUN(furnace_ramp_lag_overshoot_stability);
    RUN(furnace_rate);
    RUN(physical_aging);
    RUN(fault_broken_sample);
    RUN(fault_overload);
    RUN(fault_heater);
    return rr_test_summary();
}
