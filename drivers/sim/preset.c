/* preset.c - simulator parameters: built-in defaults, YAML presets and the
 * sim_set keys, all through one table of fields with their physical ranges,
 * so a preset and a protocol override are checked the same way. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sim_internal.h"
#include "yamlconf.h"

/* Range kinds: value must be > lo (OPEN) or >= lo (CLOSED); likewise hi. */
enum { CLOSED = 0, OPEN = 1 };

typedef struct field {
    const char *section, *key;
    size_t off;
    double lo, hi;
    int lo_kind, hi_kind;
    bool required; /* must appear in a preset file */
} field;

#define F(sec, k, member, lo, lk, hi, hk, req) \
    {sec, k, offsetof(sim_params, member), lo, hi, lk, hk, req}
#define BIG 1e300

static const field fields[] = {
    F("material", "E_MPa", E_MPa, 0, OPEN, BIG, CLOSED, true),
    F("material", "A_beta", A_beta, 0, CLOSED, BIG, CLOSED, true),
    F("material", "A_alpha", A_alpha, 0, OPEN, BIG, CLOSED, true),
    F("material", "chi", chi, 0, OPEN, 1, CLOSED, true),
    F("material", "E_beta_kJ_per_mol", E_beta_kJ_per_mol, 0, OPEN, BIG, CLOSED, true),
    F("material", "Tg_K", Tg_K, 0, OPEN, BIG, CLOSED, true),
    F("material", "tau_alpha_Tg_s", tau_alpha_Tg_s, 0, OPEN, BIG, CLOSED, true),
    F("material", "tau_beta_Tg_s", tau_beta_Tg_s, 0, OPEN, BIG, CLOSED, true),
    F("aging", "amplitude", aging_amplitude, 0, CLOSED, 0.5, CLOSED, false),
    F("aging", "tau_s", aging_tau_s, 0, OPEN, BIG, CLOSED, false),
    F("aging", "fade_s", aging_fade_s, 0, OPEN, BIG, CLOSED, false),
    F("aging", "arm_K", aging_arm_K, 0, CLOSED, BIG, CLOSED, false),
    F("furnace", "ambient_K", ambient_K, 0, OPEN, BIG, CLOSED, false),
    F("furnace", "rate_K_per_min", rate_K_per_min, 0, OPEN, BIG, CLOSED, false),
    /* The furnace is integrated with RK4 in 1 s substeps: time constants
     * below these bounds would make it unstable (and are not physical). */
    F("furnace", "period_s", furnace_period_s, 10, CLOSED, BIG, CLOSED, false),
    F("furnace", "damping", furnace_damping, 0, OPEN, 10, CLOSED, false),
    F("furnace", "sample_lag_s", sample_lag_s, 1, CLOSED, BIG, CLOSED, false),
    F("furnace", "cooling_tau_s", cooling_tau_s, 1, CLOSED, BIG, CLOSED, false),
    F("furnace", "stable_band_K", stable_band_K, 0, OPEN, BIG, CLOSED, false),
    F("furnace", "stable_time_s", stable_time_s, 0, CLOSED, BIG, CLOSED, false),
    F("noise", "stress_MPa", noise_MPa, 0, CLOSED, BIG, CLOSED, false),
    F("noise", "drift_MPa", drift_MPa, 0, CLOSED, BIG, CLOSED, false),
    F("noise", "drift_tau_s", drift_tau_s, 0, OPEN, BIG, CLOSED, false),
    F("noise", "temp_K", temp_noise_K, 0, CLOSED, BIG, CLOSED, false),
    F("sample", "length_mm", length_mm, 0, OPEN, BIG, CLOSED, false),
    F("sample", "width_mm", width_mm, 0, OPEN, BIG, CLOSED, false),
    F("sample", "thickness_mm", thickness_mm, 0, OPEN, BIG, CLOSED, false),
    F("sample", "load_cell_max_N", load_cell_max_N, 0, OPEN, BIG, CLOSED, false),
    F("limits", "temp_min_K", temp_min_K, 0, OPEN, BIG, CLOSED, false),
    F("limits", "temp_max_K", temp_max_K, 0, OPEN, BIG, CLOSED, false),
    F("limits", "strain_max", strain_max, 0, OPEN, 1, CLOSED, false),
    F("limits", "rate_max_K_per_min", rate_max_K_per_min, 0, OPEN, BIG, CLOSED, false),
    F("limits", "freq_min_Hz", freq_min_Hz, 0, OPEN, BIG, CLOSED, false),
    F("limits", "freq_max_Hz", freq_max_Hz, 0, OPEN, BIG, CLOSED, false),
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static const char *const sections[] = {"material", "aging", "furnace", "noise",
                                       "sample", "limits"};

void sim_params_defaults(sim_params *p)
{
    memset(p, 0, sizeof *p);
    p->aging_amplitude = 0;   /* a preset switches aging on */
    p->aging_tau_s = 300;
    p->aging_fade_s = 400;
    p->aging_arm_K = 5;
    p->ambient_K = 295;
    p->rate_K_per_min = 10;
    p->furnace_period_s = 120;
    p->furnace_damping = 0.45;
    p->sample_lag_s = 20;
    p->cooling_tau_s = 900;
    p->stable_band_K = 0.1;
    p->stable_time_s = 60;
    p->noise_MPa = 0.05;
    p->drift_MPa = 0.02;
    p->drift_tau_s = 600;
    p->temp_noise_K = 0.01;
    p->clamp = RR_CLAMP_TENSION;
    p->length_mm = 15;
    p->width_mm = 2;
    p->thickness_mm = 0.03;
    p->load_cell_max_N = 18;
    p->temp_min_K = 123;
    p->temp_max_K = 873;
    p->strain_max = 0.02;
    p->rate_max_K_per_min = 20;
    p->freq_min_Hz = 0.01;
    p->freq_max_Hz = 200;
}

static double *slot(sim_params *p, const field *f)
{
    return (double *)(void *)((char *)p + f->off);
}

static const char *range_text(const field *f, char *buf, size_t len)
{
    if (f->hi >= BIG)
        snprintf(buf, len, "%s %g", f->lo_kind == OPEN ? "must be >" : "must be >=", f->lo);
    else
        snprintf(buf, len, "is outside %c%g, %g%c", f->lo_kind == OPEN ? '(' : '[',
                 f->lo, f->hi, f->hi_kind == OPEN ? ')' : ']');
    return buf;
}

static bool in_range(const field *f, double v)
{
    if (!isfinite(v))
        return false;
    if (f->lo_kind == OPEN ? !(v > f->lo) : !(v >= f->lo))
        return false;
    if (f->hi_kind == OPEN ? !(v < f->hi) : !(v <= f->hi))
        return false;
    return true;
}

static const field *find(const char *section, const char *key)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (strcmp(fields[i].section, section) == 0 && strcmp(fields[i].key, key) == 0)
            return &fields[i];
    return NULL;
}

