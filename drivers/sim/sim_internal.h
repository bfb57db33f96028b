/* sim_internal.h - the simulated DMA's parts, shared by the files of
 * drivers/sim (not a public header):
 *   preset.c    parameters, YAML presets, sim_set keys and their ranges
 *   material.c  Eq. (2) as Kelvin modes + dashpot; the O(N*M) stress solver
 *   furnace.c   furnace and sample temperature
 *   sim.c       the rr_instrument vtable and opening
 *   run.c       strain actuator, run loop (virtual clock), faults, aging
 *   osc.c       oscillation: per-cycle fit, steady-state path
 *   loadcell.c  geometry and range, noise and drift
 * Units: s, K, MPa, Hz, K/min, mm; strain dimensionless.
 */
#ifndef RR_SIM_INTERNAL_H
#define RR_SIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "instrument.h"
#include "numeric/prony.h"
#include "status.h"

#define SIM_GAS_R 8.314462618 /* J/(mol K) */

/* ---- parameters (preset.c) ---------------------------------------------- */
typedef struct sim_params {
    /* material: Eq. (2) with Eq. (1) and Arrhenius beta */
    double E_MPa;             /* unrelaxed modulus that scales E_el = 1 */
    double A_beta;            /* beta strength, units of 1/E_el */
    double A_alpha;           /* alpha strength A, units of 1/E_el */
    double chi;               /* stretching / coupling exponent, (0, 1] */
    double E_beta_kJ_per_mol; /* beta activation energy */
    double Tg_K;
    double tau_alpha_Tg_s;    /* tau_alpha at Tg */
    double tau_beta_Tg_s;     /* tau_beta at Tg */
    /* physical aging */
    double aging_amplitude;   /* extra decay as a fraction of sigma0 */
    double aging_tau_s;       /* its time constant */
    double aging_fade_s;      /* amplitude fades as exp(-t_anneal/fade) */
    double aging_arm_K;       /* a setpoint change this large re-arms it */
    /* furnace */
    double ambient_K;
    double rate_K_per_min;    /* default TEMP:RATE */
    double furnace_period_s;  /* natural period of the heater loop */
    double furnace_damping;   /* damping ratio (< 1: overshoot) */
    double sample_lag_s;      /* sample follows the furnace with this lag */
    double cooling_tau_s;     /* heater off: furnace relaxes to ambient */
    double stable_band_K;
    double stable_time_s;
    /* noise */
    double noise_MPa;         /* load-cell noise, rms */
    double drift_MPa;         /* load-cell zero drift, rms */
    double drift_tau_s;       /* its correlation time */
    double temp_noise_K;      /* thermocouple noise, rms */
    /* load frame and sample */
    double clamp;             /* rr_clamp as a number */
    double length_mm, width_mm, thickness_mm;
    double load_cell_max_N;
    /* the instrument's limits */
    double temp_min_K, temp_max_K, strain_max, rate_max_K_per_min;
    double freq_min_Hz, freq_max_Hz;
} sim_params;

/* Built-in defaults for everything outside "material" (which a preset must
 * give in full). */
void sim_params_defaults(sim_params *p);
/* Loads a preset file over the defaults.  Messages: "FILE:LINE: key 'K': why". */
rr_status sim_params_load(const char *path, sim_params *p, char *name,
                          size_t namelen, char *err, size_t errlen);
/* Sets "section.key" (as in the YAML) to v after its range check.  Messages
 * name the key. */
rr_status sim_params_set(sim_params *p, const char *key, double v, char *err,
                         size_t errlen);
/* Cross-field checks (limits ordered etc.). */
/* Checks what no single field's range can: the relaxation times over the
 * temperatures the sample can reach, the Prony series chi needs, the
 * limits' order.  On failure *key (may be NULL) names the key to blame. */
rr_status sim_params_check(const sim_params *p, char *err, size_t errlen,
                           const char **key);

/* ---- material (material.c) ---------------------------------------------- */
#define SIM_MAX_MODES (RR_PRONY_MAX + 1)

