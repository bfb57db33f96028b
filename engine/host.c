/* host.c - one Lua state per run, set up and run protected. */
#include "host.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analysis_lua.h"

typedef struct rr_host {
    lua_State *L;
    rr_run *run;
    const rr_host_options *opt;
    char protocol_dir[1024];
    size_t mem_used, mem_limit;
    double last_call_wall_s; /* last time Lua called into relaxrun */
    int killing;             /* the hook has decided to stop the script */
} host;

static host *host_of(lua_State *L) { return *(host **)lua_getextraspace(L); }

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

rr_run *rr_host_run_of(lua_State *L)
{
    host *h = host_of(L);
    h->last_call_wall_s = wall_s();
    return h->run;
}

/* ---- memory cap ---------------------------------------------------------- */

static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    host *h = ud;
    if (!ptr)
        osize = 0;
    if (nsize == 0) {
        free(ptr);
        h->mem_used -= osize;
        return NULL;
    }
    if (h->mem_limit && nsize > osize && h->mem_used + (nsize - osize) > h->mem_limit)
        return NULL; /* Lua raises "not enough memory" */
    void *p = realloc(ptr, nsize);
    if (p)
        h->mem_used = h->mem_used - osize + nsize;
    return p;
}

/* ---- errors located in user code ----------------------------------------- */

static int is_own_script(host *h, const char *source)
{
    size_t n = strlen(h->opt->scripts_dir);
    return source[0] == '@' && strncmp(source + 1, h->opt->scripts_dir, n) == 0;
}

int rr_host_error(lua_State *L, const char *fmt, ...)
{
    host *h = host_of(L);
    /* vsnprintf, not lua_pushvfstring: the messages use %g, %zu and widths. */
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sl", &ar);
        if (ar.currentline > 0 && !is_own_script(h, ar.source)) {
            lua_pushfstring(L, "%s:%d: %s", ar.short_src, ar.currentline, msg);
            return lua_error(L);
        }
    }
    lua_pushstring(L, msg);
    return lua_error(L);
}

/* ---- the count hook: aborts and the watchdog ------------------------------ */

static void hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    host *h = host_of(L);
    if (!h->killing) {
        if (rr_run_check(h->run) != RR_OK) {
            h->killing = 1;
        } else if (h->opt->watchdog_s > 0 &&
                   wall_s() - h->last_call_wall_s > h->opt->watchdog_s) {
            rr_run_fail(h->run, RR_END_PROTOCOL_ERROR,
                        "watchdog: the protocol ran Lua for %.0f s without calling the "
                        "instrument (an endless loop?)", h->opt->watchdog_s);
            h->killing = 1;
        }
        if (h->killing) /* from now on every line raises: pcall cannot hold it */
            lua_sethook(L, hook, LUA_MASKLINE | LUA_MASKCOUNT, 1);
    }
    if (h->killing)
        luaL_error(L, "%s", h->run->message);
}

/* ---- libraries ------------------------------------------------------------ */

/* print: to stdout and to the event log. */
static int l_print(lua_State *L)
{
    host *h = host_of(L);
    int n = lua_gettop(L); /* before luaL_buffinit, which uses a stack slot */
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
        if (i < n)
            luaL_addchar(&b, '\t');
    }
    luaL_pushresult(&b);
    const char *s = lua_tostring(L, -1);
    if (h->run->verbosity >= 0) {
        fputs(s, stdout);
        fputc('\n', stdout);
        fflush(stdout);
    }
    rr_run_event(h->run, "PRINT", "%s", s);
    return 0;
}

