/* sim.c - the simulated DMA behind the rr_instrument vtable: the callbacks
 * (with the line protocol's checks and status bits) and opening from a
 * preset.  The instrument's state is struct sim (sim_internal.h); time
 * advances in run.c, the oscillation in osc.c, the load cell in loadcell.c,
 * the material in material.c, the furnace in furnace.c, the parameters in
 * preset.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim_internal.h"

#ifndef RR_SIM_PRESETS_DIR
#define RR_SIM_PRESETS_DIR "drivers/sim/presets"
#endif

static rr_status fail(sim *s, rr_status st, const char *msg)
{
    snprintf(s->err, sizeof s->err, "%s", msg);
    return st;
}

/* ---- vtable callbacks ----------------------------------------------------- */

#define HEATER_GUARD(s)                                             \
    do {                                                            \
        if ((s)->heater_fault)                                      \
            return fail((s), RR_ERR_INSTRUMENT, "Heater fault");    \
    } while (0)

static rr_status sim_identify(void *ctx, char *buf, size_t len)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    snprintf(buf, len, "relaxrun,SIM-DMA,%s,0.1.0", s->name);
    return RR_OK;
}

static rr_status sim_get_limits(void *ctx, rr_limits *out)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    *out = (rr_limits){
        .temp_min_K = s->p.temp_min_K,
        .temp_max_K = s->p.temp_max_K,
        .strain_max = s->p.strain_max,
        .rate_max_K_per_min = s->p.rate_max_K_per_min,
        .freq_min_Hz = s->p.freq_min_Hz,
        .freq_max_Hz = s->p.freq_max_Hz,
    };
    return RR_OK;
}

static rr_status sim_reset(void *ctx)
{
    sim *s = ctx;
    sim_osc_leave_fast(s);
    s->osc_on = false;
    s->acq_on = false;
    s->head = s->count = 0;
    s->overflow = false;
    sim_drive_strain(s, 0, false);
    s->overload = false;
    sim_furnace_standby(&s->fur, s->t);
    s->t_zero = s->t;
    s->strain_t0 = 0;
    if (s->heater_fault)
        return fail(s, RR_ERR_INSTRUMENT, "Heater fault");
    return RR_OK;
}

static rr_status sim_now(void *ctx, double *t_s)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    *t_s = sim_dev_time(s);
    return RR_OK;
}

static rr_status sim_advance(void *ctx, double t_s, double *now_s)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    if (!isfinite(t_s))
        return fail(s, RR_ERR_ARG, "advance: time is not finite");
    sim_run_to(s, t_s + s->t_zero); /* stops early at a fault or a full buffer */
    *now_s = sim_dev_time(s);
    HEATER_GUARD(s);
    return RR_OK;
}

static rr_status sim_get_status(void *ctx, unsigned *bits)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    unsigned b = 0;
    if (sim_furnace_stable(&s->fur, &s->p, s->t))
        b |= RR_STAT_TEMP_STABLE;
    if (!s->overload)
        b |= RR_STAT_STRAIN_AT_SET;
    if (s->acq_on)
        b |= RR_STAT_SAMPLING;
    if (s->osc_on)
        b |= RR_STAT_OSCILLATING;
    if (s->heater_fault)
        b |= RR_STAT_HEATER_FAULT;
    if (s->overload)
        b |= RR_STAT_OVERLOAD;
    if (s->broken)
        b |= RR_STAT_BROKEN;
    if (s->overflow)
        b |= RR_STAT_OVERFLOW;
    *bits = b;
    return RR_OK;
}

static rr_status sim_next_error(void *ctx, int *code, char *msg, size_t len)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    if (s->qn == 0) {
        *code = 0;
        if (msg && len)
            snprintf(msg, len, "No error");
        return RR_OK;
    }
    *code = s->q[0].code;
    if (msg && len)
        snprintf(msg, len, "%s", s->q[0].msg);
    memmove(&s->q[0], &s->q[1], (s->qn - 1) * sizeof s->q[0]);
    s->qn--;
    return RR_OK;
}

