/* osc.c - dynamic mode: the oscillating strain, the per-cycle fit that
 * OSC:MEAS? reports while in the time domain, and the steady-state path for
 * long oscillations (see docs/simulator.md, "Dynamic mode"). */
#include <math.h>
#include <string.h>

#include "sim_internal.h"

double sim_osc_strain(const sim *s, double t)
{
    return s->osc_on ? s->osc_amp * sin(2 * M_PI * s->osc_f * (t - s->osc_t0)) : 0;
}

double sim_osc_phase(const sim *s, double t)
{
    return 2 * M_PI * s->osc_f * (t - s->osc_t0);
}

static void osc_basis(const sim *s, double t, double cycle_start, double b[SIM_OSC_NB])
{
    double ph = 2 * M_PI * s->osc_f * (t - s->osc_t0);
    double tau = (t - cycle_start) * s->osc_f - 0.5; /* -0.5 .. 0.5 */
    b[0] = 1;
    b[1] = tau;
    b[2] = tau * tau;
    b[3] = sin(ph);
    b[4] = cos(ph);
}

static void osc_node(sim *s, double t, double sg, double w, double cycle_start)
{
    double b[SIM_OSC_NB];
    osc_basis(s, t, cycle_start, b);
    double ep = sim_applied_strain(s, t);
    for (int i = 0; i < SIM_OSC_NB; i++) {
        for (int j = 0; j < SIM_OSC_NB; j++)
            s->cyc.G[i][j] += w * b[i] * b[j];
        s->cyc.bs[i] += w * b[i] * sg;
        s->cyc.be[i] += w * b[i] * ep;
    }
}

/* Solves the SIM_OSC_NB x SIM_OSC_NB normal equations (Gaussian elimination, partial
 * pivots). */
static void solve_nb(double G[SIM_OSC_NB][SIM_OSC_NB], const double rhs[SIM_OSC_NB], double x[SIM_OSC_NB])
{
    double a[SIM_OSC_NB][SIM_OSC_NB + 1];
    for (int i = 0; i < SIM_OSC_NB; i++) {
        for (int j = 0; j < SIM_OSC_NB; j++)
            a[i][j] = G[i][j];
        a[i][SIM_OSC_NB] = rhs[i];
    }
    for (int c = 0; c < SIM_OSC_NB; c++) {
        int piv = c;
        for (int r = c + 1; r < SIM_OSC_NB; r++)
            if (fabs(a[r][c]) > fabs(a[piv][c]))
                piv = r;
        for (int j = 0; j <= SIM_OSC_NB; j++) {
            double tmp = a[c][j];
            a[c][j] = a[piv][j];
            a[piv][j] = tmp;
        }
        for (int r = c + 1; r < SIM_OSC_NB; r++) {
            double f = a[r][c] / a[c][c];
            for (int j = c; j <= SIM_OSC_NB; j++)
                a[r][j] -= f * a[c][j];
        }
    }
    for (int i = SIM_OSC_NB - 1; i >= 0; i--) {
        double v = a[i][SIM_OSC_NB];
        for (int j = i + 1; j < SIM_OSC_NB; j++)
            v -= a[i][j] * x[j];
        x[i] = v / a[i][i];
    }
}

/* A cycle ended: fit stress and strain over it to a + b tau + c tau^2 +
 * S sin + C cos (the polynomial absorbs the slow static relaxation) and
 * keep E* = X_sigma / X_eps with X = C - i S. */
static void osc_cycle_done(sim *s)
{
    double xs[SIM_OSC_NB], xe[SIM_OSC_NB];
    solve_nb(s->cyc.G, s->cyc.bs, xs);
    solve_nb(s->cyc.G, s->cyc.be, xe);
    double sr = xs[4], si = -xs[3], er = xe[4], ei = -xe[3];
    double d = er * er + ei * ei;
    s->Ere[0] = s->Ere[1];
    s->Eim[0] = s->Eim[1];
    s->Ere[1] = (sr * er + si * ei) / d;
    s->Eim[1] = (si * er - sr * ei) / d;
    s->osc_cycles++;
}

