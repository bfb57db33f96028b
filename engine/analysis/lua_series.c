/* lua_series.c - the "relax.Series" userdata and its methods.
 *
 * A Series userdata holds one rr_series pointer that it owns.  It is created
 * closed (NULL) and filled afterwards, so an error between the two leaves
 * nothing to leak; __gc and __close share one release function.
 */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_lua.h"
#include "csv.h"
#include "lua_internal.h"
#include "series_ops.h"

typedef struct lua_series {
    rr_series *s; /* owned; NULL once closed */
} lua_series;

static void create_meta(lua_State *L);

#define toseries(L, i) ((lua_series *)luaL_checkudata(L, i, RR_SERIES_MT))

rr_series *rr_lua_check_series(lua_State *L, int idx)
{
    lua_series *p = toseries(L, idx);
    if (p->s == NULL)
        luaL_argerror(L, idx, "attempt to use a closed series");
    return p->s;
}

rr_series **rr_lua_new_series_slot(lua_State *L)
{
    create_meta(L);
    lua_series *p = lua_newuserdatauv(L, sizeof *p, 0);
    p->s = NULL;
    luaL_setmetatable(L, RR_SERIES_MT);
    return &p->s;
}

/* Runs protected: creates the userdata holding the series (argument 1). */
static int push_protected(lua_State *L)
{
    rr_series *s = lua_touserdata(L, 1);
    create_meta(L);
    lua_series *p = lua_newuserdatauv(L, sizeof *p, 0);
    p->s = s; /* owned from here on: __gc frees it */
    luaL_setmetatable(L, RR_SERIES_MT);
    return 1;
}

void rr_lua_push_series(lua_State *L, rr_series *s)
{
    /* Any memory error happens inside the protected call, before the
     * userdata owns s: then s is freed here and the error goes on. */
    lua_pushcfunction(L, push_protected);
    lua_pushlightuserdata(L, s);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        rr_series_free(s);
        lua_error(L);
    }
}

/* Shared by __gc, __close and s:close(). */
static int series_release(lua_State *L)
{
    lua_series *p = toseries(L, 1);
    rr_series_free(p->s);
    p->s = NULL;
    return 0;
}

static int series_tostring(lua_State *L)
{
    lua_series *p = toseries(L, 1);
    if (p->s == NULL)
        lua_pushliteral(L, "Series (closed)");
    else if (p->s->n == 0)
        lua_pushfstring(L, "Series '%s' (0 samples)", p->s->label);
    else
        lua_pushfstring(L, "Series '%s' (%I samples, t_s %f .. %f)",
                        p->s->label, (lua_Integer)p->s->n, p->s->t_s[0],
                        p->s->t_s[p->s->n - 1]);
    return 1;
}

static int series_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)rr_lua_check_series(L, 1)->n);
    return 1;
}

/* Fields first (label, t0_s, n; an error when closed), then methods from
 * the upvalue table. */
static int series_index(lua_State *L)
{
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "";
    if (strcmp(k, "label") == 0) {
        lua_pushstring(L, rr_lua_check_series(L, 1)->label);
        return 1;
    }
    if (strcmp(k, "t0_s") == 0) {
        lua_pushnumber(L, rr_lua_check_series(L, 1)->t0_s);
        return 1;
    }
    if (strcmp(k, "n") == 0) {
        lua_pushinteger(L, (lua_Integer)rr_lua_check_series(L, 1)->n);
        return 1;
    }
    /* A method: found even when closed, so that s:close() can repeat. */
    toseries(L, 1);
    lua_pushvalue(L, 2);
    lua_gettable(L, lua_upvalueindex(1));
    return 1;
}

static int series_time(lua_State *L)
{
    rr_series *s = rr_lua_check_series(L, 1);
    rr_lua_push_array(L, s->t_s, s->n);
    return 1;
}

static int series_stress(lua_State *L)
{
    rr_series *s = rr_lua_check_series(L, 1);
    rr_lua_push_array(L, s->stress_MPa, s->n);
    return 1;
}

static int series_temperature(lua_State *L)
{
    rr_series *s = rr_lua_check_series(L, 1);
    rr_lua_push_array(L, s->temp_K, s->n);
    return 1;
}

static int series_strain(lua_State *L)
{
    rr_series *s = rr_lua_check_series(L, 1);
    rr_lua_push_array(L, s->strain, s->n);
    return 1;
}