/* load: text chunks only. */
static int l_load(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *name = luaL_optstring(L, 2, "=(load)");
    int env = !lua_isnone(L, 4);
    if (luaL_loadbufferx(L, s, len, name, "t") != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    if (env) {
        lua_pushvalue(L, 4);
        if (!lua_setupvalue(L, -2, 1))
            lua_pop(L, 1);
    }
    return 1;
}

static void open_libs(lua_State *L)
{
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},          {LUA_LOADLIBNAME, luaopen_package},
        {LUA_COLIBNAME, luaopen_coroutine}, {LUA_TABLIBNAME, luaopen_table},
        {LUA_STRLIBNAME, luaopen_string},   {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},    {NULL, NULL}};
    for (const luaL_Reg *lib = libs; lib->func; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    /* Base: no file access; text-only load; print to the log too. */
    lua_pushnil(L);
    lua_setglobal(L, "dofile");
    lua_pushnil(L);
    lua_setglobal(L, "loadfile");
    lua_pushcfunction(L, l_load);
    lua_setglobal(L, "load");
    lua_pushcfunction(L, l_print);
    lua_setglobal(L, "print");

    /* os: only time, date and clock. */
    lua_pushcfunction(L, luaopen_os);
    lua_call(L, 0, 1);
    lua_newtable(L);
    for (const char *const *f = (const char *const[]){"time", "date", "clock", "difftime", NULL}; *f; f++) {
        lua_getfield(L, -2, *f);
        lua_setfield(L, -2, *f);
    }
    lua_pushvalue(L, -1);
    lua_setglobal(L, "os");
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "os");
    lua_pop(L, 3);
}

/* ---- require: scripts/ and the protocol's folder, Lua sources only -------- */

static int searcher(lua_State *L)
{
    host *h = host_of(L);
    const char *name = luaL_checkstring(L, 1);
    char rel[512];
    snprintf(rel, sizeof rel, "%s", name);
    for (char *c = rel; *c; c++)
        if (*c == '.')
            *c = '/';
    const char *dirs[] = {h->opt->scripts_dir, h->protocol_dir};
    luaL_Buffer tried;
    luaL_buffinit(L, &tried);
    for (int i = 0; i < 2; i++) {
        char path[1600];
        snprintf(path, sizeof path, "%s/%s.lua", dirs[i], rel);
        FILE *f = fopen(path, "r");
        if (!f) {
            lua_pushfstring(L, "\n\tno file '%s'", path);
            luaL_addvalue(&tried);
            continue;
        }
        fclose(f);
        if (luaL_loadfilex(L, path, "t") != LUA_OK)
            return luaL_error(L, "error loading module '%s':\n\t%s", name, lua_tostring(L, -1));
        /* Keep a copy with the run, so it can be reproduced from its folder. */
        char sub[600];
        const char *slash = strrchr(rel, '/');
        if (slash)
            snprintf(sub, sizeof sub, "source/%.*s", (int)(slash - rel), rel);
        else
            snprintf(sub, sizeof sub, "source");
        rr_recorder_copy(h->run->rec, path, sub);
        lua_pushstring(L, path);
        return 2;
    }
    luaL_pushresult(&tried);
    return 1;
}

static void setup_require(lua_State *L, host *h)
{
    lua_getglobal(L, LUA_LOADLIBNAME);
    lua_pushliteral(L, "");
    lua_setfield(L, -2, "cpath");
    lua_pushfstring(L, "%s/?.lua;%s/?.lua", h->opt->scripts_dir, h->protocol_dir);
    lua_setfield(L, -2, "path");
    lua_pushnil(L);
    lua_setfield(L, -2, "loadlib");
    lua_pushnil(L);
    lua_setfield(L, -2, "searchpath");
    /* searchers = { preload, ours } */
    lua_getfield(L, -1, "searchers");
    lua_rawgeti(L, -1, 1);
    lua_newtable(L);
    lua_insert(L, -2);
    lua_rawseti(L, -2, 1);
    lua_pushcfunction(L, searcher);
    lua_rawseti(L, -2, 2);
    lua_setfield(L, -3, "searchers");
    lua_pop(L, 1);
    /* Engine modules live in package.preload. */
    lua_getfield(L, -1, "preload");
    lua_pushcfunction(L, rr_core_luaopen);
    lua_setfield(L, -2, "relax.core");
    lua_pushcfunction(L, rr_analysis_luaopen);
    lua_setfield(L, -2, "relax.analysis");
    lua_pop(L, 2);
}