typedef struct sim_material {
    /* parameters and derived constants */
    double J0;            /* 1/E, 1/MPa */
    double tau_b0_s;      /* Arrhenius prefactor of tau_beta */
    double Eb_over_R_K;   /* E_beta / R */
    double t0_s;          /* Eq. (1) crossover time (chi < 1) */
    double chi, A_alpha;
    double alpha_over_beta; /* chi = 1: tau_alpha / tau_beta */
    rr_prony prony;       /* KWW as modes in u = t/tau_alpha */
    double prony_chi, prony_A; /* chi and A the fit was made for */
    /* modes: 0 = beta, 1.. = alpha (Prony) */
    size_t n;
    double c[SIM_MAX_MODES];   /* strength, 1/MPa */
    double lam[SIM_MAX_MODES]; /* tau_k = lam_k * tau_beta (k = 0) or tau_alpha */
    double y[SIM_MAX_MODES];   /* internal (Kelvin) strains */
    double eps_dash;           /* dashpot strain */
    double sigma;              /* stress at the last node, MPa */
    double eps;                /* strain at the last node */
    /* coefficient cache for one (h, T) */
    double c_h, c_T;
    double e[SIM_MAX_MODES], cp[SIM_MAX_MODES], cq[SIM_MAX_MODES];
    double dash_h;             /* h / (2 eta) */
    double sum_cq, sum_cp;
    double tau_b_s, tau_a_s;   /* at c_T */
    double min_tau_s;
} sim_material;

/* Sets up the modes for the material parameters (fits the Prony series when
 * chi changed).  Keeps the state only if keep_state. */
rr_status sim_material_init(sim_material *m, const sim_params *p, bool keep_state);
/* Relaxation times at temperature T. */
void sim_material_taus(const sim_material *m, double T_K, double *tau_b_s,
                       double *tau_a_s);
/* Advances by h >= 0 s at temperature T with the strain going linearly to
 * eps_end; returns the stress at the end.  h = 0 is a strain jump. */
double sim_material_step(sim_material *m, double h, double T_K, double eps_end);
/* Creep compliance J(t) from the modes (1/MPa), and the exact Eq. (2). */
/* Modes the KWW Prony series needs for chi and A_alpha (the solver has
 * RR_PRONY_MAX). */
size_t sim_material_prony_modes(double chi, double A_alpha);
double sim_material_J_modes(const sim_material *m, double t_s, double T_K);
double sim_material_J_exact(const sim_params *p, double t_s, double T_K);
/* Complex compliance of the modes at angular frequency w: J' - i J''. */
void sim_material_Jstar(const sim_material *m, double w, double T_K,
                        double *J1, double *J2);

/* Periodic steady state of a strain oscillation amp sin(phase), w = 2 pi f:
 * the complex stress amplitude sigma^ = sr + i si (stress = Re[sigma^ e^{i
 * phase}]), and adding (sign +1) or removing (-1) the periodic part of every
 * mode, the dashpot, the stress and the strain at a phase.  For a linear
 * system the remainder evolves exactly under the static strain alone. */
void sim_material_osc_response(const sim_material *m, double w, double amp, double T_K,
                               double *sr, double *si);
void sim_material_periodic(sim_material *m, double w, double amp, double phase,
                           double T_K, double sign);

/* ---- furnace (furnace.c) ------------------------------------------------ */
typedef struct sim_furnace {
    double T_set;       /* setpoint */
    double T_prog;      /* programmed temperature (ramps at rate) */
    double T_f, v_f;    /* furnace temperature and its rate (K/s) */
    double T_s;         /* sample temperature */
    double rate_K_per_s;
    bool heater_on;
    bool heater_fault;  /* heater cannot follow: behaves as off */
    bool settled;       /* nothing moves: steps can be skipped */
    double band_since;  /* time since which T_s is within the band */
    double set_time;    /* time of the last TEMP:SET */
} sim_furnace;

void sim_furnace_init(sim_furnace *f, const sim_params *p, double t);
void sim_furnace_set(sim_furnace *f, double T_K, double t);
void sim_furnace_standby(sim_furnace *f, double t);
/* Largest step the furnace wants now (inf when settled). */
double sim_furnace_max_step(const sim_furnace *f, const sim_params *p);
void sim_furnace_step(sim_furnace *f, const sim_params *p, double t, double h);
bool sim_furnace_stable(const sim_furnace *f, const sim_params *p, double t);

/* ---- the instrument's state (sim.c, run.c, osc.c, loadcell.c) ---------- */

/* A seeded xoshiro256** stream with a spare normal deviate. */
typedef struct sim_rng {
    uint64_t r[4];
    bool have_spare;
    double spare;
} sim_rng;
#define SIM_BUF_CAP 20000  /* samples (the protocol's buffer) */
#define SIM_QUEUE_CAP 16   /* error queue */
#define SIM_OSC_NODES 64   /* time-domain steps per oscillation period */