/* ln tau_beta and ln tau_alpha at T from Eq. (1) and the Arrhenius law, in
 * logarithms so that no parameter set overflows here. */
static void ln_taus(const sim_params *p, double T, double *ln_tb, double *ln_ta)
{
    const double R_kJ = 8.314462618e-3;
    *ln_tb = log(p->tau_beta_Tg_s) + p->E_beta_kJ_per_mol / R_kJ * (1 / T - 1 / p->Tg_K);
    *ln_ta = log(p->tau_alpha_Tg_s) + (*ln_tb - log(p->tau_beta_Tg_s)) / p->chi;
}

rr_status sim_params_check(const sim_params *p, char *err, size_t errlen,
                           const char **key)
{
    const char *dummy;
    if (!key)
        key = &dummy;
    *key = NULL;
    /* The relaxation times over every temperature the sample can reach
     * (the instrument's range, and ambient, where it drifts on standby)
     * must stay between 1e-250 and 1e250 s: beyond, the solver's arithmetic
     * (mode times, their ratios to a step) underflows or overflows.  The
     * bounds are wide so that overriding material constants one at a time
     * cannot trip over a harmless intermediate set. */
    const double T_ends[3] = {p->temp_min_K, p->temp_max_K, p->ambient_K};
    for (int i = 0; i < 3; i++) {
        double ln_tb, ln_ta;
        ln_taus(p, T_ends[i], &ln_tb, &ln_ta);
        double lo = log(1e-250), hi = log(1e250);
        if (!(ln_tb >= lo && ln_tb <= hi && ln_ta >= lo && ln_ta <= hi)) {
            snprintf(err, errlen,
                     "material: E_beta_kJ_per_mol %g, Tg_K %g, tau_beta_Tg_s %g, "
                     "tau_alpha_Tg_s %g and chi %g give tau_beta = %.3g s and tau_alpha = "
                     "%.3g s at %g K (%s), outside 1e-250 to 1e250 s",
                     p->E_beta_kJ_per_mol, p->Tg_K, p->tau_beta_Tg_s, p->tau_alpha_Tg_s,
                     p->chi, exp(fmin(ln_tb, 700)), exp(fmin(ln_ta, 700)), T_ends[i],
                     i == 0 ? "limits.temp_min_K" : i == 1 ? "limits.temp_max_K"
                                                   : "furnace.ambient_K");
            *key = i == 2 ? "furnace.ambient_K" : "material.E_beta_kJ_per_mol";
            return RR_ERR_RANGE;
        }
    }
    /* A small chi stretches the KWW decay over more decades than the
     * solver has modes for (3 a decade, RR_PRONY_MAX in all). */
    size_t modes = sim_material_prony_modes(p->chi, p->A_alpha);
    if (modes > RR_PRONY_MAX) {
        double lo = p->chi, hi = 1; /* the smallest chi that fits, by bisection */
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (sim_material_prony_modes(mid, p->A_alpha) > RR_PRONY_MAX)
                lo = mid;
            else
                hi = mid;
        }
        snprintf(err, errlen,
                 "material: chi %g with A_alpha %g needs %zu Prony modes, the simulator has "
                 "%d: chi must be at least %.3g",
                 p->chi, p->A_alpha, modes, RR_PRONY_MAX, hi);
        *key = "material.chi";
        return RR_ERR_RANGE;
    }
    if (!(p->temp_min_K < p->temp_max_K)) {
        snprintf(err, errlen, "limits: temp_min_K %g must be below temp_max_K %g",
                 p->temp_min_K, p->temp_max_K);
        *key = "limits.temp_min_K";
        return RR_ERR_RANGE;
    }
    if (!(p->freq_min_Hz < p->freq_max_Hz)) {
        snprintf(err, errlen, "limits: freq_min_Hz %g must be below freq_max_Hz %g",
                 p->freq_min_Hz, p->freq_max_Hz);
        *key = "limits.freq_min_Hz";
        return RR_ERR_RANGE;
    }
    if (p->rate_K_per_min > p->rate_max_K_per_min) {
        snprintf(err, errlen, "furnace.rate_K_per_min %g is above limits.rate_max_K_per_min %g",
                 p->rate_K_per_min, p->rate_max_K_per_min);
        *key = "furnace.rate_K_per_min";
        return RR_ERR_RANGE;
    }
    return RR_OK;
}

