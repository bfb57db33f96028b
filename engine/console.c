/* console.c - `relaxrun console`: an interactive Lua prompt connected to an
 * instrument, for trying things by hand.
 *
 * It is a run like any other: a run directory records what was done, the
 * limits apply, and every failure (a limit, a fault, Ctrl-C during a
 * command) drives the instrument to its safe state.  Unlike a protocol, the
 * console then carries on: the failure is reported and the prompt returns.
 * Line editing and history come from libedit; the history is kept in
 * $RELAXRUN_HISTORY or ~/.relaxrun_history.
 */
#include "console.h"

#include <editline/readline.h>
#include <getopt.h>
#include <lauxlib.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "paths.h"
#include "recorder.h"
#include "run.h"
#include "yamlconf.h"

static const char console_usage[] =
    "usage: relaxrun console [-I SPEC] [-o DIR] [--seed N] [--no-noise] [--pace X]\n"
    "An interactive Lua prompt on the instrument (the simulator by default);\n"
    "`relax` is loaded.  Ctrl-C stops a running command (the instrument goes to\n"
    "its safe state), Ctrl-D or exit() leaves.\n";

static char history_path[1024];

/* Is the chunk incomplete (a syntax error at <eof>)?  As in lua.c. */
static int incomplete(lua_State *L, int status)
{
    if (status == LUA_ERRSYNTAX) {
        size_t len;
        const char *msg = lua_tolstring(L, -1, &len);
        const char *eof = "<eof>";
        size_t n = strlen(eof);
        if (len >= n && strcmp(msg + len - n, eof) == 0) {
            lua_pop(L, 1);
            return 1;
        }
    }
    return 0;
}

static int traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    luaL_traceback(L, L, msg ? msg : "(error object is not a string)", 1);
    return 1;
}

/* Compiles "return LINE" (to print values) or else LINE; reads more lines
 * while the chunk is incomplete.  Leaves the function on the stack. */
static int compile(lua_State *L, char *line)
{
    char *buf = line;
    for (;;) {
        char *ret = malloc(strlen(buf) + 8);
        if (!ret)
            return LUA_ERRMEM;
        sprintf(ret, "return %s", buf);
        int st = luaL_loadbufferx(L, ret, strlen(ret), "=console", "t");
        free(ret);
        if (st == LUA_OK)
            break;
        lua_pop(L, 1);
        st = luaL_loadbufferx(L, buf, strlen(buf), "=console", "t");
        if (!incomplete(L, st)) {
            if (buf != line)
                free(buf);
            return st;
        }
        char *more = readline(">> ");
        if (!more) {
            if (buf != line)
                free(buf);
            lua_pushliteral(L, "incomplete statement at the end of input");
            return LUA_ERRSYNTAX;
        }
        char *joined = malloc(strlen(buf) + strlen(more) + 2);
        if (!joined) {
            free(more);
            return LUA_ERRMEM;
        }
        sprintf(joined, "%s\n%s", buf, more);
        free(more);
        if (buf != line)
            free(buf);
        buf = joined;
    }
    if (buf != line) {
        add_history(buf);
        free(buf);
    } else {
        add_history(line);
    }
    return LUA_OK;
}

/* Only Ctrl-C leaves the console at its prompt; SIGTERM, SIGHUP (the
 * terminal is gone) and SIGQUIT end the session. */
static bool ends_session(int sig) { return sig && sig != SIGINT; }

/* After a failed command: the safe state, the message, and a fresh start
 * (false: a signal ends the session, and the run stays aborted). */
static bool recover(rr_run *run, rr_host *h)
{
    int sig = rr_abort_requested();
    rr_run_safe_state(run);
    fprintf(stderr, "%s\n(the instrument is in its safe state: strain 0, oscillation off, "
                    "heater standby)\n", run->message);
    if (ends_session(sig))
        return false;
    run->failure = RR_END_RUNNING;
    run->message[0] = 0;
    rr_abort_request(0);
    rr_host_touch(h);
    return true;
}

static void repl(rr_run *run, rr_host *h)
{
    lua_State *L = rr_host_state(h);
    /* relax as a global, for typing speed. */
    lua_getglobal(L, "require");
    lua_pushliteral(L, "relax");
    if (lua_pcall(L, 1, 1, 0) == LUA_OK)
        lua_setglobal(L, "relax");
    else
        lua_pop(L, 1);
    printf("relaxrun console on %s: Lua 5.4 with `relax` loaded; Ctrl-D to leave\n",
           run->in->spec[0] ? run->in->spec : "the instrument");
    for (;;) {
        char *line = readline("relax> ");
        if (!line) {
            if (rr_abort_requested() == SIGINT) { /* Ctrl-C at the prompt: a new line */
                rr_abort_request(0);
                putchar('\n');
                continue;
            }
            if (rr_abort_requested())
                rr_run_check(run); /* the session ends aborted */
            putchar('\n');
            break;
        }
        if (!*line) {
            free(line);
            continue;
        }
        if (strcmp(line, "exit") == 0 || strcmp(line, "exit()") == 0) {
            add_history(line);
            free(line);
            break;
        }
        rr_abort_request(0);
        rr_host_touch(h);
        int base = lua_gettop(L);
        lua_pushcfunction(L, traceback);
        int st = compile(L, line);
        free(line);
        if (st == LUA_OK)
            st = lua_pcall(L, 0, LUA_MULTRET, base + 1);
        if (st != LUA_OK) {
            const char *msg = lua_tostring(L, -1);
            if (run->failure != RR_END_RUNNING || rr_abort_requested()) {
                rr_run_check(run);
                if (!recover(run, h)) {
                    lua_settop(L, base);
                    break;
                }
            } else {
                fprintf(stderr, "%s\n", msg ? msg : "error");
            }
        } else {
            int n = lua_gettop(L) - base - 1;
            for (int i = 1; i <= n; i++) {
                luaL_tolstring(L, base + 1 + i, NULL);
                printf("%s%s", lua_tostring(L, -1), i < n ? "\t" : "\n");
                lua_pop(L, 1);
            }
            fflush(stdout);
        }
        lua_settop(L, base);
    }
}

