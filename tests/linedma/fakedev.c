/* fakedev.c - see fakedev.h. */
#include "fakedev.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fake {
    double t, T, T_set, rate_K_per_min, strain, t0, acq_rate, next_sample;
    bool heater, sampling, osc, t0_valid;
    double overload_MPa, break_at_s;
    bool heater_fault, broken, overload;
    int pending_errors; /* "fake.queue_errors": 301 entries to hand out */
    double t0_delay;    /* "fake.t0_delay_s": a step reaches its target this late */
    double step_to, step_at; /* the step under way: strain, when it is done */
    bool stepping;
    int idn_len;        /* "fake.idn_len": *IDN? this long */
    bool unsupported;   /* "fake.unsupported": no DCANT/COMP clamp, no oscillation */
    rr_sample *buf;
    size_t n, cap;
    char err[128];
} fake;

double fakedev_stress(double e, double dt_s)
{
    return FAKE_E_MPA * e * (0.9 + 0.1 * exp(-dt_s / FAKE_TAU_S));
}

size_t fakedev_count_off(const rr_sample *s, size_t n, double e, double t0_s, size_t *checked)
{
    const double wire_time_s = 1e-6;                            /* %.6f */
    const double slope_MPa_per_s = FAKE_E_MPA * fabs(e) * 0.1 / FAKE_TAU_S;
    size_t bad = 0;
    *checked = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].strain != e || s[i].t_s <= t0_s)
            continue;
        ++*checked;
        double want = fakedev_stress(e, s[i].t_s - t0_s);
        double tol = slope_MPa_per_s * wire_time_s + 1e-9 * fabs(want);
        if (fabs(s[i].stress_MPa - want) > tol)
            bad++;
    }
    return bad;
}

static double stress(fake *f, double t)
{
    if (f->broken)
        return 0;
    return fakedev_stress(f->strain, t - f->t0);
}

static rr_status f_identify(void *c, char *b, size_t l)
{
    fake *f = c;
    snprintf(b, l, "FAKE,DMA-0,SN1,0.1");
    /* "FAKE,DMA-0,SN1,0.1-tuvw...": a long firmware field */
    size_t n = strlen(b);
    for (; (int)n < f->idn_len && n + 1 < l; n++)
        b[n] = n == 18 ? '-' : (char)('a' + n % 26);
    b[n] = '\0';
    return RR_OK;
}
static rr_status f_limits(void *c, rr_limits *o)
{
    (void)c;
    *o = (rr_limits){280, 600, 0.02, 20, 0.01, 100};
    return RR_OK;
}
static rr_status f_reset(void *c)
{
    fake *f = c;
    f->strain = 0;
    f->sampling = f->osc = f->heater = f->t0_valid = f->stepping = false;
    f->n = 0;
    f->overload = false;
    return RR_OK;
}
static rr_status f_now(void *c, double *t) { *t = ((fake *)c)->t; return RR_OK; }

static void step(fake *f, double t)
{
    double dt = t - f->t;
    if (f->heater && !f->heater_fault) {
        double dT = f->rate_K_per_min / 60 * dt;
        if (fabs(f->T_set - f->T) <= dT) f->T = f->T_set;
        else f->T += f->T_set > f->T ? dT : -dT;
    }
    f->t = t;
    if (f->stepping && t >= f->step_at) { /* the step is done: its t0 is known now */
        f->stepping = false;
        f->strain = f->step_to;
        f->t0 = f->step_at;
        f->t0_valid = true;
    }
    if (t >= f->break_at_s && f->strain != 0)
        f->broken = true;
    if (fabs(stress(f, t)) > f->overload_MPa) {
        f->overload = true;
        f->strain = 0;
    }
}

