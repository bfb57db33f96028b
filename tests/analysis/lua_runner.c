/* lua_runner.c - runs a Lua test script with relax.analysis available.
 *
 *   rr_analysis_lua SCRIPT.lua [ARG ...]
 *
 * A self-contained host for the analysis tests (the engine's full host
 * comes separately): base, package, table, string, math and os libraries,
 * "relax.analysis" in package.preload, the script's arguments in `arg`.
 * The script runs protected with a traceback; exit status 0 only if it
 * returns without error.
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_lua.h"

static int msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL)
        msg = lua_pushfstring(L, "(error object is a %s value)",
                              luaL_typename(L, 1));
    luaL_traceback(L, L, msg, 1);
    return 1;
}

static int pmain(lua_State *L)
{
    int argc = (int)lua_tointeger(L, 1);
    char **argv = lua_touserdata(L, 2);
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},     {LUA_LOADLIBNAME, luaopen_package},
        {LUA_TABLIBNAME, luaopen_table}, {LUA_STRLIBNAME, luaopen_string},
        {LUA_MATHLIBNAME, luaopen_math}, {LUA_OSLIBNAME, luaopen_os},
        {LUA_IOLIBNAME, luaopen_io},     {LUA_DBLIBNAME, luaopen_debug},
        {NULL, NULL}};
    for (const luaL_Reg *l = libs; l->func; l++) {
        luaL_requiref(L, l->name, l->func, 1);
        lua_pop(L, 1);
    }
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, rr_analysis_luaopen);
    lua_setfield(L, -2, "relax.analysis");
    lua_pop(L, 1);
    /* require finds modules next to the script (testlib.lua). */
    const char *script = argv[1], *slash = strrchr(script, '/');
    lua_getglobal(L, LUA_LOADLIBNAME);
    if (slash) /* the script's directory: one value either way */
        lua_pushlstring(L, script, (size_t)(slash - script));
    else
        lua_pushliteral(L, ".");
    lua_pushfstring(L, "%s/?.lua", lua_tostring(L, -1));
    lua_setfield(L, -3, "path");
    lua_pop(L, 2);
    lua_createtable(L, argc, 1);
    for (int i = 1; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - 1);
    }
    lua_setglobal(L, "arg");
    if (luaL_loadfilex(L, argv[1], "t") != LUA_OK)
        return lua_error(L);
    for (int i = 2; i < argc; i++)
        lua_pushstring(L, argv[i]);
    lua_call(L, argc - 2, 0);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SCRIPT.lua [ARG ...]\n", argv[0]);
        return 2;
    }
    lua_State *L = luaL_newstate();
    if (!L)
        return 1;
    lua_pushcfunction(L, msghandler);
    lua_pushcfunction(L, pmain);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    int rc = lua_pcall(L, 2, 0, 1);
    if (rc != LUA_OK)
        fprintf(stderr, "%s\n", lua_tostring(L, -1));
    lua_close(L);
    return rc == LUA_OK ? 0 : 1;
}
