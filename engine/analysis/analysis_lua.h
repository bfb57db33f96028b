/* analysis_lua.h - the Lua face of relaxrun's analysis (module "relax.analysis").
 *
 * The engine registers rr_analysis_luaopen in package.preload as
 * "relax.analysis"; protocols write `local an = require "relax.analysis"`.
 * Series objects (metatable "relax.Series") wrap an rr_series.  The full Lua
 * API is documented in docs/lua-api-analysis.md.
 */
#ifndef RR_ANALYSIS_LUA_H
#define RR_ANALYSIS_LUA_H

#include <lua.h>

#include "series.h"

#define RR_SERIES_MT "relax.Series"

/* Pushes a new Series userdata that TAKES OWNERSHIP of s: the series is freed
 * by the userdata's __gc / __close.  s may not be NULL.  On a memory error
 * (raised by Lua) s is freed too, so the caller never frees it. */
void rr_lua_push_series(lua_State *L, rr_series *s);

/* The series at stack index idx; raises a Lua error if it is not a Series or
 * has been closed.  The pointer is BORROWED: valid while the userdata lives. */
rr_series *rr_lua_check_series(lua_State *L, int idx);

/* lua_CFunction: pushes the module table (calls gsl_set_error_handler_off()
 * once).  Returns 1. */
int rr_analysis_luaopen(lua_State *L);

#endif