static rr_status busy_for_config(sim *s)
{
    if (s->eps_static != 0 || s->acq_on || s->osc_on)
        return fail(s, RR_ERR_STATE,
                    "Settings conflict: clamp and geometry need strain 0, no sampling, no oscillation");
    return RR_OK;
}

static rr_status sim_set_clamp(void *ctx, rr_clamp mode)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    rr_status st = busy_for_config(s);
    if (st != RR_OK)
        return st;
    s->clamp = mode;
    return RR_OK;
}

static rr_status sim_set_geometry(void *ctx, const rr_geometry *g)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    if (!g || !(g->length_mm > 0) || !(g->width_mm > 0) || !(g->thickness_mm > 0) ||
        !isfinite(g->length_mm + g->width_mm + g->thickness_mm))
        return fail(s, RR_ERR_RANGE, "Data out of range: geometry lengths must be > 0 mm");
    rr_status st = busy_for_config(s);
    if (st != RR_OK)
        return st;
    s->geom = *g;
    return RR_OK;
}

static rr_status sim_set_temp_rate(void *ctx, double K_per_min)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    if (!(K_per_min > 0 && K_per_min <= s->p.rate_max_K_per_min))
        return fail(s, RR_ERR_RANGE, "Data out of range: temperature rate");
    s->fur.rate_K_per_s = K_per_min / 60;
    return RR_OK;
}

static rr_status sim_set_temp(void *ctx, double T_K)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    if (!(T_K >= s->p.temp_min_K && T_K <= s->p.temp_max_K))
        return fail(s, RR_ERR_RANGE, "Data out of range: temperature setpoint");
    /* A new thermal history re-arms the aging effect. */
    if (!s->fur.heater_on || fabs(T_K - s->fur.T_set) >= s->p.aging_arm_K) {
        if (fabs(T_K - s->fur.T_s) >= s->p.aging_arm_K) {
            s->aging_armed = true;
            s->arrive_t = NAN;
        }
    }
    sim_furnace_set(&s->fur, T_K, s->t);
    s->fur.band_since = s->t;
    return RR_OK;
}

static rr_status sim_read_temp(void *ctx, double *T_K)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    *T_K = sim_measured_temp(s, false);
    return RR_OK;
}

static rr_status sim_heater_standby(void *ctx)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    sim_furnace_standby(&s->fur, s->t);
    return RR_OK;
}

static rr_status sim_set_strain(void *ctx, double strain)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    double amp = s->osc_on ? s->osc_amp : 0;
    if (!isfinite(strain) || fabs(strain) + amp > s->p.strain_max)
        return fail(s, RR_ERR_RANGE, "Data out of range: strain");
    if (s->overload)
        return fail(s, RR_ERR_STATE, "Settings conflict: overload (reset first)");
    sim_drive_strain(s, strain, true);
    return RR_OK;
}

static rr_status sim_read_strain(void *ctx, double *strain)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    *strain = sim_applied_strain(s, s->t);
    return RR_OK;
}

static rr_status sim_strain_t0(void *ctx, double *t_s)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    *t_s = s->strain_t0;
    return RR_OK;
}

static rr_status sim_read_stress(void *ctx, double *stress_MPa)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    *stress_MPa = sim_measured_stress(s, false);
    return RR_OK;
}

/* The applied strain may have moved at the present time (an oscillation
 * changed): the material takes the new strain, and a jump larger than
 * JUMP_MIN_STRAIN restarts the graded mesh.  A frequency change keeps the
 * phase, so the strain then moves only by rounding (~1e-18): re-meshing
 * for that cost ~900 steps per change (two thirds of the steps of
 * protocols/dma_spectra.lua), where the stress moves by ~1e-16 of sigma0;
 * any jump below the threshold is below 2e-10 of sigma0 at 0.6 % strain. */
#define JUMP_MIN_STRAIN 1e-12
static void strain_moved(sim *s, double before)
{
    double now = sim_applied_strain(s, s->t);
    if (now == before)
        return;
    sim_material_step(&s->mat, 0, s->T_mat, sim_strain_seen(s, s->t));
    if (fabs(now - before) > JUMP_MIN_STRAIN)
        s->dt_jump = 0;
}

