/* lua_analysis.c - the module table of "relax.analysis" and the small
 * helpers the binding files share (arrays, options, error channels).
 *
 * Error channels, as in Lua's own libraries: misuse (wrong types, arrays
 * of different lengths, NaN in data, too few points) raises; expected
 * failures (a file that cannot be read, a fit that cannot even start)
 * return nil, message; fits that run but do not converge return their
 * result table with converged = false.
 */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>

#include "analysis_lua.h"
#include "lua_internal.h"
#include "series_ops.h"

void rr_lua_push_array(lua_State *L, const double *x, size_t n)
{
    luaL_checkstack(L, 2, "array");
    lua_createtable(L, n > (size_t)0x7fffffff ? 0 : (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushnumber(L, x[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

double *rr_lua_check_array(lua_State *L, int idx, const char *what, size_t *n,
                           int allow_nonfinite)
{
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx))
        luaL_error(L, "%s: expected an array of numbers, got %s", what,
                   luaL_typename(L, idx));
    lua_Integer len = luaL_len(L, idx);
    *n = len > 0 ? (size_t)len : 0;
    double *x = lua_newuserdatauv(L, (*n ? *n : 1) * sizeof *x, 0);
    for (size_t i = 0; i < *n; i++) {
        int isnum;
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        x[i] = lua_tonumberx(L, -1, &isnum);
        if (!isnum)
            luaL_error(L, "%s[%I]: expected a number, got %s", what,
                       (lua_Integer)i + 1, luaL_typename(L, -1));
        if (!allow_nonfinite && !isfinite(x[i]))
            luaL_error(L, "%s[%I] is %s", what, (lua_Integer)i + 1,
                       isnan(x[i]) ? "NaN" : "infinite");
        lua_pop(L, 1);
    }
    return x;
}

/* Pushes t[key] for the options table at idx (nil if idx is not a table). */
static int opt_get(lua_State *L, int idx, const char *key)
{
    if (!lua_istable(L, idx)) {
        lua_pushnil(L);
        return LUA_TNIL;
    }
    return lua_getfield(L, idx, key);
}

double rr_lua_opt_number(lua_State *L, int idx, const char *key, double def)
{
    idx = lua_absindex(L, idx);
    int t = opt_get(L, idx, key);
    double v = def;
    if (t != LUA_TNIL) {
        int isnum;
        v = lua_tonumberx(L, -1, &isnum);
        if (!isnum)
            luaL_error(L, "option '%s': expected a number, got %s", key,
                       luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    return v;
}

int rr_lua_opt_boolean(lua_State *L, int idx, const char *key, int def)
{
    idx = lua_absindex(L, idx);
    int t = opt_get(L, idx, key);
    int v = def;
    if (t != LUA_TNIL) {
        if (t != LUA_TBOOLEAN)
            luaL_error(L, "option '%s': expected a boolean, got %s", key,
                       luaL_typename(L, -1));
        v = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
    return v;
}

/* The returned string stays valid while the options table holds it. */
const char *rr_lua_opt_string(lua_State *L, int idx, const char *key,
                              const char *def)
{
    idx = lua_absindex(L, idx);
    int t = opt_get(L, idx, key);
    const char *v = def;
    if (t != LUA_TNIL) {
        if (t != LUA_TSTRING)
            luaL_error(L, "option '%s': expected a string, got %s", key,
                       luaL_typename(L, -1));
        v = lua_tostring(L, -1);
    }
    lua_pop(L, 1);
    return v;
}

void rr_lua_set_number(lua_State *L, const char *key, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, key);
}

void rr_lua_set_boolean(lua_State *L, const char *key, int v)
{
    lua_pushboolean(L, v);
    lua_setfield(L, -2, key);
}

void rr_lua_set_string(lua_State *L, const char *key, const char *v)
{
    lua_pushstring(L, v);
    lua_setfield(L, -2, key);
}

int rr_lua_fail(lua_State *L, const char *msg)
{
    luaL_pushfail(L);
    lua_pushstring(L, msg);
    return 2;
}

int rr_lua_raise(lua_State *L, rr_status st, const char *msg)
{
    if (st == RR_ERR_NOMEM)
        return luaL_error(L, "%s: %s", msg, rr_strerror(st));
    return luaL_error(L, "%s", msg);
}

int rr_analysis_luaopen(lua_State *L)
{
    /* GSL's default handler calls abort(): gsl_set_error_handler_off(),
     * through rr_an_gsl_init; every GSL return is checked. */
    rr_an_gsl_init();
    lua_newtable(L);
    rr_lua_series_register(L);
    rr_lua_fits_register(L);
    rr_lua_nlfit_register(L);
    lua_pushliteral(L, "relax.analysis 1");
    lua_setfield(L, -2, "_VERSION");
    return 1;
}
