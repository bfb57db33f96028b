/* lua_core.c - "relax.core": the raw C functions under scripts/relax.lua.
 *
 * Thin on purpose: each function checks its arguments, calls the run loop
 * and turns a failure into a Lua error located in the protocol.  The
 * friendly names, defaults and tables live in scripts/relax.lua.
 */
#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_lua.h"
#include "host.h"
#include "specimen.h"
#include "yamlconf.h"

/* Raises the run's failure as a Lua error (never returns). */
static int fail(lua_State *L, rr_run *run)
{
    return rr_host_error(L, "%s", run->message);
}

#define TRY(L, run, expr)                  \
    do {                                   \
        if ((expr) != RR_OK)               \
            return fail((L), (run));       \
    } while (0)

/* Unknown command-line parameters end the run as a usage error. */
static rr_status check_overrides(rr_run *run)
{
    for (size_t i = 0; i < run->noverrides; i++)
        if (!run->overrides[i].used)
            return rr_run_fail(run, RR_END_USAGE_ERROR,
                               "unknown parameter '%s' (see --describe for the "
                               "protocol's parameters)", run->overrides[i].name);
    return RR_OK;
}

/* Every instrument call first checks the parameters and the run state (a
 * journal line lost on a full disk has already ended it, in run.c). */
static rr_run *instrument_run(lua_State *L)
{
    rr_run *run = rr_host_run_of(L);
    if (check_overrides(run) != RR_OK || rr_run_check(run) != RR_OK)
        fail(L, run);
    return run;
}

