/* test_push_series.c - the engine's side of the Series binding:
 * rr_lua_push_series takes ownership (freed by __gc; the leak checkers
 * of the sanitizer and valgrind runs hold us to it), works before the
 * module is required, and rr_lua_check_series rejects other values. */
#include <lauxlib.h>
#include <lualib.h>
#include <string.h>

#include "analysis_lua.h"
#include "harness.h"

static rr_series *make(int n)
{
    rr_series *s;
    if (rr_series_new(100, "seg 3", &s) != RR_OK)
        return NULL;
    for (int i = 1; i <= n; i++) {
        rr_sample x = {.t_s = 100 + 0.1 * i, .temp_K = 315, .strain = 0.006,
                       .stress_MPa = 240 - 0.01 * i};
        rr_series_append(s, &x);
    }
    return s;
}

static const char *run(lua_State *L, const char *code)
{
    if (luaL_dostring(L, code) != LUA_OK)
        return lua_tostring(L, -1);
    return NULL;
}

TEST(push_before_require_and_use)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    rr_lua_push_series(L, make(50));
    lua_setglobal(L, "s");
    const char *e = run(L, "assert(#s == 50 and s.label == 'seg 3' and s.t0_s == 100)\n"
                           "local t = s:time(); assert(math.abs(t[1] - 0.1) < 1e-12)\n"
                           "local n = s:normalized(); assert(n:stress()[1] == 1)\n"
                           "assert(s:slice(1, 2).n == 11)\n"
                           "assert(type(s.twostep) == 'function')");
    CHECK(e == NULL);
    if (e)
        fprintf(stderr, "  %s\n", e);
    lua_getglobal(L, "s");
    rr_series *s = rr_lua_check_series(L, -1);
    CHECK(s && s->n == 50);
    lua_close(L); /* __gc frees the series */
}

static int check_number(lua_State *L)
{
    rr_lua_check_series(L, 1);
    return 0;
}

TEST(check_rejects_other_values)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    luaL_requiref(L, "an", rr_analysis_luaopen, 1);
    lua_pop(L, 1);
    lua_pushcfunction(L, check_number);
    lua_pushnumber(L, 3);
    CHECK(lua_pcall(L, 1, 0, 0) != LUA_OK);
    CHECK(strstr(lua_tostring(L, -1), "relax.Series expected") != NULL);
    lua_pop(L, 1);
    const char *e = run(L, "local s = an.series{t_s = {1, 2}, stress_MPa = {3, 4}}\n"
                           "s:close(); s:close()\n" /* idempotent */
                           "local ok, m = pcall(function() return #s end)\n"
                           "assert(not ok and m:find('closed series'))");
    CHECK(e == NULL);
    if (e)
        fprintf(stderr, "  %s\n", e);
    lua_close(L);
}

int main(void)
{
    RUN(push_before_require_and_use);
    RUN(check_rejects_other_values);
    return rr_test_summary();
}