/* s:at(i) -> t_s, stress_MPa, temp_K, strain of sample i (1-based). */
static int series_at(lua_State *L)
{
    rr_series *s = rr_lua_check_series(L, 1);
    lua_Integer i = luaL_checkinteger(L, 2);
    luaL_argcheck(L, i >= 1 && (size_t)i <= s->n, 2, "sample index out of range");
    size_t k = (size_t)i - 1;
    lua_pushnumber(L, s->t_s[k]);
    lua_pushnumber(L, s->stress_MPa[k]);
    lua_pushnumber(L, s->temp_K[k]);
    lua_pushnumber(L, s->strain[k]);
    return 4;
}

static int series_slice(lua_State *L)
{
    rr_series *s = rr_lua_check_series(L, 1);
    double t0 = luaL_checknumber(L, 2);
    double t1 = luaL_optnumber(L, 3, HUGE_VAL);
    luaL_argcheck(L, !isnan(t0) && !isnan(t1) && t1 >= t0, 3,
                  "need t0_s <= t1_s");
    rr_series **slot = rr_lua_new_series_slot(L);
    rr_status st = rr_series_slice(s, t0, t1, slot);
    if (st != RR_OK)
        return rr_lua_raise(L, st, "slice");
    return 1;
}

static int series_normalized(lua_State *L)
{
    rr_series *s = rr_lua_check_series(L, 1);
    char err[RR_AN_ERRLEN];
    rr_series **slot = rr_lua_new_series_slot(L);
    rr_status st = rr_series_normalized(s, slot, err);
    if (st != RR_OK)
        return rr_lua_raise(L, st, err);
    return 1;
}

/* s:resample_log{t_min_s=, t_max_s=, n=, per_decade=, mode="mean"|"interp"} */
static int series_resample_log(lua_State *L)
{
    rr_series *s = rr_lua_check_series(L, 1);
    if (!lua_isnoneornil(L, 2))
        luaL_checktype(L, 2, LUA_TTABLE);
    double tmin = rr_lua_opt_number(L, 2, "t_min_s", 0);
    double tmax = rr_lua_opt_number(L, 2, "t_max_s", HUGE_VAL);
    double per_dec = rr_lua_opt_number(L, 2, "per_decade", 20);
    double npts = rr_lua_opt_number(L, 2, "n", 0);
    const char *mode = rr_lua_opt_string(L, 2, "mode", "mean");
    luaL_argcheck(L, strcmp(mode, "mean") == 0 || strcmp(mode, "interp") == 0,
                  2, "mode must be \"mean\" or \"interp\"");
    /* Defaults: the recorded range with t > 0. */
    if (!(tmin > 0)) {
        tmin = HUGE_VAL;
        for (size_t i = 0; i < s->n; i++)
            if (s->t_s[i] > 0) {
                tmin = s->t_s[i];
                break;
            }
    }
    if (!(tmax < HUGE_VAL) && s->n > 0)
        tmax = s->t_s[s->n - 1];
    if (npts <= 0) {
        luaL_argcheck(L, per_dec > 0 && per_dec <= 1e6, 2, "per_decade out of range");
        npts = (tmax > tmin && tmin > 0) ? ceil(per_dec * log10(tmax / tmin)) + 1 : 2;
    }
    luaL_argcheck(L, npts >= 2 && npts <= 1e8, 2, "n must be in 2 .. 1e8");
    char err[RR_AN_ERRLEN];
    rr_series **slot = rr_lua_new_series_slot(L);
    rr_status st = rr_series_resample_log(s, tmin, tmax, (size_t)npts,
                                          strcmp(mode, "mean") == 0, slot, err);
    if (st != RR_OK)
        return rr_lua_raise(L, st, err);
    return 1;
}

/* s:validate() -> true | nil, message */
static int series_validate(lua_State *L)
{
    rr_series *s = rr_lua_check_series(L, 1);
    char err[RR_AN_ERRLEN];
    if (rr_series_validate(s, err) != RR_OK)
        return rr_lua_fail(L, err);
    lua_pushboolean(L, 1);
    return 1;
}

/* s:compare(other) -> {max_abs, rms, t_at_max_s, n} of sigma/sigma0. */
static int series_compare(lua_State *L)
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

