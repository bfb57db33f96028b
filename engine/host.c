/* host.c - one Lua state per run, set up and run protected. */
#include "host.h"

#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
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
    bool mem_refused;        /* the allocator refused a block at the cap (rather than
                                the system refusing one) */
    double last_call_wall_s; /* last time Lua called into relaxrun, or a call returned
                                (moved on by the time spent in long C calls) */
    double last_hook_wall_s; /* the count hook's previous event */
    int killing;             /* the hook has decided to stop the script */
    /* Where the hook last saw the script (the first frame of user code):
     * Lua raises "not enough memory" without calling the message handler,
     * so this is all that is left to say where it ran out. */
    char seen_src[LUA_IDSIZE];
    int seen_line;
} host;

static host *host_of(lua_State *L) { return *(host **)lua_getextraspace(L); }

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void hook(lua_State *L, lua_Debug *ar);

/* The hook outside a kill: the count, for aborts and the watchdog. */
#define HOOK_MASK LUA_MASKCOUNT
#define HOOK_COUNT 1000
/* Between two count events Lua runs HOOK_COUNT instructions: ~10 us, and
 * ~0.4 ms under valgrind (measured on a plain loop).  A gap of over
 * C_CALL_GAP_S, 250 times that, was spent inside one C function (an
 * analysis fit, a sort), which the watchdog does not count as running Lua. */
#define C_CALL_GAP_S 0.1

rr_run *rr_host_run_of(lua_State *L)
{
    host *h = host_of(L);
    h->last_call_wall_s = wall_s();
    /* The watchdog's clock restarts when the binding returns too: a hold or
     * a pause may last far longer than the watchdog.  Lua reports a C
     * function's return to a return hook, so one is armed until then (the
     * hook disarms it); hooks are per coroutine, hence this L. */
    if (!h->killing)
        lua_sethook(L, hook, HOOK_MASK | LUA_MASKRET, HOOK_COUNT);
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
    if (h->mem_limit && nsize > osize && h->mem_used + (nsize - osize) > h->mem_limit) {
        h->mem_refused = true;
        return NULL; /* Lua raises "not enough memory" */
    }
    void *p = realloc(ptr, nsize);
    if (p)
        h->mem_used = h->mem_used - osize + nsize;
    return p;
}

/* ---- errors located in user code ----------------------------------------- */

/* Is source (a chunk name) a file under relaxrun's own scripts/?  A whole
 * path component: a protocol in a sibling scripts2/ is user code. */
static int is_own_script(host *h, const char *source)
{
    const char *dir = h->opt->scripts_dir;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    return source[0] == '@' && strncmp(source + 1, dir, n) == 0 && source[1 + n] == '/';
}

/* The first frame of user code from level up ("FILE:LINE"), else the first
 * frame with a line at all; false when there is none. */
static bool locate(host *h, lua_State *L, int level, char *src, size_t len, int *line)
{
    lua_Debug ar;
    bool found = false;
    for (; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sl", &ar);
        if (ar.currentline <= 0)
            continue;
        if (!found || !is_own_script(h, ar.source)) {
            snprintf(src, len, "%s", ar.short_src);
            *line = ar.currentline;
            found = true;
        }
        if (!is_own_script(h, ar.source))
            break;
    }
    return found;
}

int rr_host_error(lua_State *L, const char *fmt, ...)
{
    host *h = host_of(L);
    h->last_call_wall_s = wall_s(); /* a binding failing after a long wait */
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
    host *h = host_of(L);
    if (ar->event == LUA_HOOKRET) {
        /* A binding armed this on entry: it has returned. */
        h->last_call_wall_s = wall_s();
        if (!h->killing)
            lua_sethook(L, hook, HOOK_MASK, HOOK_COUNT);
        return;
    }
    if (!h->killing) {
        locate(h, L, 0, h->seen_src, sizeof h->seen_src, &h->seen_line);
        double now = wall_s(), gap = now - h->last_hook_wall_s;
        if (gap > C_CALL_GAP_S)
            h->last_call_wall_s = fmin(now, h->last_call_wall_s + gap);
        h->last_hook_wall_s = now;
        if (rr_run_check(h->run) != RR_OK) {
            h->killing = 1;
        } else if (h->opt->watchdog_s > 0 &&
                   now - h->last_call_wall_s > h->opt->watchdog_s) {
            rr_run_fail(h->run, RR_END_PROTOCOL_ERROR,
                        "watchdog: the protocol ran Lua for %.0f s without calling the "
                        "instrument (an endless loop?)", h->opt->watchdog_s);
            h->killing = 1;
        }
        if (h->killing) /* from now on every line raises: pcall cannot hold it */
            lua_sethook(L, hook, LUA_MASKLINE | LUA_MASKCOUNT, 1);
    }
    if (h->killing) {
        /* Located like any error: the hook runs in the script's own frame. */
        char src[LUA_IDSIZE];
        int line = 0;
        if (locate(h, L, 0, src, sizeof src, &line))
            lua_pushfstring(L, "%s:%d: %s", src, line, h->run->message);
        else
            lua_pushstring(L, h->run->message);
        lua_error(L);
    }
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

/* setmetatable without finalisers.  Lua runs a __gc with every hook off,
 * so neither an abort nor the watchdog could stop an endless one, and it may
 * run at lua_close; protocols have no need for them (Series free
 * themselves, `<close>` covers the rest). */
static int l_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        int gc = lua_rawget(L, 2) != LUA_TNIL;
        lua_pop(L, 1);
        if (gc)
            return rr_host_error(L, "protocols may not set __gc (a finaliser runs where "
                                    "neither Ctrl-C nor the watchdog can stop it)");
    }
    lua_pushvalue(L, lua_upvalueindex(1)); /* the base library's */
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* getmetatable: a userdata's metatable is the engine's (a Series frees its
 * samples from its __gc); handing it out would let a protocol install a Lua
 * finaliser after all.  A protocol gets a copy instead, the same one each
 * time (kept in a weak table in the registry): it reads like the real one,
 * and changing it changes nothing. */