int rr_console_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"instrument", required_argument, NULL, 'I'}, {"output", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'},       {"no-noise", no_argument, NULL, 'n'},
        {"pace", required_argument, NULL, 'p'},       {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *spec = "sim", *outdir = NULL;
    unsigned long seed = 1;
    int noise = 1, c;
    double pace = 0, v;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "I:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'I': spec = optarg; break;
        case 'o': outdir = optarg; break;
        case 'n': noise = 0; break;
        case 's':
            if (rr_parse_number(optarg, &v) != RR_OK || v < 0) {
                fprintf(stderr, "relaxrun console: --seed: '%s' is not a number\n", optarg);
                return RR_EXIT_USAGE;
            }
            seed = (unsigned long)v;
            break;
        case 'p':
            if (rr_parse_number(optarg, &v) != RR_OK || v < 0) {
                fprintf(stderr, "relaxrun console: --pace: '%s' is not a number\n", optarg);
                return RR_EXIT_USAGE;
            }
            pace = v;
            break;
        case 'h': fputs(console_usage, stdout); return RR_EXIT_OK;
        default: fputs(console_usage, stderr); return RR_EXIT_USAGE;
        }
    }
    rr_paths paths;
    if (rr_paths_resolve(&paths) != RR_OK) {
        fputs("relaxrun: cannot find relaxrun's Lua library\n", stderr);
        return RR_EXIT_INTERNAL;
    }
    char err[1024];
    rr_recorder *rec = NULL;
    rr_status open_st = rr_recorder_open(outdir, "console", &rec, err, sizeof err);
    if (open_st != RR_OK) {
        fprintf(stderr, "relaxrun: %s\n", err);
        return rr_recorder_open_exit_code(open_st);
    }
    char transcript[1200];
    snprintf(transcript, sizeof transcript, "%s/transcript.log", rr_recorder_dir(rec));
    rr_open_options oo = {.seed = seed, .noise = noise != 0, .presets_dir = paths.presets_dir,
                          .transcript_path = strncmp(spec, "sim", 3) ? transcript : NULL};
    rr_instrument *in = NULL;
    if (rr_instrument_open(spec, &oo, &in, err, sizeof err) != RR_OK) {
        fprintf(stderr, "relaxrun: %s\n", err);
        rr_recorder_finish(rec, RR_END_INSTRUMENT_FAILURE, err);
        rr_recorder_free(rec);
        return RR_EXIT_INSTRUMENT;
    }
    rr_recorder_set_protocol(rec, "(console)", "");
    rr_recorder_set_command_line(rec, argc, argv);
    rr_recorder_set_seed(rec, seed);

    rr_abort_install_handlers();
    rr_run run;
    rr_status st = rr_run_init(&run, in, rec);
    run.pace = pace;
    char identity[256] = "";
    RR_CALL(in, identify, identity, sizeof identity);
    rr_recorder_set_instrument(rec, in->spec[0] ? in->spec : spec, identity, &run.limits);

    const char *home = getenv("HOME");
    const char *hist = getenv("RELAXRUN_HISTORY");
    snprintf(history_path, sizeof history_path, "%s%s", hist ? hist : home ? home : ".",
             hist ? "" : "/.relaxrun_history");
    using_history();
    read_history(history_path);

    rr_host *h = NULL;
    rr_host_options ho = {.protocol_path = "./console", .scripts_dir = paths.scripts_dir,
                          .memory_limit_bytes = (size_t)2048 * 1048576, .watchdog_s = 60};
    if (st == RR_OK && rr_host_open(&run, &ho, &h) == RR_OK) {
        fprintf(stderr, "relaxrun: console session recorded in %s\n", rr_recorder_dir(rec));
        repl(&run, h);
    }
    write_history(history_path);
    rr_host_close(h);
    /* Whatever happened: the instrument to its safe state, then the data. */
    rr_end end = rr_run_close(&run);
    int code = rr_end_exit_code(end);
    rr_run_release(&run);
    rr_recorder_free(rec);
    rr_instrument_close(in);
    return code;
}
