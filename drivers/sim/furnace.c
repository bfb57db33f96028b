/* furnace.c - furnace and sample temperature.
 *
 * The controller's programmed temperature T_prog ramps toward the setpoint
 * at TEMP:RATE.  With the heater on, the furnace temperature T_f follows
 * T_prog as a damped second-order loop (natural period furnace.period_s,
 * damping ratio furnace.damping < 1: it lags during a ramp and overshoots
 * when the ramp ends).  The sample follows the furnace with a first-order
 * lag (furnace.sample_lag_s); the material sees the sample temperature.
 * With the heater off (standby, or a heater fault) the furnace relaxes to
 * ambient with furnace.cooling_tau_s.  "Stable" is measured: the sample
 * within furnace.stable_band_K of the setpoint for furnace.stable_time_s,
 * heater on, and as long since the last TEMP:SET.
 */
#include <math.h>

#include "sim_internal.h"

#define SUBSTEP_MAX_S 1.0
#define SETTLED_K 1e-6

void sim_furnace_init(sim_furnace *f, const sim_params *p, double t)
{
    f->T_set = f->T_prog = f->T_f = f->T_s = p->ambient_K;
    f->v_f = 0;
    f->rate_K_per_s = p->rate_K_per_min / 60;
    f->heater_on = false;
    f->heater_fault = false;
    f->settled = true;
    f->band_since = t;
    f->set_time = t;
}

void sim_furnace_set(sim_furnace *f, double T_K, double t)
{
    if (!f->heater_on) /* the controller starts from where the furnace is */
        f->T_prog = f->T_f;
    f->T_set = T_K;
    f->heater_on = true;
    f->settled = false;
    f->set_time = t;
}

void sim_furnace_standby(sim_furnace *f, double t)
{
    f->heater_on = false;
    f->settled = false;
    f->band_since = t;
}

double sim_furnace_max_step(const sim_furnace *f, const sim_params *p)
{
    (void)p;
    return f->settled ? INFINITY : SUBSTEP_MAX_S;
}

/* Programmed temperature at time s after the start of a substep. */
static double prog_at(const sim_furnace *f, double s)
{
    double d = f->T_set - f->T_prog, move = f->rate_K_per_s * s;
    if (fabs(d) <= move)
        return f->T_set;
    return f->T_prog + (d > 0 ? move : -move);
}

/* Derivatives of (T_f, v_f, T_s). */
static void deriv(const sim_furnace *f, const sim_params *p, double s,
                  const double x[3], double dx[3])
{
    bool on = f->heater_on && !f->heater_fault;
    if (on) {
        double w = 2 * M_PI / p->furnace_period_s;
        dx[0] = x[1];
        dx[1] = w * w * (prog_at(f, s) - x[0]) - 2 * p->furnace_damping * w * x[1];
    } else {
        dx[0] = (p->ambient_K - x[0]) / p->cooling_tau_s;
        dx[1] = 0;
    }
    dx[2] = (x[0] - x[2]) / p->sample_lag_s;
}

static void rk4(sim_furnace *f, const sim_params *p, double h)
{
    double x[3] = {f->T_f, f->v_f, f->T_s}, k1[3], k2[3], k3[3], k4[3], t[3];
    deriv(f, p, 0, x, k1);
    for (int i = 0; i < 3; i++) t[i] = x[i] + h / 2 * k1[i];
    deriv(f, p, h / 2, t, k2);
    for (int i = 0; i < 3; i++) t[i] = x[i] + h / 2 * k2[i];
    deriv(f, p, h / 2, t, k3);
    for (int i = 0; i < 3; i++) t[i] = x[i] + h * k3[i];
    deriv(f, p, h, t, k4);
    for (int i = 0; i < 3; i++)
        x[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    f->T_f = x[0];
    f->v_f = (f->heater_on && !f->heater_fault) ? x[1] : 0;
    f->T_s = x[2];
    if (f->heater_on && !f->heater_fault)
        f->T_prog = prog_at(f, h);
}

void sim_furnace_step(sim_furnace *f, const sim_params *p, double t, double h)
{
    double done = 0;
    while (!f->settled && done < h) {
        double s = fmin(SUBSTEP_MAX_S, h - done);
        rk4(f, p, s);
        done += s;
        bool on = f->heater_on && !f->heater_fault;
        double target = on ? f->T_set : p->ambient_K;
        if (!on || fabs(f->T_s - f->T_set) > p->stable_band_K)
            f->band_since = t + done;
        if ((!on || f->T_prog == f->T_set) && fabs(f->T_f - target) < SETTLED_K &&
            fabs(f->v_f) < SETTLED_K * 1e-2 && fabs(f->T_s - target) < SETTLED_K) {
            f->T_f = f->T_s = target;
            f->v_f = 0;
            f->settled = true;
        }
    }
}

bool sim_furnace_stable(const sim_furnace *f, const sim_params *p, double t)
{
    if (!f->heater_on || f->heater_fault)
        return false;
    if (fabs(f->T_s - f->T_set) > p->stable_band_K)
        return false;
    return t - f->band_since >= p->stable_time_s - 1e-9 &&
           t - f->set_time >= p->stable_time_s - 1e-9;
}