static rr_status sim_osc_set(void *ctx, double freq_Hz, double amplitude)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    if (!(freq_Hz >= s->p.freq_min_Hz && freq_Hz <= s->p.freq_max_Hz))
        return fail(s, RR_ERR_RANGE, "Data out of range: oscillation frequency");
    if (!(amplitude > 0) || !isfinite(amplitude))
        return fail(s, RR_ERR_RANGE, "Data out of range: oscillation amplitude must be > 0");
    if (s->osc_on && fabs(s->eps_static) + amplitude > s->p.strain_max)
        return fail(s, RR_ERR_RANGE, "Data out of range: strain + amplitude");
    if (s->osc_on) {
        sim_osc_leave_fast(s);
        double before = sim_applied_strain(s, s->t);
        sim_osc_changed(s, freq_Hz);
        s->osc_amp = amplitude;
        strain_moved(s, before); /* an amplitude jump, or rounding */
    } else {
        s->osc_f = freq_Hz;
        s->osc_amp = amplitude;
    }
    return RR_OK;
}

static rr_status sim_osc_enable(void *ctx, bool on)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    if (on == s->osc_on)
        return RR_OK;
    sim_osc_leave_fast(s);
    if (on) {
        if (!(s->osc_f > 0 && s->osc_amp > 0))
            return fail(s, RR_ERR_STATE, "Settings conflict: set frequency and amplitude first");
        if (fabs(s->eps_static) + s->osc_amp > s->p.strain_max)
            return fail(s, RR_ERR_RANGE, "Data out of range: strain + amplitude");
        s->osc_on = true;
        s->osc_t0 = s->osc_n0 = s->t; /* phase 0: the strain is continuous */
        s->osc_j = 1;
        s->osc_cycles = 0;
        memset(&s->cyc, 0, sizeof s->cyc);
    } else {
        double before = sim_applied_strain(s, s->t);
        s->osc_on = false;
        strain_moved(s, before); /* the oscillation's present value drops */
    }
    return RR_OK;
}

static rr_status sim_osc_measure(void *ctx, rr_dynamic *out)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    if (!s->osc_on || s->osc_cycles < 3)
        return fail(s, RR_ERR_NOT_READY, "Data not ready: fewer than 3 cycles since the last change");
    double E1, E2;
    sim_osc_result(s, &E1, &E2);
    *out = (rr_dynamic){.freq_Hz = s->osc_f, .storage_MPa = E1, .loss_MPa = E2,
                        .tan_delta = E2 / E1};
    return RR_OK;
}

static rr_status sim_acq_set_rate(void *ctx, double rate_Hz)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    if (!(rate_Hz >= 0.1 && rate_Hz <= 100))
        return fail(s, RR_ERR_RANGE, "Data out of range: sampling rate is 0.1 to 100 Hz");
    s->acq_rate = rate_Hz;
    if (s->acq_on) { /* a new grid from the next sample on */
        s->grid_t0 = s->next_sample;
        s->grid_k = 0;
    }
    return RR_OK;
}

static rr_status sim_acq_start(void *ctx)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    s->head = s->count = 0;
    s->overflow = false;
    s->acq_on = true;
    s->grid_t0 = s->next_sample = s->t;
    s->grid_k = 0;
    return RR_OK;
}

static rr_status sim_acq_stop(void *ctx)
{
    sim *s = ctx;
    HEATER_GUARD(s);
    s->acq_on = false;
    return RR_OK;
}

static rr_status sim_acq_read(void *ctx, rr_sample *buf, size_t max, size_t *n)
{
    sim *s = ctx;
    /* No heater guard here: a host polling a real device has fetched the
     * samples taken before the fault; in virtual time they are still in
     * this buffer, and refusing them would lose a whole advance of data. */
    size_t k = max < s->count ? max : s->count;
    for (size_t i = 0; i < k; i++)
        buf[i] = s->buf[(s->head + i) % SIM_BUF_CAP];
    s->head = (s->head + k) % SIM_BUF_CAP;
    s->count -= k;
    s->overflow = false;
    *n = k;
    return RR_OK;
}

