/* lua_fits.c - bindings of the log-time derivative, the two-step fit,
 * KWW, Arrhenius, loss peaks and Eqs. (1)-(2).
 *
 * Curve analyses take either a Series (its stress normalised by the first
 * recorded stress, then cut to the window t_min_s .. t_max_s of the
 * options, t > 0) or two arrays t_s, y followed by the options.
 */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis_lua.h"
#include "eq2.h"
#include "fits.h"
#include "logderiv.h"
#include "lua_internal.h"
#include "series_ops.h"
#include "twostep.h"

/* Reads the curve at idx (Series, or arrays at idx and idx + 1) into
 * buffers owned by a pushed userdata; returns the index of the options. */
static int check_curve(lua_State *L, int idx, const char *who, double **t,
                       double **y, size_t *n)
{
    if (luaL_testudata(L, idx, RR_SERIES_MT)) {
        lua_settop(L, idx + 1); /* buffers go above the options */
        rr_series *s = rr_lua_check_series(L, idx);
        int opts = idx + 1;
        if (!lua_isnoneornil(L, opts))
            luaL_checktype(L, opts, LUA_TTABLE);
        double t0 = rr_lua_opt_number(L, opts, "t_min_s", 0);
        double t1 = rr_lua_opt_number(L, opts, "t_max_s", HUGE_VAL);
        char err[RR_AN_ERRLEN];
        if (rr_series_validate(s, err) != RR_OK)
            luaL_error(L, "%s: %s", who, err);
        if (s->n == 0)
            luaL_error(L, "%s: series '%s' is empty", who, s->label);
        double s0 = s->stress_MPa[0];
        if (s0 == 0)
            luaL_error(L, "%s: series '%s': first stress is 0, cannot normalise",
                       who, s->label);
        size_t m = 0;
        for (size_t i = 0; i < s->n; i++)
            m += s->t_s[i] > 0 && s->t_s[i] >= t0 && s->t_s[i] <= t1;
        double *buf = lua_newuserdatauv(L, (2 * m + 1) * sizeof *buf, 0);
        *t = buf;
        *y = buf + m;
        *n = 0;
        for (size_t i = 0; i < s->n; i++)
            if (s->t_s[i] > 0 && s->t_s[i] >= t0 && s->t_s[i] <= t1) {
                (*t)[*n] = s->t_s[i];
                (*y)[(*n)++] = s->stress_MPa[i] / s0;
            }
        return opts;
    }
    size_t ny;
    lua_settop(L, idx + 2);
    *t = rr_lua_check_array(L, idx, "t_s", n, 0);
    *y = rr_lua_check_array(L, idx + 1, "y", &ny, 0);
    if (ny != *n)
        luaL_error(L, "%s: y has %I values, t_s %I", who, (lua_Integer)ny,
                   (lua_Integer)*n);
    if (!lua_isnoneornil(L, idx + 2))
        luaL_checktype(L, idx + 2, LUA_TTABLE);
    return idx + 2;
}

static void read_deriv_opts(lua_State *L, int opts, rr_logderiv_opts *o)
{
    o->per_decade = rr_lua_opt_number(L, opts, "per_decade", 20);
    o->window_decades = rr_lua_opt_number(L, opts, "window_decades", 0.15);
    o->min_snr = rr_lua_opt_number(L, opts, "min_snr", 5);
    o->min_rel_height = rr_lua_opt_number(L, opts, "min_rel_height", 0.01);
    o->min_abs_height = rr_lua_opt_number(L, opts, "min_abs_height", 1e-6);
    luaL_argcheck(L, o->per_decade > 0 && o->window_decades > 0 && o->min_snr > 0 &&
                      o->min_rel_height > 0 && o->min_abs_height > 0, opts,
                  "per_decade, window_decades, min_snr, min_rel_height, "
                  "min_abs_height must be > 0");
}

/* Sets field at_bound of the table on top: {name = "lower" | "upper"} for
 * each of the k parameters whose side[] is not 0. */
static void set_at_bound(lua_State *L, const int *side, const char *const *names,
                         int k)
{
    lua_createtable(L, 0, k);
    for (int i = 0; i < k; i++)
        if (side[i]) {
            lua_pushstring(L, side[i] < 0 ? "lower" : "upper");
            lua_setfield(L, -2, names[i]);
        }
    lua_setfield(L, -2, "at_bound");
}

