/* run.c - the simulated instrument's state machine: the strain actuator,
 * the run loop that advances virtual time from event to event, faults and
 * physical aging.
 *
 * Time: the simulator keeps an absolute time t (s since open) and the device
 * clock is t - t_zero (restarted by reset).  sim_run_to() steps the material
 * from event to event: samples, oscillation nodes, furnace substeps, faults,
 * and a graded mesh after each strain jump (h <= GRADE (t - t_jump)) for the
 * t^chi singularity of the KWW term.  Steps after a jump are passed to the
 * material as explicit lengths, so steps far below the resolution of t
 * (1e-14 s at t = 1e5 s) stay exact.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim_internal.h"

#define GRADE 0.015          /* graded mesh: h <= GRADE * (t - t_jump) */
#define FIRST_SAMPLE_S 0.5   /* first sample after a strain change */
#define T_MAT_STEP_K 1e-6    /* material temperature follows the sample's */
#define EPS_TIME 1e-9

void sim_queue_error(sim *s, int code, const char *msg)
{
    if (s->qn >= SIM_QUEUE_CAP)
        return; /* queue full: new entries are dropped */
    s->q[s->qn].code = code;
    snprintf(s->q[s->qn].msg, sizeof s->q[s->qn].msg, "%s", msg);
    s->qn++;
}

/* Aging's irreversible strain at time t: growing during the first loading
 * after a fresh thermal history, frozen after it (docs/simulator.md). */
static double plastic_strain(const sim *s, double t)
{
    if (!s->aging_active)
        return s->eps_plastic;
    return s->aging_a * s->aging_deps * -expm1(-(t - s->aging_t_load) / s->p.aging_tau_s);
}

/* Strain the material sees at time t (on the steady-state path the
 * periodic part is carried analytically, not by the mode states). */
double sim_strain_seen(const sim *s, double t)
{
    return s->eps_static + (s->osc_fast ? 0 : sim_osc_strain(s, t)) - plastic_strain(s, t);
}

/* Stress in the material now. */
double sim_material_sigma(const sim *s)
{
    if (!s->osc_fast)
        return s->mat.sigma;
    double ph = sim_osc_phase(s, s->t);
    return s->mat.sigma + s->fast_sr * cos(ph) - s->fast_si * sin(ph);
}

double sim_applied_strain(const sim *s, double t)
{
    return s->eps_static + sim_osc_strain(s, t);
}

static void do_overload(sim *s)
{
    s->overload = true;
    s->fault_event = true;
    sim_queue_error(s, 310, "Overload");
    sim_osc_leave_fast(s);
    s->osc_on = false;
    sim_drive_strain(s, 0, false);
}

void sim_check_faults(sim *s)
{
    double now = sim_dev_time(s);
    if (!s->broken && s->break_at > 0 && now >= s->break_at - EPS_TIME) {
        s->broken = true;
        s->fault_event = true;
        sim_queue_error(s, 311, "Sample broken");
    }
    if (!s->heater_fault && s->heater_at > 0 && now >= s->heater_at - EPS_TIME) {
        s->heater_fault = s->fur.heater_fault = true;
        s->fur.settled = false;
        s->fault_event = true;
        sim_queue_error(s, 320, "Heater fault");
    }
    if (!s->overload && !s->broken && fabs(sim_material_sigma(s)) > sim_overload_limit_MPa(s))
        do_overload(s);
}

/* A strain jump at the present time (zero-length material step). */
void sim_drive_strain(sim *s, double eps, bool from_user)
{
    double old = s->eps_static;
    sim_osc_leave_fast(s);
    /* Aging: the first loading after a fresh thermal history starts the
     * extra decay; any later change freezes what it reached. */
    if (s->aging_active) {
        s->eps_plastic = plastic_strain(s, s->t);
        s->aging_active = false;
    }
    if (from_user && s->aging_armed && fabs(old) < 1e-12 && eps != 0 &&
        s->p.aging_amplitude > 0) {
        double t_anneal = isnan(s->arrive_t) ? 0 : s->t - s->arrive_t;
        s->aging_a = s->p.aging_amplitude * exp(-t_anneal / s->p.aging_fade_s);
        s->aging_t_load = s->t;
        s->aging_deps = eps;
        s->eps_plastic = 0;
        s->aging_active = true;
        s->aging_armed = false;
    }
    s->eps_static = eps;
    sim_material_step(&s->mat, 0, s->T_mat, sim_strain_seen(s, s->t));
    s->dt_jump = 0;
    if (from_user) {
        s->strain_t0 = sim_dev_time(s);
        s->grid_epoch++; /* a new noise key for the samples after the step */
        if (s->acq_on) { /* restart the grid: first sample 0.5 s later */
            s->grid_t0 = s->t + FIRST_SAMPLE_S;
            s->grid_k = 0;
            s->next_sample = s->grid_t0;
        }
        if (s->osc_on)
            sim_osc_changed(s, s->osc_f);
    }
    if (!s->overload && !s->broken && fabs(sim_material_sigma(s)) > sim_overload_limit_MPa(s))
        do_overload(s);
}