/* Oscillation was changed at the present time: keep the phase continuous,
 * restart the cycle count. */
void sim_osc_changed(sim *s, double new_f)
{
    double P_old = 1 / s->osc_f;
    double ph = fmod(s->t - s->osc_t0, P_old) / P_old; /* fraction of a cycle */
    s->osc_f = new_f;
    s->osc_t0 = s->t - ph / new_f;
    s->osc_n0 = s->t; /* cycles (and their nodes) count from the change */
    s->osc_j = 1;
    memset(&s->cyc, 0, sizeof s->cyc);
    s->osc_cycles = 0;
}

/* The steady-state path for a long oscillation.  A linear system's state is
 * its periodic steady state plus a remainder that evolves exactly under the
 * static strain alone (transients included).  So, after osc_steady cycles in
 * the time domain, the periodic part is taken out of the mode states and
 * carried in closed form (the same modes' J*(omega) at T_mat); the
 * remainder is stepped without oscillation nodes.  Any change puts the
 * periodic part back first. */
void sim_osc_enter_fast(sim *s)
{
    double w = 2 * M_PI * s->osc_f;
    sim_material_periodic(&s->mat, w, s->osc_amp, sim_osc_phase(s, s->t), s->T_mat, -1);
    sim_material_osc_response(&s->mat, w, s->osc_amp, s->T_mat, &s->fast_sr, &s->fast_si);
    s->osc_fast = true;
}

void sim_osc_leave_fast(sim *s)
{
    if (!s->osc_fast)
        return;
    sim_material_periodic(&s->mat, 2 * M_PI * s->osc_f, s->osc_amp, sim_osc_phase(s, s->t),
                          s->T_mat, +1);
    s->osc_fast = false;
}

/* The material temperature moves: on the steady-state path the periodic
 * part is swapped for the one at the new temperature (exact for a
 * piecewise-constant temperature, for the same reason). */
void sim_set_T_mat(sim *s, double T)
{
    if (T == s->T_mat)
        return;
    if (s->osc_fast) {
        double w = 2 * M_PI * s->osc_f, ph = sim_osc_phase(s, s->t);
        sim_material_periodic(&s->mat, w, s->osc_amp, ph, s->T_mat, +1);
        sim_material_periodic(&s->mat, w, s->osc_amp, ph, T, -1);
        sim_material_osc_response(&s->mat, w, s->osc_amp, T, &s->fast_sr, &s->fast_si);
    }
    s->T_mat = T;
}

void sim_osc_step(sim *s, double t_old, double sigma_old, double h, bool node_reached)
{
    double P = 1 / s->osc_f;
    double cycle_start = s->osc_n0 + floor((s->osc_j - 1) / SIM_OSC_NODES) * P;
    /* trapezoid weights on the step's two nodes */
    osc_node(s, t_old, sigma_old, h / 2, cycle_start);
    osc_node(s, s->t, s->mat.sigma, h / 2, cycle_start);
    if (node_reached) {
        s->osc_j++;
        if ((s->osc_j - 1) % SIM_OSC_NODES == 0) { /* a cycle boundary */
            osc_cycle_done(s);
            memset(&s->cyc, 0, sizeof s->cyc);
        }
    }
}

void sim_osc_result(const sim *s, double *E1, double *E2)
{
    if (s->osc_fast) { /* steady state: the closed form of the same modes */
        double J1, J2;
        sim_material_Jstar(&s->mat, 2 * M_PI * s->osc_f, s->T_mat, &J1, &J2);
        *E1 = J1 / (J1 * J1 + J2 * J2);
        *E2 = J2 / (J1 * J1 + J2 * J2);
        return;
    }
    *E1 = (s->Ere[0] + s->Ere[1]) / 2;
    *E2 = (s->Eim[0] + s->Eim[1]) / 2;
}