static void push_peak(lua_State *L, const rr_logpeak *p)
{
    lua_createtable(L, 0, 6);
    rr_lua_set_number(L, "t_s", p->t_s);
    rr_lua_set_number(L, "height", p->height);
    rr_lua_set_number(L, "prominence", p->prominence);
    rr_lua_set_number(L, "se", p->se);
    rr_lua_set_number(L, "min_after", p->min_after);
    rr_lua_set_boolean(L, "near_edge", p->near_edge);
}

/* an.logderiv(curve [, opts]) -> {t_s, d, se, count, peaks, tau_1_s, ...} */
static int an_logderiv(lua_State *L)
{
    double *t, *y;
    size_t n;
    int opts = check_curve(L, 1, "logderiv", &t, &y, &n);
    rr_logderiv_opts o;
    read_deriv_opts(L, opts, &o);
    rr_logderiv d;
    char err[RR_AN_ERRLEN];
    rr_status st = rr_logderiv_compute(t, y, n, &o, &d, err);
    if (st != RR_OK)
        return rr_lua_raise(L, st, err);
    lua_createtable(L, 0, 10);
    rr_lua_push_array(L, d.t_s, d.m);
    lua_setfield(L, -2, "t_s");
    rr_lua_push_array(L, d.d, d.m);
    lua_setfield(L, -2, "d");
    rr_lua_push_array(L, d.se, d.m);
    lua_setfield(L, -2, "se");
    lua_createtable(L, (int)d.m, 0);
    for (size_t i = 0; i < d.m; i++) {
        lua_pushinteger(L, (lua_Integer)d.count[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "count");
    lua_createtable(L, (int)d.npeaks, 0);
    for (size_t k = 0; k < d.npeaks; k++) {
        push_peak(L, &d.peaks[k]);
        lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    lua_setfield(L, -2, "peaks");
    if (d.npeaks >= 1) {
        rr_lua_set_number(L, "tau_1_s", d.peaks[0].t_s);
        rr_lua_set_boolean(L, "tau_1_near_edge", d.peaks[0].near_edge);
    }
    if (d.npeaks >= 2) {
        rr_lua_set_number(L, "tau_2_s", d.peaks[1].t_s);
        rr_lua_set_boolean(L, "tau_2_near_edge", d.peaks[1].near_edge);
    }
    rr_lua_set_number(L, "t_first_s", d.t_first_s);
    rr_lua_set_number(L, "t_last_s", d.t_last_s);
    lua_pushinteger(L, (lua_Integer)d.undetermined);
    lua_setfield(L, -2, "undetermined");
    rr_logderiv_clear(&d);
    return 1;
}

/* Pushes a k x k matrix (row-major) as an array of rows. */
static void push_matrix(lua_State *L, const double *m, size_t k)
{
    lua_createtable(L, (int)k, 0);
    for (size_t a = 0; a < k; a++) {
        rr_lua_push_array(L, m + a * k, k);
        lua_rawseti(L, -2, (lua_Integer)a + 1);
    }
}

/* an.twostep(curve [, opts]) -> result table (see docs). */
static int an_twostep(lua_State *L)
{
    double *t, *y;
    size_t n;
    int opts = check_curve(L, 1, "twostep", &t, &y, &n);
    rr_twostep_opts o;
    read_deriv_opts(L, opts, &o.deriv);
    o.min_beta_snr = rr_lua_opt_number(L, opts, "min_beta_snr", 10);
    o.min_tau_ratio = rr_lua_opt_number(L, opts, "min_tau_ratio", 100);
    o.max_dip_ratio = rr_lua_opt_number(L, opts, "max_dip_ratio", 0.5);
    luaL_argcheck(L, o.min_beta_snr > 0 && o.min_tau_ratio > 0 && o.max_dip_ratio > 0,
                  opts, "min_beta_snr, min_tau_ratio, max_dip_ratio must be > 0");
    rr_twostep r;
    char err[RR_AN_ERRLEN];
    rr_status st = rr_twostep_fit(t, y, n, &o, &r, err);
    if (st == RR_ERR_NUMERIC)
        return rr_lua_fail(L, err);
    if (st != RR_OK)
        return rr_lua_raise(L, st, err);
    lua_createtable(L, 0, 34);
    static const char *const names[6] = {"a1", "tau_1_s", "a2", "tau_2_s", "beta", "c"};
    double vals[6] = {r.a1, r.tau1_s, r.a2, r.tau2_s, r.beta, r.c};
    for (int k = 0; k < 6; k++) {
        char key[32];
        rr_lua_set_number(L, names[k], vals[k]);
        snprintf(key, sizeof key, "se_%s", names[k]);
        rr_lua_set_number(L, key, r.se[k]);
    }
    push_matrix(L, r.cov, 6);
    lua_setfield(L, -2, "cov");
    rr_lua_set_number(L, "rss", r.rss);
    rr_lua_set_number(L, "noise_rms", r.noise_rms);
    lua_pushinteger(L, (lua_Integer)r.n);
    lua_setfield(L, -2, "n");
    lua_pushinteger(L, (lua_Integer)r.dof);
    lua_setfield(L, -2, "dof");
    rr_lua_set_boolean(L, "converged", r.converged);
    rr_lua_set_boolean(L, "tau_2_at_bound", r.tau2_at_bound);
    static const char *const bnames[3] = {"tau_1_s", "tau_2_s", "beta"};
    set_at_bound(L, r.at_bound, bnames, 3);
    rr_lua_set_number(L, "t_first_s", r.t_first_s);
    rr_lua_set_number(L, "t_last_s", r.t_last_s);
    rr_lua_set_number(L, "beta_visible", r.beta_visible);
    rr_lua_set_number(L, "alpha_visible", r.alpha_visible);
    rr_lua_set_number(L, "beta_peak", r.beta_peak);
    rr_lua_set_number(L, "dip", r.dip);
    rr_lua_set_boolean(L, "tau_1_near_edge", r.tau1_near_edge);
    rr_lua_set_boolean(L, "two_step", r.two_step);
    rr_lua_set_string(L, "verdict", r.verdict);
    return 1;
}

/* an.kww(curve [, {no_offset=}]) */
static int an_kww(lua_State *L)
{
    double *t, *y;
    size_t n;
    int opts = check_curve(L, 1, "kww", &t, &y, &n);
    int no_offset = rr_lua_opt_boolean(L, opts, "no_offset", 0);
    rr_kww r;
    char err[RR_AN_ERRLEN];
    rr_status st = rr_kww_fit(t, y, n, no_offset, &r, err);
    if (st == RR_ERR_NUMERIC)
        return rr_lua_fail(L, err);
    if (st != RR_OK)
        return rr_lua_raise(L, st, err);
    lua_createtable(L, 0, 16);
    rr_lua_set_number(L, "A", r.A);
    rr_lua_set_number(L, "tau_s", r.tau_s);
    rr_lua_set_number(L, "beta", r.beta);
    rr_lua_set_number(L, "c", r.c);
    rr_lua_set_number(L, "se_A", r.se[0]);
    rr_lua_set_number(L, "se_tau_s", r.se[1]);
    rr_lua_set_number(L, "se_beta", r.se[2]);
    rr_lua_set_number(L, "se_c", no_offset ? 0 : r.se[3]);
    push_matrix(L, r.cov, 4);
    lua_setfield(L, -2, "cov");
    rr_lua_set_number(L, "rss", r.rss);
    rr_lua_set_number(L, "noise_rms", r.noise_rms);
    lua_pushinteger(L, (lua_Integer)r.n);
    lua_setfield(L, -2, "n");
    rr_lua_set_boolean(L, "converged", r.converged);
    static const char *const bnames[2] = {"tau_s", "beta"};
    set_at_bound(L, r.at_bound, bnames, 2);
    return 1;
}

/* Reads array field `key` of the table at 1; pushes its buffer. */
static double *field_array(lua_State *L, const char *key, size_t *n, int optional)
{
    lua_getfield(L, 1, key);
    if (lua_isnil(L, -1)) {
        if (!optional)
            luaL_error(L, "field %s (array) missing", key);
        return NULL;
    }
    return rr_lua_check_array(L, -1, key, n, 0);
}

/* an.arrhenius{T_K=, tau_s=, se_tau_s=, absolute=} */
static int an_arrhenius(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t n, m, k = 0;
    double *T = field_array(L, "T_K", &n, 0);
    double *tau = field_array(L, "tau_s", &m, 0);
    double *se = field_array(L, "se_tau_s", &k, 1);
    if (m != n || (se && k != n))
        return luaL_error(L, "arrhenius: T_K, tau_s (and se_tau_s) must have the "
                             "same length");
    rr_arrhenius a;
    char err[RR_AN_ERRLEN];
    rr_status st = rr_arrhenius_fit(T, tau, se, n, rr_lua_opt_boolean(L, 1, "absolute", 0),
                                    &a, err);
    if (st != RR_OK)
        return rr_lua_raise(L, st, err);
    lua_createtable(L, 0, 16);
    rr_lua_set_number(L, "E_kJ_per_mol", a.E_kJ_per_mol);
    rr_lua_set_number(L, "se_E_kJ_per_mol", a.se_E_kJ_per_mol);
    rr_lua_set_number(L, "ln_tau0", a.ln_tau0);
    rr_lua_set_number(L, "se_ln_tau0", a.se_ln_tau0);
    rr_lua_set_number(L, "tau0_s", a.tau0_s);
    push_matrix(L, a.cov, 2);
    lua_setfield(L, -2, "cov");
    rr_lua_set_number(L, "corr", a.corr);
    rr_lua_set_number(L, "a", a.a);
    rr_lua_set_number(L, "se_a", a.se_a);
    rr_lua_set_number(L, "b_K", a.b_K);
    rr_lua_set_number(L, "se_b_K", a.se_b_K);
    rr_lua_set_number(L, "inv_T_mean_per_K", a.xbar_per_K);
    rr_lua_set_number(L, "rss", a.rss);
    lua_pushinteger(L, (lua_Integer)a.n);
    lua_setfield(L, -2, "n");
    lua_pushinteger(L, (lua_Integer)a.dof);
    lua_setfield(L, -2, "dof");
    return 1;
}

/* an.loss_peak{f_Hz=, loss=} or {T_K=, loss=, f_Hz=<number>} */
static int an_loss_peak(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t n, m;
    int tscan = lua_getfield(L, 1, "T_K") != LUA_TNIL;
    lua_pop(L, 1);
    double f_fixed = NAN;
    double *x;
    if (tscan) {
        x = field_array(L, "T_K", &n, 0);
        f_fixed = rr_lua_opt_number(L, 1, "f_Hz", NAN);
        luaL_argcheck(L, f_fixed > 0, 1, "a temperature scan needs f_Hz (a number > 0)");
    } else {
        x = field_array(L, "f_Hz", &n, 0);
    }
    double *y = field_array(L, "loss", &m, 0);
    if (m != n)
        return luaL_error(L, "loss_peak: loss has %I values, the scan %I",
                          (lua_Integer)m, (lua_Integer)n);
    double hw = rr_lua_opt_number(L, 1, "half_width", tscan ? 5 : 0.25 * log(10));
    rr_losspeak p;
    char err[RR_AN_ERRLEN];
    rr_status st = rr_losspeak_find(x, y, n, !tscan, hw, &p, err);
    if (st == RR_ERR_NUMERIC)
        return rr_lua_fail(L, err);
    if (st != RR_OK)
        return rr_lua_raise(L, st, err);
    lua_createtable(L, 0, 9);
    if (tscan) {
        rr_lua_set_number(L, "T_peak_K", p.x_peak);
        rr_lua_set_number(L, "se_T_peak_K", p.se_x_peak);
        rr_lua_set_number(L, "tau_s", 1 / (2 * M_PI * f_fixed));
    } else {
        rr_lua_set_number(L, "f_peak_Hz", p.x_peak);
        rr_lua_set_number(L, "se_f_peak_Hz", p.se_x_peak);
        rr_lua_set_number(L, "tau_s", 1 / (2 * M_PI * p.x_peak));
        rr_lua_set_number(L, "se_tau_s", p.se_x_peak / (2 * M_PI * p.x_peak * p.x_peak));
    }
    rr_lua_set_number(L, "loss_peak", p.y_peak);
    rr_lua_set_boolean(L, "edge", p.edge);
    rr_lua_set_boolean(L, "refined", p.refined);
    lua_pushinteger(L, (lua_Integer)p.index + 1);
    lua_setfield(L, -2, "index");
    lua_pushinteger(L, (lua_Integer)p.used);
    lua_setfield(L, -2, "points_used");
    return 1;
}

/* Reads an Eq. (2) parameter table at idx. */
static rr_eq2 check_eq2(lua_State *L, int idx)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    rr_eq2 p;
    static const char *const k[6] = {"E_el", "A_beta", "tau_beta_s", "A", "tau_alpha_s", "chi"};
    double *v[6] = {&p.E_el, &p.A_beta, &p.tau_beta_s, &p.A, &p.tau_alpha_s, &p.chi};
    for (int i = 0; i < 6; i++) {
        *v[i] = rr_lua_opt_number(L, idx, k[i], NAN);
        if (isnan(*v[i]))
            luaL_error(L, "Eq. (2) parameters: field %s missing", k[i]);
    }
    char err[RR_AN_ERRLEN];
    if (rr_eq2_check(&p, err) != RR_OK)
        luaL_error(L, "%s", err);
    return p;
}

static void push_eq2(lua_State *L, const rr_eq2 *p)
{
    lua_createtable(L, 0, 6);
    rr_lua_set_number(L, "E_el", p->E_el);
    rr_lua_set_number(L, "A_beta", p->A_beta);
    rr_lua_set_number(L, "tau_beta_s", p->tau_beta_s);
    rr_lua_set_number(L, "A", p->A);
    rr_lua_set_number(L, "tau_alpha_s", p->tau_alpha_s);
    rr_lua_set_number(L, "chi", p->chi);
}

/* an.eq2_creep(p, t) -> J (t a number or an array) */
static int an_eq2_creep(lua_State *L)
{
    rr_eq2 p = check_eq2(L, 1);
    if (lua_type(L, 2) == LUA_TNUMBER) {
        double t = lua_tonumber(L, 2);
        luaL_argcheck(L, t >= 0, 2, "t_s must be >= 0");
        lua_pushnumber(L, rr_eq2_creep(&p, t));
        return 1;
    }
    size_t n;
    double *t = rr_lua_check_array(L, 2, "t_s", &n, 0);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        if (!(t[i] >= 0))
            return luaL_error(L, "eq2_creep: t_s[%I] must be >= 0", (lua_Integer)i + 1);
        lua_pushnumber(L, rr_eq2_creep(&p, t[i]));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* an.eq2_relaxation(p, t [, per_decade]) -> E (number or array) */
static int an_eq2_relaxation(lua_State *L)
{
    rr_eq2 p = check_eq2(L, 1);
    double per = luaL_optnumber(L, 3, 40);
    luaL_argcheck(L, per > 0 && per <= 1000, 3, "per_decade must be in (0, 1000]");
    int scalar = lua_type(L, 2) == LUA_TNUMBER;
    size_t n = 1;
    double one, *t = scalar ? (one = lua_tonumber(L, 2), &one)
                            : rr_lua_check_array(L, 2, "t_s", &n, 0);
    double *E = lua_newuserdatauv(L, (n + 1) * sizeof *E, 0);
    char err[RR_AN_ERRLEN];
    rr_status st = rr_eq2_relaxation(&p, t, n, per, E, err);
    if (st != RR_OK)
        return rr_lua_raise(L, st, err);
    if (scalar)
        lua_pushnumber(L, E[0]);
    else
        rr_lua_push_array(L, E, n);
    return 1;
}

/* an.eq2_fit{t_s=, y=, kind="creep"|"relaxation", p0=, fixed=, per_decade=} */
static int an_eq2_fit(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t n, m;
    double *t = field_array(L, "t_s", &n, 0);
    double *y = field_array(L, "y", &m, 0);
    if (m != n)
        return luaL_error(L, "eq2_fit: y has %I values, t_s %I", (lua_Integer)m,
                          (lua_Integer)n);
    const char *kind = rr_lua_opt_string(L, 1, "kind", "creep");
    luaL_argcheck(L, strcmp(kind, "creep") == 0 || strcmp(kind, "relaxation") == 0, 1,
                  "kind must be \"creep\" or \"relaxation\"");
    lua_getfield(L, 1, "p0");
    if (!lua_istable(L, -1))
        return luaL_error(L, "eq2_fit: field p0 (Eq. (2) parameters) missing");
    rr_eq2 p0 = check_eq2(L, lua_gettop(L));
    static const char *const k[6] = {"E_el", "A_beta", "tau_beta_s", "A", "tau_alpha_s", "chi"};
    unsigned char fixed[6] = {0};
    if (lua_getfield(L, 1, "fixed") == LUA_TTABLE)
        for (int i = 0; i < 6; i++) {
            lua_getfield(L, -1, k[i]);
            fixed[i] = (unsigned char)lua_toboolean(L, -1);
            lua_pop(L, 1);
        }
    lua_pop(L, 1);
    rr_eq2fit r;
    char err[RR_AN_ERRLEN];
    rr_status st = rr_eq2_fit(t, y, n, kind[0] == 'r', &p0, fixed,
                              rr_lua_opt_number(L, 1, "per_decade", 20), &r, err);
    if (st == RR_ERR_NUMERIC)
        return rr_lua_fail(L, err);
    if (st != RR_OK)
        return rr_lua_raise(L, st, err);
    lua_createtable(L, 0, 8);
    push_eq2(L, &r.p);
    lua_setfield(L, -2, "p");
    lua_createtable(L, 0, 6);
    for (int i = 0; i < 6; i++)
        rr_lua_set_number(L, k[i], r.se[i]);
    lua_setfield(L, -2, "se");
    push_matrix(L, r.cov, 6);
    lua_setfield(L, -2, "cov");
    rr_lua_set_number(L, "rss", r.rss);
    lua_pushinteger(L, (lua_Integer)r.dof);
    lua_setfield(L, -2, "dof");
    rr_lua_set_boolean(L, "converged", r.converged);
    return 1;
}

/* an.eq1_tau_alpha(tau_beta_s, t0_s, chi) */
static int an_eq1_tau_alpha(lua_State *L)
{
    double tb = luaL_checknumber(L, 1), t0 = luaL_checknumber(L, 2);
    double chi = luaL_checknumber(L, 3);
    luaL_argcheck(L, tb > 0, 1, "tau_beta_s must be > 0");
    luaL_argcheck(L, t0 > 0, 2, "t0_s must be > 0");
    luaL_argcheck(L, chi > 0 && chi <= 1, 3, "chi must be in (0, 1]");
    lua_pushnumber(L, rr_eq1_tau_alpha(tb, t0, chi));
    return 1;
}

/* an.eq1_fit{tau_alpha_s=, tau_beta_s=} */
static int an_eq1_fit(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t n, m;
    double *ta = field_array(L, "tau_alpha_s", &n, 0);
    double *tb = field_array(L, "tau_beta_s", &m, 0);
    if (m != n)
        return luaL_error(L, "eq1_fit: tau_alpha_s and tau_beta_s differ in length");
    rr_eq1fit r;
    char err[RR_AN_ERRLEN];
    rr_status st = rr_eq1_fit(ta, tb, n, &r, err);
    if (st != RR_OK)
        return rr_lua_raise(L, st, err);
    lua_createtable(L, 0, 5);
    rr_lua_set_number(L, "chi", r.chi);
    rr_lua_set_number(L, "se_chi", r.se_chi);
    rr_lua_set_number(L, "t0_s", r.t0_s);
    rr_lua_set_number(L, "se_ln_t0", r.se_ln_t0);
    rr_lua_set_number(L, "rss", r.rss);
    return 1;
}

/* an.compare(a, b): see Series:compare. */
static int an_compare(lua_State *L)
{
    rr_series *a = rr_lua_check_series(L, 1);
    rr_series *b = rr_lua_check_series(L, 2);
    double mx, rms, tmx;
    size_t n;
    char err[RR_AN_ERRLEN];
    rr_status st = rr_series_compare(a, b, &mx, &rms, &tmx, &n, err);
    if (st != RR_OK)
        return rr_lua_raise(L, st, err);
    lua_createtable(L, 0, 4);
    rr_lua_set_number(L, "max_abs", mx);
    rr_lua_set_number(L, "rms", rms);
    rr_lua_set_number(L, "t_at_max_s", tmx);
    lua_pushinteger(L, (lua_Integer)n);
    lua_setfield(L, -2, "n");
    return 1;
}

static const luaL_Reg funcs[] = {
    {"logderiv", an_logderiv},
    {"twostep", an_twostep},
    {"kww", an_kww},
    {"arrhenius", an_arrhenius},
    {"loss_peak", an_loss_peak},
    {"eq2_creep", an_eq2_creep},
    {"eq2_relaxation", an_eq2_relaxation},
    {"eq2_fit", an_eq2_fit},
    {"eq1_tau_alpha", an_eq1_tau_alpha},
    {"eq1_fit", an_eq1_fit},
    {"compare", an_compare},
    {NULL, NULL},
};

/* The curve analyses are Series methods too: s:twostep(opts). */
const luaL_Reg rr_lua_fits_series_methods[] = {
    {"logderiv", an_logderiv},
    {"twostep", an_twostep},
    {"kww", an_kww},
    {NULL, NULL},
};

void rr_lua_fits_register(lua_State *L)
{
    luaL_setfuncs(L, funcs, 0);
}