static rr_status sim_sim_set(void *ctx, const char *key, double value)
{
    sim *s = ctx;
    if (!key)
        return fail(s, RR_ERR_ARG, "sim_set: no key");
    if (!isfinite(value)) {
        snprintf(s->err, sizeof s->err, "key '%s': value is not finite", key);
        return RR_ERR_RANGE;
    }
    if (strcmp(key, "noise") == 0) { /* MPa rms; 0 turns noise and drift off */
        if (value < 0) {
            snprintf(s->err, sizeof s->err, "key 'noise': %g must be >= 0", value);
            return RR_ERR_RANGE;
        }
        s->noise_on = value > 0;
        if (value > 0)
            s->p.noise_MPa = value;
        return RR_OK;
    }
    if (strcmp(key, "osc.steady_cycles") == 0) {
        if (value < 0) {
            snprintf(s->err, sizeof s->err, "key '%s': %g must be >= 0 (0: never)", key, value);
            return RR_ERR_RANGE;
        }
        sim_osc_leave_fast(s);
        s->osc_steady = value;
        if (s->osc_on)
            sim_osc_changed(s, s->osc_f);
        return RR_OK;
    }
    if (strcmp(key, "fault.break_at_s") == 0) {
        s->break_at = value;
        sim_check_faults(s); /* a time already past breaks it now */
        return RR_OK;
    }
    if (strcmp(key, "fault.heater") == 0) {
        if (value != 0) {
            s->heater_at = 0;
            if (!s->heater_fault) {
                s->heater_fault = s->fur.heater_fault = true;
                s->fur.settled = false;
                sim_queue_error(s, 320, "Heater fault");
            }
        } else {
            s->heater_fault = s->fur.heater_fault = false;
            s->fur.settled = false;
        }
        return RR_OK;
    }
    if (strcmp(key, "fault.heater_at_s") == 0) {
        s->heater_at = value;
        sim_check_faults(s);
        return RR_OK;
    }
    if (strcmp(key, "fault.overload_MPa") == 0) {
        if (value < 0) {
            snprintf(s->err, sizeof s->err, "key '%s': %g must be >= 0 (0: the load cell's own range)",
                     key, value);
            return RR_ERR_RANGE;
        }
        s->overload_MPa = value;
        sim_check_faults(s); /* a range below the present stress trips now */
        return RR_OK;
    }
    sim_params trial = s->p;
    rr_status st = sim_params_set(&trial, key, value, s->err, sizeof s->err);
    if (st != RR_OK)
        return st;
    if (strncmp(key, "material.", 9) == 0) {
        /* New material constants: keep the strain history (the internal
         * strains), recompute the modes and the stress. */
        if (s->osc_fast) {
            sim_osc_leave_fast(s);
            sim_osc_changed(s, s->osc_f);
        }
        sim_material m2 = s->mat;
        st = sim_material_init(&m2, &trial, true);
        if (st != RR_OK)
            return fail(s, st, "material: Prony fit failed");
        s->mat = m2;
        s->h0_T = -1; /* first_step() depends on the material */
        if (trial.chi != s->p.chi) { /* new modes, relaxed: strain it now */
            sim_material_step(&s->mat, 0, s->T_mat, sim_strain_seen(s, s->t));
            s->dt_jump = 0;
        }
    }
    if (strcmp(key, "furnace.rate_K_per_min") == 0)
        s->fur.rate_K_per_s = value / 60;
    if (strncmp(key, "sample.", 7) == 0) {
        s->geom = (rr_geometry){trial.length_mm, trial.width_mm, trial.thickness_mm};
    }
    s->p = trial;
    s->fur.settled = false; /* furnace constants may have changed */
    return RR_OK;
}

static const char *sim_last_error(void *ctx)
{
    sim *s = ctx;
    return s->err;
}

static void sim_close(void *ctx)
{
    sim *s = ctx;
    if (!s)
        return;
    free(s->buf);
    free(s);
}