/* an.series{t_s=, stress_MPa=, temp_K=, strain=, label=, t0_s=} */
static int an_series(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t n, m;
    lua_getfield(L, 1, "t_s");
    luaL_argcheck(L, lua_istable(L, -1), 1, "field t_s (array) missing");
    double *t = rr_lua_check_array(L, -1, "t_s", &n, 0);
    lua_getfield(L, 1, "stress_MPa");
    luaL_argcheck(L, lua_istable(L, -1), 1, "field stress_MPa (array) missing");
    double *y = rr_lua_check_array(L, -1, "stress_MPa", &m, 0);
    if (m != n)
        return luaL_error(L, "series: stress_MPa has %I values, t_s %I",
                          (lua_Integer)m, (lua_Integer)n);
    double *cols[2] = {NULL, NULL};
    const char *names[2] = {"temp_K", "strain"};
    for (int c = 0; c < 2; c++) {
        lua_getfield(L, 1, names[c]);
        if (!lua_isnil(L, -1)) {
            cols[c] = rr_lua_check_array(L, -1, names[c], &m, 1);
            if (m != n)
                return luaL_error(L, "series: %s has %I values, t_s %I",
                                  names[c], (lua_Integer)m, (lua_Integer)n);
        }
    }
    const char *label = rr_lua_opt_string(L, 1, "label", "");
    double t0 = rr_lua_opt_number(L, 1, "t0_s", 0);
    rr_series **slot = rr_lua_new_series_slot(L);
    rr_status st = rr_series_new(t0, label, slot);
    for (size_t i = 0; st == RR_OK && i < n; i++)
        st = rr_series_append_rel(*slot, t[i], cols[0] ? cols[0][i] : NAN,
                                  cols[1] ? cols[1][i] : NAN, y[i]);
    if (st != RR_OK)
        return rr_lua_raise(L, st, "series");
    return 1;
}

/* an.read_csv(path [, {time=, stress=, temperature=, strain=, label=}])
 * -> Series | nil, message (file missing or malformed). */
static int an_read_csv(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    if (!lua_isnoneornil(L, 2))
        luaL_checktype(L, 2, LUA_TTABLE);
    rr_csv_columns cols = {
        .time = rr_lua_opt_string(L, 2, "time", NULL),
        .stress = rr_lua_opt_string(L, 2, "stress", NULL),
        .temperature = rr_lua_opt_string(L, 2, "temperature", NULL),
        .strain = rr_lua_opt_string(L, 2, "strain", NULL),
    };
    const char *label = rr_lua_opt_string(L, 2, "label", NULL);
    char err[RR_AN_ERRLEN];
    rr_series **slot = rr_lua_new_series_slot(L);
    rr_status st = rr_csv_read_series(path, &cols, label, slot, err);
    if (st == RR_ERR_NOMEM)
        return rr_lua_raise(L, st, err);
    if (st != RR_OK)
        return rr_lua_fail(L, err);
    return 1;
}

static const luaL_Reg series_methods[] = {
    {"time", series_time},
    {"stress", series_stress},
    {"temperature", series_temperature},
    {"strain", series_strain},
    {"at", series_at},
    {"slice", series_slice},
    {"normalized", series_normalized},
    {"resample_log", series_resample_log},
    {"validate", series_validate},
    {"compare", series_compare},
    {"close", series_release},
    {NULL, NULL},
};

static const luaL_Reg series_meta[] = {
    {"__gc", series_release},
    {"__close", series_release},
    {"__tostring", series_tostring},
    {"__len", series_len},
    {NULL, NULL},
};

static const luaL_Reg module_funcs[] = {
    {"series", an_series},
    {"read_csv", an_read_csv},
    {NULL, NULL},
};

/* Builds the metatable once per lua_State, with every method (the curve
 * analyses of lua_fits.c included), so that a Series pushed by the engine
 * before the module is required is complete. */
static void create_meta(lua_State *L)
{
    if (luaL_newmetatable(L, RR_SERIES_MT)) {
        luaL_setfuncs(L, series_meta, 0);
        luaL_newlib(L, series_methods);
        luaL_setfuncs(L, rr_lua_fits_series_methods, 0);
        lua_pushcclosure(L, series_index, 1);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
}

/* Adds the Series constructors to the module table on top. */
void rr_lua_series_register(lua_State *L)
{
    create_meta(L);
    luaL_setfuncs(L, module_funcs, 0);
}
