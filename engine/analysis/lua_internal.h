/* lua_internal.h - helpers shared by the binding files of relax.analysis
 * (not part of the public interface). */
#ifndef RR_LUA_INTERNAL_H
#define RR_LUA_INTERNAL_H

#include <lua.h>
#include <stddef.h>

#include "status.h"

/* Pushes a closed Series userdata (its pointer NULL) and returns the slot to
 * fill: create the object first, then the resource, as liolib does. */
struct rr_series **rr_lua_new_series_slot(lua_State *L);

/* Adds the Series constructors/methods to the module table on top. */
void rr_lua_series_register(lua_State *L);
void rr_lua_fits_register(lua_State *L);
void rr_lua_nlfit_register(lua_State *L);

/* The curve analyses that are also Series methods (lua_fits.c). */
struct luaL_Reg;
extern const struct luaL_Reg rr_lua_fits_series_methods[];

/* Pushes a Lua array {x[0], ..., x[n-1]}. */
void rr_lua_push_array(lua_State *L, const double *x, size_t n);

/* Reads the Lua array at idx into a buffer of *n doubles owned by a
 * userdata that this function PUSHES (so a later Lua error cannot leak it);
 * raises an error naming `what` if an element is not a number, or is NaN or
 * infinite unless allow_nonfinite. */
double *rr_lua_check_array(lua_State *L, int idx, const char *what, size_t *n,
                           int allow_nonfinite);

/* Numbers from an options table at idx (absent: def); raises on wrong type. */
double rr_lua_opt_number(lua_State *L, int idx, const char *key, double def);
int rr_lua_opt_boolean(lua_State *L, int idx, const char *key, int def);
const char *rr_lua_opt_string(lua_State *L, int idx, const char *key,
                              const char *def);

/* Sets t[key] = v for the table on top. */
void rr_lua_set_number(lua_State *L, const char *key, double v);
void rr_lua_set_boolean(lua_State *L, const char *key, int v);
void rr_lua_set_string(lua_State *L, const char *key, const char *v);

/* Expected failure: pushes nil, msg; returns 2 (as luaL_fileresult). */
int rr_lua_fail(lua_State *L, const char *msg);

/* Raises a Lua error for a status that means misuse or a memory error. */
int rr_lua_raise(lua_State *L, rr_status st, const char *msg);

#endif