static rr_status f_advance(void *c, double t, double *now)
{
    fake *f = c;
    while (f->sampling && f->next_sample <= t) {
        if (f->n == f->cap) { *now = f->t; return RR_OK; } /* buffer full: stop early */
        step(f, f->next_sample);
        f->buf[f->n++] = (rr_sample){f->t, f->T, f->strain, stress(f, f->t)};
        f->next_sample += 1.0 / f->acq_rate;
    }
    if (t > f->t)
        step(f, t);
    *now = f->t;
    return RR_OK;
}
static rr_status f_status(void *c, unsigned *b)
{
    fake *f = c;
    *b = (f->sampling ? 4u : 0u) | (f->osc ? 8u : 0u) | (f->heater_fault ? 16u : 0u) |
         (f->overload ? 32u : 0u) | (f->broken ? 64u : 0u) | (f->stepping ? 0u : 2u);
    return RR_OK;
}
static rr_status f_next_error(void *c, int *code, char *m, size_t l)
{
    fake *f = c;
    if (f->pending_errors > 0) {
        f->pending_errors--;
        *code = 301;
        snprintf(m, l, "Temperature limit");
        return RR_OK;
    }
    *code = 0;
    snprintf(m, l, "No error");
    return RR_OK;
}
static rr_status f_clamp(void *c, rr_clamp m)
{
    fake *f = c;
    return f->unsupported && m >= RR_CLAMP_DUAL_CANTILEVER ? RR_ERR_UNSUPPORTED : RR_OK;
}
static rr_status f_geom(void *c, const rr_geometry *g) { (void)c; (void)g; return RR_OK; }
static rr_status f_rate(void *c, double r) { ((fake *)c)->rate_K_per_min = r; return RR_OK; }
static rr_status f_temp(void *c, double T) { fake *f = c; f->T_set = T; f->heater = true; return RR_OK; }
static rr_status f_rtemp(void *c, double *T) { *T = ((fake *)c)->T; return RR_OK; }
static rr_status f_stby(void *c) { ((fake *)c)->heater = false; return RR_OK; }
static rr_status f_strain(void *c, double e)
{
    fake *f = c;
    if (f->t0_delay > 0) { /* answered at once, done (and t0 known) later */
        f->stepping = true;
        f->step_to = e;
        f->step_at = f->t + f->t0_delay;
        return RR_OK;
    }
    f->strain = e;
    f->t0 = f->t;
    f->t0_valid = true;
    return RR_OK;
}
static rr_status f_rstrain(void *c, double *e) { *e = ((fake *)c)->strain; return RR_OK; }
static rr_status f_t0(void *c, double *t) { *t = ((fake *)c)->t0; return RR_OK; }
static rr_status f_rstress(void *c, double *s) { fake *f = c; *s = stress(f, f->t); return RR_OK; }
static rr_status f_osc_set(void *c, double fr, double a)
{
    (void)fr;
    (void)a;
    return ((fake *)c)->unsupported ? RR_ERR_UNSUPPORTED : RR_OK;
}
static rr_status f_osc(void *c, bool on) { ((fake *)c)->osc = on; return RR_OK; }
static rr_status f_meas(void *c, rr_dynamic *o) { (void)c; *o = (rr_dynamic){1, 40000, 400, 0.01}; return RR_OK; }
static rr_status f_acq_rate(void *c, double r) { ((fake *)c)->acq_rate = r; return RR_OK; }
static rr_status f_acq_start(void *c)
{
    fake *f = c;
    f->sampling = true;
    f->n = 0;
    f->next_sample = f->t + 1.0 / f->acq_rate;
    return RR_OK;
}
static rr_status f_acq_stop(void *c) { ((fake *)c)->sampling = false; return RR_OK; }
static rr_status f_acq_read(void *c, rr_sample *b, size_t max, size_t *n)
{
    fake *f = c;
    size_t k = f->n < max ? f->n : max;
    memcpy(b, f->buf, k * sizeof *b);
    memmove(f->buf, f->buf + k, (f->n - k) * sizeof *b);
    f->n -= k;
    *n = k;
    return RR_OK;
}
static rr_status f_sim_set(void *c, const char *key, double v)
{
    fake *f = c;
    if (strcmp(key, "fault.overload_MPa") == 0) f->overload_MPa = v;
    else if (strcmp(key, "fault.break_at_s") == 0) f->break_at_s = v;
    else if (strcmp(key, "fault.heater") == 0) f->heater_fault = v != 0;
    else if (strcmp(key, "fake.queue_errors") == 0) f->pending_errors = (int)v;
    else if (strcmp(key, "fake.t0_delay_s") == 0) f->t0_delay = v;
    else if (strcmp(key, "fake.idn_len") == 0) f->idn_len = (int)v;
    else if (strcmp(key, "fake.unsupported") == 0) f->unsupported = v != 0;
    else return RR_ERR_ARG;
    return RR_OK;
}
static const char *f_last_error(void *c) { return ((fake *)c)->err; }
static void f_close(void *c)
{
    fake *f = c;
    if (f) free(f->buf);
    free(f);
}

static const rr_instrument_ops fake_ops = {
    .name = "fake", .identify = f_identify, .get_limits = f_limits, .reset = f_reset,
    .now = f_now, .advance = f_advance, .get_status = f_status, .next_error = f_next_error,
    .set_clamp = f_clamp, .set_geometry = f_geom, .set_temp_rate = f_rate, .set_temp = f_temp,
    .read_temp = f_rtemp, .heater_standby = f_stby, .set_strain = f_strain,
    .read_strain = f_rstrain, .strain_t0 = f_t0, .read_stress = f_rstress,
    .osc_set = f_osc_set, .osc_enable = f_osc, .osc_measure = f_meas,
    .acq_set_rate = f_acq_rate, .acq_start = f_acq_start, .acq_stop = f_acq_stop,
    .acq_read = f_acq_read, .sim_set = f_sim_set, .last_error = f_last_error, .close = f_close,
};

rr_status fakedev_open(rr_instrument **out)
{
    fake *f = calloc(1, sizeof *f);
    rr_instrument *in = calloc(1, sizeof *in);
    if (!f || !in) {
        free(f);
        free(in);
        return RR_ERR_NOMEM;
    }
    f->cap = 4096;
    f->buf = malloc(f->cap * sizeof *f->buf);
    f->T = f->T_set = 295;
    f->rate_K_per_min = 5;
    f->acq_rate = 10;
    f->overload_MPa = 1e9;
    f->break_at_s = INFINITY;
    in->ops = &fake_ops;
    in->ctx = f;
    in->virtual_time = true;
    snprintf(in->spec, sizeof in->spec, "fake");
    *out = in;
    return RR_OK;
}