/* ---- running -------------------------------------------------------------- */

static int msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Protected setup of a fresh state: libraries and require. */
static int psetup(lua_State *L)
{
    open_libs(L);
    setup_require(L, host_of(L));
    return 0;
}

/* Runs the protocol file with its own _ENV. */
static int pprotocol(lua_State *L)
{
    host *h = host_of(L);
    FILE *f = fopen(h->opt->protocol_path, "r");
    if (!f)
        return luaL_error(L, "%s: cannot open the protocol", h->opt->protocol_path);
    fclose(f);
    if (luaL_loadfilex(L, h->opt->protocol_path, "t") != LUA_OK)
        return lua_error(L);
    /* The protocol gets its own _ENV, reading through to the globals. */
    lua_newtable(L);
    lua_newtable(L);
    lua_pushglobaltable(L);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_setupvalue(L, -2, 1);
    h->last_call_wall_s = wall_s();
    for (int i = 0; i < h->opt->nargs; i++)
        lua_pushstring(L, h->opt->args[i]);
    lua_call(L, h->opt->nargs, 0);
    return 0;
}

/* Calls f protected with the traceback handler; the run records a Lua error
 * as a protocol error (or adds the location to its own reason). */
static rr_status protected_call(host *h, lua_CFunction f)
{
    lua_State *L = h->L;
    rr_run *run = h->run;
    lua_pushcfunction(L, msghandler);
    lua_pushcfunction(L, f);
    int rc = lua_pcall(L, 0, 0, -2);
    rr_status st = RR_OK;
    if (rc != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        if (run->failure == RR_END_RUNNING)
            rr_run_fail(run, RR_END_PROTOCOL_ERROR, "%s", msg ? msg : "error");
        else if (msg && strstr(msg, run->message))
            /* The run's own reason, now with where the protocol was. */
            snprintf(run->message, sizeof run->message, "%s", msg);
        st = RR_ERR_ARG;
        lua_pop(L, 1);
    } else {
        st = rr_run_check(run);
    }
    lua_pop(L, 1); /* the message handler */
    return st;
}

rr_status rr_host_open(rr_run *run, const rr_host_options *opt, rr_host **out)
{
    *out = NULL;
    host *h = calloc(1, sizeof *h);
    if (!h)
        return rr_run_fail(run, RR_END_INTERNAL_ERROR, "out of memory");
    h->run = run;
    h->opt = opt;
    h->mem_limit = opt->memory_limit_bytes;
    snprintf(h->protocol_dir, sizeof h->protocol_dir, "%s", opt->protocol_path);
    char *slash = strrchr(h->protocol_dir, '/');
    if (slash)
        *slash = 0;
    else
        snprintf(h->protocol_dir, sizeof h->protocol_dir, ".");

    h->L = lua_newstate(l_alloc, h);
    if (!h->L) {
        free(h);
        return rr_run_fail(run, RR_END_INTERNAL_ERROR, "cannot create the Lua state");
    }
    *(host **)lua_getextraspace(h->L) = h;
    lua_sethook(h->L, hook, LUA_MASKCOUNT, 1000);
    rr_status st = protected_call(h, psetup);
    if (st != RR_OK) {
        rr_host_close(h);
        return st;
    }
    *out = h;
    return RR_OK;
}

lua_State *rr_host_state(rr_host *h) { return h->L; }

void rr_host_touch(rr_host *h)
{
    h->last_call_wall_s = wall_s();
    h->killing = 0;
    lua_sethook(h->L, hook, LUA_MASKCOUNT, 1000);
}

void rr_host_close(rr_host *h)
{
    if (!h)
        return;
    if (h->L)
        lua_close(h->L);
    free(h);
}

rr_status rr_host_run(rr_run *run, const rr_host_options *opt)
{
    rr_host *h = NULL;
    rr_status st = rr_host_open(run, opt, &h);
    if (st != RR_OK)
        return st;
    st = protected_call(h, pprotocol);
    rr_host_close(h);
    return st;
}