static const rr_instrument_ops sim_ops = {
    .name = "sim",
    .identify = sim_identify,
    .get_limits = sim_get_limits,
    .reset = sim_reset,
    .now = sim_now,
    .advance = sim_advance,
    .get_status = sim_get_status,
    .next_error = sim_next_error,
    .set_clamp = sim_set_clamp,
    .set_geometry = sim_set_geometry,
    .set_temp_rate = sim_set_temp_rate,
    .set_temp = sim_set_temp,
    .read_temp = sim_read_temp,
    .heater_standby = sim_heater_standby,
    .set_strain = sim_set_strain,
    .read_strain = sim_read_strain,
    .strain_t0 = sim_strain_t0,
    .read_stress = sim_read_stress,
    .osc_set = sim_osc_set,
    .osc_enable = sim_osc_enable,
    .osc_measure = sim_osc_measure,
    .acq_set_rate = sim_acq_set_rate,
    .acq_start = sim_acq_start,
    .acq_stop = sim_acq_stop,
    .acq_read = sim_acq_read,
    .sim_set = sim_sim_set,
    .last_error = sim_last_error,
    .close = sim_close,
};

/* ---- opening -------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

rr_status rr_sim_preset_path(const char *preset, const char *presets_dir,
                             char *path, size_t len)
{
    if (!preset || !*preset)
        preset = RR_SIM_DEFAULT_PRESET;
    if (ends_with(preset, ".yaml") || ends_with(preset, ".yml")) {
        if ((size_t)snprintf(path, len, "%s", preset) >= len)
            return RR_ERR_RANGE;
        return RR_OK;
    }
    for (const char *c = preset; *c; c++) /* a name, not a path */
        if (*c == '/' || *c == '\\')
            return RR_ERR_ARG;
    if (!presets_dir)
        presets_dir = RR_SIM_PRESETS_DIR;
    if ((size_t)snprintf(path, len, "%s/%s.yaml", presets_dir, preset) >= len)
        return RR_ERR_RANGE;
    return RR_OK;
}

rr_status rr_sim_open(const char *preset, const rr_open_options *opt,
                      rr_instrument **out, char *err, size_t errlen)
{
    char path[1024], e2[2048] = "";
    *out = NULL;
    rr_status st = rr_sim_preset_path(preset, opt ? opt->presets_dir : NULL, path,
                                      sizeof path);
    if (st != RR_OK) {
        if (err)
            snprintf(err, errlen, "sim: bad preset name '%s'", preset);
        return st;
    }
    sim *s = calloc(1, sizeof *s);
    rr_instrument *in = calloc(1, sizeof *in);
    if (s)
        s->buf = malloc(SIM_BUF_CAP * sizeof *s->buf);
    if (!s || !in || !s->buf) {
        sim_close(s);
        free(in);
        return RR_ERR_NOMEM;
    }
    sim_params_defaults(&s->p);
    st = sim_params_load(path, &s->p, s->name, sizeof s->name, e2, sizeof e2);
    if (st == RR_OK) {
        st = sim_material_init(&s->mat, &s->p, false);
        if (st != RR_OK)
            snprintf(e2, sizeof e2, "%s: material: Prony fit failed", path);
    }
    if (st != RR_OK) {
        if (err)
            snprintf(err, errlen, "%s", e2);
        sim_close(s);
        free(in);
        return st;
    }
    if (!s->name[0])
        snprintf(s->name, sizeof s->name, "%s", preset ? preset : RR_SIM_DEFAULT_PRESET);
    sim_furnace_init(&s->fur, &s->p, 0);
    s->T_mat = s->fur.T_s;
    s->clamp = (rr_clamp)s->p.clamp;
    s->geom = (rr_geometry){s->p.length_mm, s->p.width_mm, s->p.thickness_mm};
    s->acq_rate = 10;
    s->osc_f = 1;
    s->osc_amp = 1e-4;
    s->osc_steady = 8;
    s->noise_on = opt ? opt->noise : true;
    sim_noise_seed(s, opt ? opt->seed : 1);
    s->arrive_t = NAN;
    snprintf(s->err, sizeof s->err, "no error");

    in->ops = &sim_ops;
    in->ctx = s;
    in->virtual_time = true;
    snprintf(in->spec, sizeof in->spec, "sim:%s", preset ? preset : RR_SIM_DEFAULT_PRESET);
    *out = in;
    return RR_OK;
}