static const char *name_ok(lua_State *L, int arg)
{
    const char *s = luaL_checkstring(L, arg);
    luaL_argcheck(L, *s, arg, "empty name");
    for (const char *c = s; *c; c++)
        luaL_argcheck(L, (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                             (*c >= '0' && *c <= '9') || *c == '_',
                      arg, "names are letters, digits and '_'");
    return s;
}

/* param(name, default, unit, description) -> value */
static int core_param(lua_State *L)
{
    rr_run *run = rr_host_run_of(L);
    const char *name = name_ok(L, 1);
    double value = luaL_checknumber(L, 2);
    const char *unit = luaL_checkstring(L, 3);
    const char *desc = luaL_optstring(L, 4, "");
    const char *seen, *u, *dsc;
    double v;
    for (size_t i = 0; rr_recorder_param_at(run->rec, i, &seen, &v, &u, &dsc); i++)
        if (strcmp(seen, name) == 0)
            return rr_host_error(L, "parameter '%s' declared twice", name);
    bool overridden = false;
    for (size_t i = 0; i < run->noverrides; i++) {
        if (strcmp(run->overrides[i].name, name) == 0) {
            value = run->overrides[i].value;
            run->overrides[i].used = true;
            overridden = true;
        }
    }
    if (rr_recorder_add_param(run->rec, name, value, unit, desc, overridden) != RR_OK)
        return rr_host_error(L, "cannot record the parameter '%s' in %s/manifest.yaml", name,
                             rr_recorder_dir(run->rec));
    rr_run_event(run, "INFO", "parameter %s = %.10g %s%s", name, value, unit,
                 overridden ? " (command line)" : "");
    lua_pushnumber(L, value);
    return 1;
}

static int core_check_parameters(lua_State *L)
{
    rr_run *run = rr_host_run_of(L);
    TRY(L, run, check_overrides(run));
    return 0;
}

static int core_clamp(lua_State *L)
{
    rr_run *run = instrument_run(L);
    rr_clamp mode;
    const char *word = luaL_checkstring(L, 1);
    if (rr_clamp_parse(word, &mode) != RR_OK)
        return rr_host_error(L, "unknown clamp mode '%s' (tension, single_cantilever, "
                                "dual_cantilever, compression)", word);
    rr_run_event(run, "INFO", "clamp %s", rr_clamp_word(mode));
    TRY(L, run, rr_run_instrument(run, RR_CALL(run->in, set_clamp, mode), "setting the clamp mode"));
    return 0;
}

static int core_geometry(lua_State *L)
{
    rr_run *run = instrument_run(L);
    rr_geometry g = {luaL_checknumber(L, 1), luaL_checknumber(L, 2), luaL_checknumber(L, 3)};
    if (!(g.length_mm > 0 && g.width_mm > 0 && g.thickness_mm > 0))
        return rr_host_error(L, "sample geometry must be positive (got %g x %g x %g mm)",
                             g.length_mm, g.width_mm, g.thickness_mm);
    rr_run_event(run, "INFO", "geometry %g x %g x %g mm", g.length_mm, g.width_mm, g.thickness_mm);
    TRY(L, run, rr_run_instrument(run, RR_CALL(run->in, set_geometry, &g), "setting the geometry"));
    return 0;
}

/* set_temperature(T_K [, rate_K_per_min]) */
static int core_set_temperature(lua_State *L)
{
    rr_run *run = instrument_run(L);
    TRY(L, run, rr_run_set_temperature(run, luaL_checknumber(L, 1), luaL_optnumber(L, 2, 0)));
    return 0;
}

/* wait_stable([timeout_s]) -> waited_s */
static int core_wait_stable(lua_State *L)
{
    rr_run *run = instrument_run(L);
    double waited = 0;
    TRY(L, run, rr_run_wait_stable(run, luaL_optnumber(L, 1, run->stable_timeout_s), &waited));
    rr_run_event(run, "INFO", "temperature stable after %.1f s", waited);
    lua_pushnumber(L, waited);
    return 1;
}

/* hold(duration_s [, what]): time passes, nothing is recorded. */
static int core_hold(lua_State *L)
{
    rr_run *run = instrument_run(L);
    double d = luaL_checknumber(L, 1);
    if (!(d >= 0 && isfinite(d)))
        return rr_host_error(L, "hold: the duration must be a finite number of s, 0 or more "
                                "(got %g)", d);
    TRY(L, run, rr_run_hold(run, d, luaL_optstring(L, 2, NULL)));
    return 0;
}

static int core_set_strain(lua_State *L)
{
    rr_run *run = instrument_run(L);
    TRY(L, run, rr_run_set_strain(run, luaL_checknumber(L, 1)));
    return 0;
}

/* relaxation(strain, duration_s, rate_Hz, label) -> series */
static int core_relaxation(lua_State *L)
{
    rr_run *run = instrument_run(L);
    double strain = luaL_checknumber(L, 1);
    double duration = luaL_checknumber(L, 2);
    double rate = luaL_checknumber(L, 3);
    const char *label = luaL_optstring(L, 4, "");
    rr_series *s = NULL;
    rr_status st = rr_run_relaxation(run, strain, duration, rate, label, &s);
    if (st != RR_OK) {
        rr_series_free(s);
        return fail(L, run);
    }
    rr_lua_push_series(L, s);
    return 1;
}

static int core_now(lua_State *L)
{
    rr_run *run = instrument_run(L);
    double t;
    TRY(L, run, rr_run_now(run, &t));
    lua_pushnumber(L, t);
    return 1;
}

/* Readings: temperature_K, strain, stress_MPa. */
static int core_read(lua_State *L)
{
    rr_run *run = instrument_run(L);
    double T, e, s;
    TRY(L, run, rr_run_instrument(run, RR_CALL(run->in, read_temp, &T), "reading the temperature"));
    TRY(L, run, rr_run_instrument(run, RR_CALL(run->in, read_strain, &e), "reading the strain"));
    TRY(L, run, rr_run_instrument(run, RR_CALL(run->in, read_stress, &s), "reading the stress"));
    lua_pushnumber(L, T);
    lua_pushnumber(L, e);
    lua_pushnumber(L, s);
    return 3;
}

static int core_status(lua_State *L)
{
    rr_run *run = instrument_run(L);
    unsigned bits = 0;
    TRY(L, run, rr_run_status(run, &bits));
    lua_pushinteger(L, (lua_Integer)bits);
    return 1;
}

static int core_limits(lua_State *L)
{
    rr_run *run = rr_host_run_of(L);
    const rr_limits *l = &run->limits;
    lua_createtable(L, 0, 6);
    lua_pushnumber(L, l->temp_min_K);
    lua_setfield(L, -2, "temperature_min_K");
    lua_pushnumber(L, l->temp_max_K);
    lua_setfield(L, -2, "temperature_max_K");
    lua_pushnumber(L, l->strain_max);
    lua_setfield(L, -2, "strain_max");
    lua_pushnumber(L, l->rate_max_K_per_min);
    lua_setfield(L, -2, "rate_max_K_per_min");
    lua_pushnumber(L, l->freq_min_Hz);
    lua_setfield(L, -2, "frequency_min_Hz");
    lua_pushnumber(L, l->freq_max_Hz);
    lua_setfield(L, -2, "frequency_max_Hz");
    return 1;
}

/* result(name, value, unit, description): value a number, string or boolean. */
static int core_result(lua_State *L)
{
    rr_run *run = rr_host_run_of(L);
    const char *name = name_ok(L, 1);
    const char *desc = luaL_optstring(L, 4, "");
    rr_status st;
    if (lua_type(L, 2) == LUA_TNUMBER) {
        double v = lua_tonumber(L, 2);
        const char *unit = luaL_checkstring(L, 3);
        st = rr_recorder_result_number(run->rec, name, v, unit, desc);
        rr_run_event(run, "RESULT", "%s = %.10g %s", name, v, unit);
    } else if (lua_type(L, 2) == LUA_TSTRING || lua_type(L, 2) == LUA_TBOOLEAN) {
        const char *v = lua_type(L, 2) == LUA_TBOOLEAN ? (lua_toboolean(L, 2) ? "true" : "false")
                                                       : lua_tostring(L, 2);
        st = rr_recorder_result_text(run->rec, name, v, desc);
        rr_run_event(run, "RESULT", "%s = %s", name, v);
    } else {
        return luaL_typeerror(L, 2, "number, string or boolean");
    }
    if (st != RR_OK)
        return rr_host_error(L, "cannot write the result '%s' to %s", name, rr_recorder_dir(run->rec));
    return 0;
}

/* table(name, columns, rows): columns an array of names with units, rows an
 * array of arrays of numbers.  Both lengths come from luaL_len, which a
 * __len metamethod controls: they are checked before any size is computed
 * from them. */
static int core_table(lua_State *L)
{
    rr_run *run = rr_host_run_of(L);
    const char *name = name_ok(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    lua_Integer ncols_i = luaL_len(L, 2), nrows_i = luaL_len(L, 3);
    if (ncols_i < 1 || ncols_i > 64)
        return rr_host_error(L, "table '%s': %lld columns; a table has 1 to 64", name,
                             (long long)ncols_i);
    size_t ncols = (size_t)ncols_i;
    /* nrows * ncols bounded without computing a product that could wrap. */
    if (nrows_i < 0 || (lua_Unsigned)nrows_i > RR_TABLE_MAX_VALUES / ncols)
        return rr_host_error(L, "table '%s': %lld rows x %zu columns; a table holds 0 to "
                                "%d values", name, (long long)nrows_i, ncols,
                             RR_TABLE_MAX_VALUES);
    size_t nrows = (size_t)nrows_i;
    const char **cols = lua_newuserdatauv(L, ncols * sizeof *cols, 0);
    luaL_checkstack(L, (int)ncols + 8, "table columns");
    for (size_t j = 0; j < ncols; j++) {
        lua_geti(L, 2, (lua_Integer)j + 1);
        cols[j] = lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER
                      ? lua_tostring(L, -1) : NULL;
        if (!cols[j] || !*cols[j])
            return rr_host_error(L, "table '%s': column %zu needs a name", name, j + 1);
        /* Left on the stack: a number converted to a string, or a string an
         * __index made, lives no longer than its stack slot. */
    }
    double *v = lua_newuserdatauv(L, (nrows ? nrows : 1) * ncols * sizeof *v, 0);
    for (size_t i = 0; i < nrows; i++) {
        lua_geti(L, 3, (lua_Integer)i + 1);
        if (!lua_istable(L, -1) || luaL_len(L, -1) != ncols_i)
            return rr_host_error(L, "table '%s': row %zu needs %zu numbers", name, i + 1, ncols);
        for (size_t j = 0; j < ncols; j++) {
            lua_geti(L, -1, (lua_Integer)j + 1);
            int isnum;
            v[i * ncols + j] = lua_tonumberx(L, -1, &isnum);
            if (!isnum)
                return rr_host_error(L, "table '%s': row %zu, column '%s' is not a number",
                                     name, i + 1, cols[j]);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    if (rr_recorder_table(run->rec, name, ncols, cols, nrows, v) != RR_OK)
        return rr_host_error(L, "cannot write table '%s' to %s", name, rr_recorder_dir(run->rec));
    return 0;
}

/* A plot spec is built as a YAML flow mapping in a fixed buffer. */
typedef struct spec_buf {
    char text[4096];
    size_t len;
} spec_buf;

static void spec_add(lua_State *L, spec_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > sizeof b->text)
        luaL_error(L, "plot: the description is too long");
    memcpy(b->text + b->len, s, n + 1);
    b->len += n;
}

/* Appends s as a YAML double-quoted scalar, through the project's one
 * escaper: quotes, control characters and bytes that are not UTF-8 would
 * otherwise make the manifest invalid YAML. */
static void spec_string(lua_State *L, spec_buf *b, const char *s)
{
    char *text = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&text, &n);
    if (!m) {
        luaL_error(L, "plot: out of memory");
        return;
    }
    rr_yaml_write_str(m, s);
    if (fclose(m) != 0 || !text) {
        free(text);
        luaL_error(L, "plot: out of memory");
        return;
    }
    bool fits = b->len + n + 1 <= sizeof b->text;
    if (fits) {
        memcpy(b->text + b->len, text, n + 1);
        b->len += n;
    }
    free(text); /* before the error below, which does not return */
    if (!fits)
        luaL_error(L, "plot: the description is too long");
}

/* Appends the Lua scalar at idx (string, number, boolean) as YAML. */
static void spec_scalar(lua_State *L, spec_buf *b, int idx, const char *key)
{
    char tmp[64];
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
        snprintf(tmp, sizeof tmp, "%.10g", lua_tonumber(L, idx));
        spec_add(L, b, tmp);
        break;
    case LUA_TBOOLEAN:
        spec_add(L, b, lua_toboolean(L, idx) ? "true" : "false");
        break;
    case LUA_TSTRING:
        spec_string(L, b, lua_tostring(L, idx));
        break;
    default:
        luaL_error(L, "plot: '%s' must be a string, number, boolean or a list of them", key);
    }
}

/* plot{kind=..., ...}: a plot request for the report, kept in the manifest. */
static int core_plot(lua_State *L)
{
    rr_run *run = rr_host_run_of(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    spec_buf *b = lua_newuserdatauv(L, sizeof *b, 0); /* freed by the GC */
    b->len = 0;
    spec_add(L, b, "{");
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        if (!key || !*key)
            return luaL_error(L, "plot: keys must be names");
        for (const char *c = key; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
                return luaL_error(L, "plot: '%s' is not a valid key", key);
        if (b->len > 1)
            spec_add(L, b, ", ");
        spec_add(L, b, key);
        spec_add(L, b, ": ");
        if (lua_istable(L, -1)) {
            spec_add(L, b, "[");
            lua_Integer n = luaL_len(L, -1);
            for (lua_Integer i = 1; i <= n; i++) {
                lua_geti(L, -1, i);
                if (i > 1)
                    spec_add(L, b, ", ");
                spec_scalar(L, b, lua_gettop(L), key);
                lua_pop(L, 1);
            }
            spec_add(L, b, "]");
        } else {
            spec_scalar(L, b, lua_gettop(L), key);
        }
        lua_pop(L, 1);
    }
    spec_add(L, b, "}");
    if (rr_recorder_plot(run->rec, b->text) != RR_OK)
        return rr_host_error(L, "cannot record the plot in %s", rr_recorder_dir(run->rec));
    return 0;
}

static int core_describe(lua_State *L)
{
    rr_run *run = rr_host_run_of(L);
    const char *text = luaL_checkstring(L, 1);
    rr_recorder_set_description(run->rec, text);
    rr_run_event(run, "INFO", "protocol: %s", text);
    return 0;
}

/* pause_policy(policy, resume): "hold" | "unload", "continue" | "restart".
 * The user's --pause on the command line wins over the protocol's policy. */
static int core_pause_policy(lua_State *L)
{
    rr_run *run = rr_host_run_of(L);
    static const char *const policies[] = {"none", "hold", "unload", NULL};
    static const char *const modes[] = {"continue", "restart", NULL};
    int policy = luaL_checkoption(L, 1, NULL, policies);
    int mode = luaL_checkoption(L, 2, "continue", modes);
    run->resume_mode = mode == 1 ? RR_RESUME_RESTART : RR_RESUME_CONTINUE;
    if (!run->pause_policy_from_user)
        rr_run_set_pause_policy(run, policy);
    rr_run_event(run, "INFO", "on pause: %s; on resume: %s", policies[run->pause_policy],
                 modes[mode]);
    return 0;
}

/* specimen(id or nil, fresh): names the specimen (the command line's
 * --specimen wins) and says whether the protocol assumes a fresh one. */
static int core_specimen(lua_State *L)
{
    rr_run *run = rr_host_run_of(L);
    const char *id = luaL_optstring(L, 1, NULL);
    int fresh = lua_toboolean(L, 2);
    if (id && !run->specimen[0])
        snprintf(run->specimen, sizeof run->specimen, "%s", id);
    if (!run->specimen[0]) {
        if (fresh)
            rr_run_event(run, "WARN", "the protocol assumes a fresh specimen, but none is "
                                      "named (--specimen ID): its history is not checked");
        return 0;
    }
    rr_specimen_summary sum;
    char err[512];
    if (rr_specimen_summary_read(run->specimen, &sum, err, sizeof err) != RR_OK)
        return rr_host_error(L, "%s", err);
    rr_run_event(run, "INFO", "specimen %s: %zu earlier runs, %zu loadings, %.0f s heated",
                 run->specimen, sum.runs, sum.loadings, sum.heated_s);
    if (fresh && sum.runs && (sum.loadings || sum.heated_s > 0)) {
        char msg[900];
        snprintf(msg, sizeof msg,
                 "specimen %s is not fresh: %zu earlier runs, %zu loadings, %.2f h with the "
                 "furnace at a setpoint (up to %.6g K), last %s; this protocol assumes a "
                 "fresh sample (physical aging changes the first loading)",
                 run->specimen, sum.runs, sum.loadings, sum.heated_s / 3600,
                 sum.max_temperature_K, sum.last_run);
        rr_run_event(run, "WARN", "%s", msg);
        rr_recorder_result_text(run->rec, "specimen_warning", msg,
                                "The protocol assumes a fresh specimen");
        if (run->verbosity >= 0)
            fprintf(stderr, "relaxrun: WARNING: %s\n", msg);
    }
    lua_pushboolean(L, sum.runs == 0);
    return 1;
}

static int core_log(lua_State *L)
{
    rr_run *run = rr_host_run_of(L);
    rr_run_event(run, "NOTE", "%s", luaL_checkstring(L, 1));
    return 0;
}

/* sim_set(key, value): simulator knobs (material overrides, noise, faults). */
static int core_sim_set(lua_State *L)
{
    rr_run *run = instrument_run(L);
    const char *key = luaL_checkstring(L, 1);
    double v = luaL_checknumber(L, 2);
    rr_status st = RR_CALL(run->in, sim_set, key, v);
    if (st == RR_ERR_UNSUPPORTED) {
        lua_pushboolean(L, 0);
        return 1; /* on hardware, simulator knobs are ignored */
    }
    if (st != RR_OK) {
        const char *detail = run->in->ops->last_error ? run->in->ops->last_error(run->in->ctx) : "";
        return rr_host_error(L, "simulator setting '%s' = %g refused: %s", key, v,
                             *detail ? detail : rr_strerror(st));
    }
    rr_run_event(run, "INFO", "simulator %s = %.10g", key, v);
    lua_pushboolean(L, 1);
    return 1;
}

static int core_is_simulated(lua_State *L)
{
    rr_run *run = rr_host_run_of(L);
    lua_pushboolean(L, run->in->virtual_time);
    return 1;
}

/* oscillate(freq_Hz, amplitude) / oscillate(false) */
static int core_oscillate(lua_State *L)
{
    rr_run *run = instrument_run(L);
    if (lua_isboolean(L, 1) && !lua_toboolean(L, 1)) {
        TRY(L, run, rr_run_oscillation_off(run));
        return 0;
    }
    TRY(L, run, rr_run_oscillate(run, luaL_checknumber(L, 1), luaL_checknumber(L, 2)));
    return 0;
}

/* measure_dynamic([timeout_s]) -> {frequency_Hz, storage_MPa, loss_MPa, tan_delta}
 * Waits (in instrument time) until the instrument has a measurement. */
static int core_measure_dynamic(lua_State *L)
{
    rr_run *run = instrument_run(L);
    rr_dynamic d;
    TRY(L, run, rr_run_measure_dynamic(run, luaL_optnumber(L, 1, 3600), &d));
    lua_createtable(L, 0, 4);
    lua_pushnumber(L, d.freq_Hz);
    lua_setfield(L, -2, "frequency_Hz");
    lua_pushnumber(L, d.storage_MPa);
    lua_setfield(L, -2, "storage_MPa");
    lua_pushnumber(L, d.loss_MPa);
    lua_setfield(L, -2, "loss_MPa");
    lua_pushnumber(L, d.tan_delta);
    lua_setfield(L, -2, "tan_delta");
    return 1;
}

static int core_identity(lua_State *L)
{
    rr_run *run = rr_host_run_of(L);
    char buf[256] = "";
    RR_CALL(run->in, identify, buf, sizeof buf);
    lua_pushstring(L, buf);
    return 1;
}

int rr_core_luaopen(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"param", core_param},
        {"check_parameters", core_check_parameters},
        {"clamp", core_clamp},
        {"geometry", core_geometry},
        {"set_temperature", core_set_temperature},
        {"wait_stable", core_wait_stable},
        {"hold", core_hold},
        {"set_strain", core_set_strain},
        {"relaxation", core_relaxation},
        {"now", core_now},
        {"read", core_read},
        {"status", core_status},
        {"limits", core_limits},
        {"result", core_result},
        {"log", core_log},
        {"specimen", core_specimen},
        {"pause_policy", core_pause_policy},
        {"describe", core_describe},
        {"table", core_table},
        {"plot", core_plot},
        {"sim_set", core_sim_set},
        {"is_simulated", core_is_simulated},
        {"oscillate", core_oscillate},
        {"measure_dynamic", core_measure_dynamic},
        {"identity", core_identity},
        {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}