rr_status sim_params_set(sim_params *p, const char *key, double v, char *err,
                         size_t errlen)
{
    char sec[32];
    const char *dot = strchr(key, '.');
    if (!dot || (size_t)(dot - key) >= sizeof sec) {
        snprintf(err, errlen, "unknown simulator key '%s'", key);
        return RR_ERR_ARG;
    }
    memcpy(sec, key, (size_t)(dot - key));
    sec[dot - key] = 0;
    const field *f = find(sec, dot + 1);
    if (!f) {
        snprintf(err, errlen, "unknown simulator key '%s'", key);
        return RR_ERR_ARG;
    }
    if (!in_range(f, v)) {
        char r[96];
        snprintf(err, errlen, "key '%s': %g %s", key, v, range_text(f, r, sizeof r));
        return RR_ERR_RANGE;
    }
    sim_params trial = *p;
    *slot(&trial, f) = v;
    rr_status st = sim_params_check(&trial, err, errlen, NULL);
    if (st != RR_OK)
        return st;
    *p = trial;
    return RR_OK;
}

/* Loads one section; line[i] gets the line of fields[i] (0: not given). */
static rr_status load_section(rr_yaml *y, yaml_node_t *map, const char *sec,
                              sim_params *p, int *line, char *err, size_t errlen)
{
    yaml_node_t *k, *v;
    if (map->type != YAML_MAPPING_NODE) {
        snprintf(err, errlen, "%s:%d: key '%s': expected a mapping", y->path,
                 rr_yaml_line(map), sec);
        return RR_ERR_PARSE;
    }
    for (size_t i = 0; rr_yaml_pair(y, map, i, &k, &v); i++) {
        const char *name = rr_yaml_str(k);
        char full[96];
        snprintf(full, sizeof full, "%s.%s", sec, name ? name : "?");
        if (name && strcmp(sec, "sample") == 0 && strcmp(name, "clamp") == 0) {
            rr_clamp c;
            if (rr_clamp_parse(rr_yaml_str(v), &c) != RR_OK) {
                snprintf(err, errlen,
                         "%s:%d: key 'sample.clamp': '%s' is not tension, single_cantilever, "
                         "dual_cantilever or compression",
                         y->path, rr_yaml_line(v), rr_yaml_str(v) ? rr_yaml_str(v) : "?");
                return RR_ERR_RANGE;
            }
            p->clamp = c;
            continue;
        }
        const field *f = name ? find(sec, name) : NULL;
        if (!f) {
            snprintf(err, errlen, "%s:%d: unknown key '%s'", y->path,
                     rr_yaml_line(k), full);
            return RR_ERR_PARSE;
        }
        double x;
        char e2[256];
        if (rr_yaml_number(y, v, full, &x, e2, sizeof e2) != RR_OK) {
            snprintf(err, errlen, "%s", e2);
            return RR_ERR_PARSE;
        }
        if (!in_range(f, x)) {
            char r[96];
            snprintf(err, errlen, "%s:%d: key '%s': %g %s", y->path, rr_yaml_line(v),
                     full, x, range_text(f, r, sizeof r));
            return RR_ERR_RANGE;
        }
        *slot(p, f) = x;
        line[f - fields] = rr_yaml_line(v);
    }
    return RR_OK;
}