/* Per-cycle least-squares fit, basis 1, tau, tau^2, sin, cos. */
#define SIM_OSC_NB 5
typedef struct osc_cycle {
    double G[SIM_OSC_NB][SIM_OSC_NB], bs[SIM_OSC_NB], be[SIM_OSC_NB]; /* normal equations: stress, strain */
} osc_cycle;

typedef struct sim {
    sim_params p;
    sim_material mat;
    sim_furnace fur;
    char name[64];
    char err[512];

    double t, t_zero;       /* absolute time; device clock origin */
    double T_mat;           /* temperature the material is stepped at */
    double h0, h0_T;        /* first step after a jump, cached for T_mat */

    /* strain */
    double eps_static;      /* STRN:SET value */
    double dt_jump;         /* time since the last strain jump, exact */
    double strain_t0;       /* device time of the last STRN:SET */
    rr_clamp clamp;
    rr_geometry geom;

    /* oscillation */
    double osc_f, osc_amp;
    bool osc_on;
    double osc_t0;          /* absolute time of phase 0 */
    double osc_n0;          /* time of the last change: node 0, cycles count from it */
    long osc_j;             /* index of the next node, n0 + j P / SIM_OSC_NODES */
    int osc_cycles;         /* complete cycles since the last change */
    osc_cycle cyc;
    double Ere[2], Eim[2];  /* E* of the last two complete cycles */
    double osc_steady;      /* cycles before the steady-state path (0: never) */
    bool osc_fast;          /* on the steady-state path */
    double fast_sr, fast_si; /* its complex stress amplitude at T_mat */

    /* acquisition */
    double acq_rate;
    bool acq_on;
    double grid_t0;
    long grid_k;
    double next_sample;
    rr_sample *buf;
    size_t head, count;
    bool overflow;

    /* load cell noise (xoshiro256**) */
    bool noise_on;
    /* Noise: an acquired sample's is keyed on (seed, strain steps so far,
     * its index on the sample grid), so that it does not depend on when the
     * host asks for anything: the same seed gives the same curves on the
     * built-in simulator and through the emulator.  Queries (TEMP?, STRS?)
     * draw from their own stream. */
    uint64_t seed;
    unsigned long grid_epoch; /* strain steps that restarted the grid */
    sim_rng rng_queries;
    double drift, drift_t;

    /* error queue */
    struct {
        int code;
        char msg[96];
    } q[SIM_QUEUE_CAP];
    size_t qn;

    /* faults; times are device times, <= 0 means never */
    double break_at, heater_at, overload_MPa;
    bool broken, heater_fault, overload;
    bool fault_event;       /* a fault happened during this advance */

    /* physical aging */
    bool aging_armed;
    double arrive_t;        /* absolute time the sample reached the band */
    bool aging_active;
    double aging_a, aging_t_load, aging_deps, eps_plastic;
} sim;

static inline double sim_dev_time(const sim *s) { return s->t - s->t_zero; }

/* run.c */
void sim_queue_error(sim *s, int code, const char *msg);
/* Strain the material sees at time t, the strain applied (what STRN? and
 * the samples show), and the stress in the material now. */
double sim_strain_seen(const sim *s, double t);
double sim_applied_strain(const sim *s, double t);
double sim_material_sigma(const sim *s);
/* A strain jump now; from_user: a STRN:SET (restarts the sample grid). */
void sim_drive_strain(sim *s, double eps, bool from_user);
/* Fires the faults that are due now (break, heater, overload). */
void sim_check_faults(sim *s);
/* Advances to absolute time t_end; stops early at a fault or a full buffer. */
void sim_run_to(sim *s, double t_end);

/* osc.c */
double sim_osc_strain(const sim *s, double t);
double sim_osc_phase(const sim *s, double t);
void sim_osc_changed(sim *s, double new_f);
void sim_osc_enter_fast(sim *s);
void sim_osc_leave_fast(sim *s);
void sim_set_T_mat(sim *s, double T);
/* Accumulates the step just taken (from t_old to s->t) into the cycle fit. */
void sim_osc_step(sim *s, double t_old, double sigma_old, double h, bool node_reached);
/* E' and E'' for OSC:MEAS? (the caller checks readiness). */
void sim_osc_result(const sim *s, double *E1, double *E2);

/* loadcell.c */
void sim_noise_seed(sim *s, unsigned long seed);
double sim_overload_limit_MPa(const sim *s);
/* Readings with noise; sample: for an acquired sample (else a query). */
double sim_measured_stress(sim *s, bool sample);
double sim_measured_temp(sim *s, bool sample);

#endif