static const char mt_copies_key[] = "relaxrun.metatable_copies";

static int l_getmetatable(lua_State *L)
{
    luaL_checkany(L, 1);
    if (lua_type(L, 1) != LUA_TUSERDATA) {
        lua_pushvalue(L, lua_upvalueindex(1)); /* the base library's */
        lua_insert(L, 1);
        lua_call(L, lua_gettop(L) - 1, 1);
        return 1;
    }
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return 1; /* a protected metatable says what to show */
    if (!lua_getmetatable(L, 1))
        return 0;
    if (luaL_getsubtable(L, LUA_REGISTRYINDEX, mt_copies_key) == 0) {
        lua_createtable(L, 0, 1); /* the copies go with their metatables */
        lua_pushliteral(L, "k");
        lua_setfield(L, -2, "__mode");
        lua_setmetatable(L, -2);
    }
    lua_pushvalue(L, -2);
    if (lua_rawget(L, -2) == LUA_TTABLE)
        return 1;
    lua_pop(L, 1);
    lua_newtable(L); /* copies, mt, copy */
    lua_pushnil(L);
    while (lua_next(L, -4)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -4);
    }
    lua_pushvalue(L, -3);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4); /* copies[mt] = copy */
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
    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, l_setmetatable, 1);
    lua_setglobal(L, "setmetatable");
    lua_getglobal(L, "getmetatable");
    lua_pushcclosure(L, l_getmetatable, 1);
    lua_setglobal(L, "getmetatable");

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
    if (rc == LUA_ERRMEM) {
        /* Lua unwinds a memory error without the message handler: no
         * traceback, so say where the hook last saw the script, and why. */
        const char *proto = h->opt->protocol_path;
        char where[1200], cap[96];
        if (h->seen_line <= 0)
            snprintf(where, sizeof where, "%s", proto);
        else if (strcmp(h->seen_src, proto) == 0)
            snprintf(where, sizeof where, "%s:%d", h->seen_src, h->seen_line);
        else /* a module, or a path too long for Lua's short source */
            snprintf(where, sizeof where, "%s:%d (protocol %s)", h->seen_src, h->seen_line,
                     proto);
        if (h->mem_refused)
            snprintf(cap, sizeof cap, "the protocol's Lua memory reached its cap of %.6g MB "
                     "(--memory-limit)", (double)h->mem_limit / 1048576.0);
        else
            snprintf(cap, sizeof cap, "the system refused memory at %.6g MB of Lua memory",
                     (double)h->mem_used / 1048576.0);
        rr_run_fail(run, RR_END_PROTOCOL_ERROR, "%s: not enough memory: %s", where, cap);
        st = RR_ERR_ARG;
        lua_pop(L, 1);
    } else if (rc != LUA_OK) {
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
    lua_sethook(h->L, hook, HOOK_MASK, HOOK_COUNT);
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
    h->mem_refused = false;
    lua_sethook(h->L, hook, HOOK_MASK, HOOK_COUNT);
}

void rr_host_close(rr_host *h)
{
    if (!h)
        return;
    /* The safe state before lua_close: closing runs what finalisers and
     * pending `<close>` handlers remain, with hooks off for the former, and
     * nothing may stand between the end of the protocol and the sample's
     * safety.  (An instrument without a reset, relaxrun analyze's, has no
     * safe state to reach.) */
    if (h->run->in && h->run->in->ops->reset)
        rr_run_safe_state(h->run);
    if (h->L)
        lua_close(h->L);
    free(h);
}

/* After a protocol that ran to its end: a name=value it never declared
 * (protocols that declare no parameters, or never call the instrument,
 * where the check at each call cannot catch it). */
static rr_status check_unused_overrides(host *h)
{
    rr_run *run = h->run;
    for (size_t i = 0; i < run->noverrides; i++)
        if (!run->overrides[i].used)
            return rr_run_fail(run, RR_END_USAGE_ERROR,
                               "%s: unknown parameter '%s' (the protocol declares no such "
                               "parameter; see --describe for its parameters)",
                               h->opt->protocol_path, run->overrides[i].name);
    return RR_OK;
}

rr_status rr_host_run(rr_run *run, const rr_host_options *opt)
{
    rr_host *h = NULL;
    rr_status st = rr_host_open(run, opt, &h);
    if (st != RR_OK)
        return st;
    st = protected_call(h, pprotocol);
    if (st == RR_OK)
        st = check_unused_overrides(h);
    rr_host_close(h);
    return st;
}
