/* host.h - the Lua 5.4 host: one lua_State per run, libraries chosen
 * explicitly, `require` limited to scripts/ and the protocol's own folder,
 * every error reported with file, line and traceback, and a count hook that
 * enforces aborts and the watchdog even through pcall.  Protocols may not
 * set Lua finalisers (__gc): Lua runs them with every hook off, where no
 * abort and no watchdog could stop one.
 */
#ifndef RR_HOST_H
#define RR_HOST_H

#include <stddef.h>

#include <lua.h>

#include "run.h"
#include "status.h"

typedef struct rr_host_options {
    const char *protocol_path;  /* as the user gave it (for messages) */
    const char *scripts_dir;    /* relaxrun's own Lua library */
    size_t memory_limit_bytes;  /* cap through the allocator; 0 = none */
    double watchdog_s;          /* Lua may run this long without calling the
                                   instrument; 0 = no watchdog */
    char *const *args;          /* strings passed to the chunk as `...` */
    int nargs;
} rr_host_options;

/* Runs the protocol to its end, then drives the instrument to its safe state
 * and closes the Lua state.  Returns RR_OK when it finished; otherwise
 * run->failure says why (a Lua error or running out of memory becomes
 * RR_END_PROTOCOL_ERROR, a name=value the protocol never declared
 * RR_END_USAGE_ERROR) and run->message holds the message with the
 * traceback. */
rr_status rr_host_run(rr_run *run, const rr_host_options *opt);

/* A Lua state set up for a run, kept open (the console uses it line by
 * line).  rr_host_open returns RR_OK or a failure recorded in the run. */
typedef struct rr_host rr_host;
rr_status rr_host_open(rr_run *run, const rr_host_options *opt, rr_host **out);
lua_State *rr_host_state(rr_host *h); /* borrowed */
/* Before running more Lua after a pause (the console's prompt): restarts the
 * watchdog's clock and lifts a previous kill. */
void rr_host_touch(rr_host *h);
/* The safe state (when the instrument has a reset), then lua_close, so that
 * nothing closing runs can stand before the sample's safety.  NULL-safe. */
void rr_host_close(rr_host *h);

/* For bindings, on entry: the run of this state, and a note that Lua called
 * relaxrun (the watchdog's clock restarts now and when the binding
 * returns). */
rr_run *rr_host_run_of(lua_State *L);

/* Raises a Lua error located at the first frame of user code (the protocol
 * or one of its modules), not inside relaxrun's own scripts. */
int rr_host_error(lua_State *L, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The raw C functions of "relax.core" (lua_core.c). */
int rr_core_luaopen(lua_State *L);

#endif