static void push_sample(sim *s)
{
    rr_sample x = {
        .t_s = sim_dev_time(s),
        .temp_K = sim_measured_temp(s, true),
        .strain = sim_applied_strain(s, s->t),
        .stress_MPa = sim_measured_stress(s, true),
    };
    size_t i = (s->head + s->count) % SIM_BUF_CAP;
    s->buf[i] = x;
    s->count++;
}

static void emit_due_samples(sim *s)
{
    while (s->acq_on && s->count < SIM_BUF_CAP && s->t >= s->next_sample - EPS_TIME) {
        push_sample(s);
        s->grid_k++;
        s->next_sample = s->grid_t0 + (double)s->grid_k / s->acq_rate;
    }
}

/* Smallest first step after a jump: where the KWW term's mass below it is
 * ~1e-6 of 1/E, and well below tau_beta. */
static double first_step(sim *s)
{
    if (s->h0_T == s->T_mat)
        return s->h0;
    double tb, ta;
    sim_material_taus(&s->mat, s->T_mat, &tb, &ta);
    double u = pow(1e-6 * s->p.chi / s->p.A_alpha, 1 / s->p.chi);
    s->h0 = fmax(fmin(fmin(u * ta, 1e-3 * tb), 1e-3), 1e-15);
    s->h0_T = s->T_mat;
    return s->h0;
}

/* One step of length h ending at t_new.  The furnace goes first, so that
 * the material is stepped at the sample's mid-step temperature: each time
 * constant then integrates dt / tau(T(t)) over the step to second order
 * (the start temperature alone lags a ramp by h/2, a first-order error of
 * ~1e-4 sigma0 at 10 K/min).  Changes below T_MAT_STEP_K, the furnace's own
 * settling tolerance, keep the cached coefficients. */
static void step(sim *s, double h, double t_new, bool osc_node_reached)
{
    double t_old = s->t, sigma_old = s->mat.sigma, T_start = s->fur.T_s;
    sim_furnace_step(&s->fur, &s->p, t_old, h);
    double T_step = s->fur.settled ? s->fur.T_s : 0.5 * (T_start + s->fur.T_s);
    if (s->fur.settled || fabs(T_step - s->T_mat) > T_MAT_STEP_K)
        sim_set_T_mat(s, T_step);
    sim_material_step(&s->mat, h, s->T_mat, sim_strain_seen(s, t_new));
    s->t = t_new;
    s->dt_jump += h;

    if (s->osc_on && !s->osc_fast)
        sim_osc_step(s, t_old, sigma_old, h, osc_node_reached);
    /* Aging: note when the sample reaches its new temperature. */
    if (s->aging_armed && isnan(s->arrive_t) && s->fur.heater_on &&
        fabs(s->fur.T_s - s->fur.T_set) <= s->p.stable_band_K)
        s->arrive_t = s->t;
    sim_check_faults(s);
}

void sim_run_to(sim *s, double t_end)
{
    s->fault_event = false;
    for (;;) {
        emit_due_samples(s);
        if (s->fault_event || s->heater_fault)
            break;
        if (s->acq_on && s->count >= SIM_BUF_CAP)
            break;
        if (s->t >= t_end)
            break;
        if (s->osc_on && !s->osc_fast && s->osc_steady > 0 && s->osc_cycles >= s->osc_steady)
            sim_osc_enter_fast(s);
        double t_next = t_end;
        bool osc_hit = false;
        if (s->acq_on && s->next_sample < t_next)
            t_next = s->next_sample;
        if (s->osc_on && !s->osc_fast) {
            double tn = s->osc_n0 + (double)s->osc_j / (s->osc_f * SIM_OSC_NODES);
            if (tn <= t_next) {
                t_next = tn;
                osc_hit = true;
            }
        }
        double fmax_h = sim_furnace_max_step(&s->fur, &s->p);
        if (s->t + fmax_h < t_next) {
            t_next = s->t + fmax_h;
            osc_hit = false;
        }
        double tf;
        if (s->break_at > 0 && !s->broken && (tf = s->break_at + s->t_zero) < t_next) {
            t_next = tf;
            osc_hit = false;
        }
        if (s->heater_at > 0 && !s->heater_fault &&
            (tf = s->heater_at + s->t_zero) < t_next) {
            t_next = tf;
            osc_hit = false;
        }
        /* graded mesh after the last jump, in explicit step lengths */
        double hg = fmax(first_step(s), GRADE * s->dt_jump);
        if (s->t + hg < t_next) {
            step(s, hg, s->t + hg, false);
            continue;
        }
        double h = t_next - s->t;
        if (h <= 0) { /* below the resolution of t: nudge */
            t_next = nextafter(s->t, INFINITY);
            h = t_next - s->t;
        }
        step(s, h, t_next, osc_hit);
    }
}