rr_status sim_params_load(const char *path, sim_params *p, char *name,
                          size_t namelen, char *err, size_t errlen)
{
    rr_yaml *y = NULL;
    rr_status st = rr_yaml_load_file(path, &y, err, errlen);
    if (st != RR_OK)
        return st;
    int line[NFIELDS] = {0};
    yaml_node_t *root = rr_yaml_root(y), *k, *v;
    int sec_line[sizeof sections / sizeof sections[0]];
    if (root->type != YAML_MAPPING_NODE) {
        snprintf(err, errlen, "%s:%d: a preset is a mapping of sections", path,
                 rr_yaml_line(root));
        st = RR_ERR_PARSE;
        goto out;
    }
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        sec_line[i] = rr_yaml_line(root);
    if (name && namelen)
        name[0] = 0;
    for (size_t i = 0; rr_yaml_pair(y, root, i, &k, &v); i++) {
        const char *key = rr_yaml_str(k);
        if (key && (strcmp(key, "name") == 0 || strcmp(key, "description") == 0)) {
            if (!rr_yaml_str(v)) {
                snprintf(err, errlen, "%s:%d: key '%s': expected text", path,
                         rr_yaml_line(v), key);
                st = RR_ERR_PARSE;
                goto out;
            }
            if (strcmp(key, "name") == 0 && name)
                snprintf(name, namelen, "%s", rr_yaml_str(v));
            continue;
        }
        bool known = false;
        for (size_t s = 0; key && s < sizeof sections / sizeof sections[0]; s++)
            if (strcmp(key, sections[s]) == 0) {
                known = true;
                sec_line[s] = rr_yaml_line(k);
            }
        if (!known) {
            snprintf(err, errlen, "%s:%d: unknown key '%s' (sections: material, aging, "
                     "furnace, noise, sample, limits)", path, rr_yaml_line(k),
                     key ? key : "?");
            st = RR_ERR_PARSE;
            goto out;
        }
        st = load_section(y, v, key, p, line, err, errlen);
        if (st != RR_OK)
            goto out;
    }
    for (size_t i = 0; i < NFIELDS; i++) {
        if (fields[i].required && !line[i]) {
            int at = rr_yaml_line(root);
            for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++)
                if (strcmp(sections[s], fields[i].section) == 0)
                    at = sec_line[s];
            snprintf(err, errlen, "%s:%d: missing key '%s.%s'", path, at,
                     fields[i].section, fields[i].key);
            st = RR_ERR_PARSE;
            goto out;
        }
    }
    {
        /* name the line of the key to blame, where the preset gives it */
        char e2[400];
        const char *key = NULL;
        st = sim_params_check(p, e2, sizeof e2, &key);
        int at = 0;
        for (size_t i = 0; st != RR_OK && key && i < NFIELDS; i++) {
            char full[96];
            snprintf(full, sizeof full, "%s.%s", fields[i].section, fields[i].key);
            if (strcmp(full, key) == 0)
                at = line[i];
        }
        if (st != RR_OK && at)
            snprintf(err, errlen, "%s:%d: key '%s': %s", path, at, key, e2);
        else if (st != RR_OK)
            snprintf(err, errlen, "%s: %s", path, e2);
    }
out:
    rr_yaml_free(y);
    return st;
}
