#!/usr/bin/env bash
# The engine's hardening, in virtual time (no wall-clock timing): Lua
# finalisers refused, --describe and unknown parameters with the right exit
# status, infinite durations as protocol errors, out-of-memory and watchdog
# messages with file and line, errors located past a sibling of scripts/,
# and the safe state stamped with the instrument's time.
. "$(dirname "$0")/lib.sh"

# A hang is a failure, not a stuck test: every run here ends in seconds.
rrt() { # rrt ARGS... : rr under a time limit (SIGKILL: the engine ignores nothing else)
  local t=60
  [ "${RELAXRUN_VALGRIND:-0}" = 1 ] && t=300
  if [ "${RELAXRUN_VALGRIND:-0}" = 1 ]; then
    timeout -s KILL $t valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
      --error-exitcode=99 "$RELAXRUN" "$@" >"$TMP/out" 2>"$TMP/err"
  else
    timeout -s KILL $t "$RELAXRUN" "$@" >"$TMP/out" 2>"$TMP/err"
  fi
  rc=$?
  [ $rc = 137 ] && echo "     (killed after $t s: the engine hung)"
  [ $rc = 99 ] && { echo "valgrind reported errors:"; cat "$TMP/err"; }
}

# ---- 1. Lua finalisers: refused, so none can hang the engine ---------------
write p/gc_loop.lua <<'LUA'
local relax = require "relax"
relax.heat_to(315)
relax.set_strain(0.006)
setmetatable({}, {__gc = function() while true do end end})
collectgarbage()
relax.note("not reached")
LUA
rrt -q -o gc p/gc_loop.lua
expect_rc 3 "an endless __gc: refused, no hang"
expect_grep "p/gc_loop\.lua:4: protocols may not set __gc" "$TMP/err" "__gc: refused with file and line"
expect_grep "safe state reached" gc/events.log "__gc: safe state"
grep -q "not reached" gc/events.log && bad "__gc: the protocol went on" || ok "__gc: the protocol stopped there"

# A Series' metatable is the engine's: a protocol gets a copy, and swapping
# the copy's __gc changes nothing (the Series is freed at the end, no hang).
write p/gc_series.lua <<'LUA'
local relax = require "relax"
relax.set_strain(0.006)
local s = relax.analysis.series { t_s = { 1, 2 }, stress_MPa = { 1, 2 } }
local mt = getmetatable(s)
assert(mt == getmetatable(s) and type(mt.__index) == "function", "a copy, always the same")
mt.__gc = function() while true do end end
assert(not pcall(setmetatable, {}, mt), "its copy cannot make a finaliser either")
s = nil
collectgarbage()
relax.note("collected")
LUA
rrt -q -o gcs p/gc_series.lua
expect_rc 0 "a Series' __gc cannot be replaced (no hang)"
expect_grep "NOTE collected" gcs/events.log "Series metatable: the Series was collected"
expect_grep "safe state reached" gcs/events.log "Series metatable: safe state"

# Metatables without __gc work as before (the shipped library uses them).
write p/meta.lua <<'LUA'
local relax = require "relax"
local t = setmetatable({}, { __index = function(_, k) return k .. "!" end })
assert(t.x == "x!")
assert(getmetatable(t).__index)
assert(getmetatable("").__index == string)
local p = relax.parameters { { "n", 2, "1", "a number" } }
assert(p.n == 3)
assert(not pcall(function() return p.missing end))
relax.report("n", p.n, "1", "the parameter")
LUA
rrt -q -o meta p/meta.lua n=3
expect_rc 0 "setmetatable and getmetatable without __gc"

# ---- 4. Exit statuses -------------------------------------------------------
write p/syntax.lua <<'LUA'
local relax = require "relax"
relax.describe("x")
local = 1
LUA
rrt --describe p/syntax.lua
expect_rc 3 "--describe of a syntax error"
expect_grep "p/syntax\.lua:3: <name> expected near '='" "$TMP/err" "--describe: file and line"
grep -q "relaxrun-plan" "$TMP/err" && bad "--describe names its deleted temporary directory" ||
  ok "--describe: no temporary directory named"
write p/limits.lua <<'LUA'
local relax = require "relax"
relax.describe("breaks a limit")
relax.heat_to(5000)
LUA
rrt --describe p/limits.lua
expect_rc 0 "--describe of a protocol beyond the limits (only a dry run minds)"
rrt --dry-run p/limits.lua
expect_rc 3 "--dry-run of the same"

write p/note.lua <<'LUA'
local relax = require "relax"
relax.note("no parameters, no instrument")
LUA
rrt -q -o unknown p/note.lua foo=1
expect_rc 2 "unknown parameter, none declared, no instrument call"
expect_grep "p/note\.lua: unknown parameter 'foo'" "$TMP/err" "unknown parameter named"
expect_grep '^status: "usage_error"' unknown/manifest.yaml "unknown parameter: the manifest says usage_error"
write p/noparams.lua <<'LUA'
local relax = require "relax"
relax.hold(10)
LUA
rrt -q -o unknown2 p/noparams.lua foo=1
expect_rc 2 "unknown parameter, none declared, instrument called"
expect_grep "p/noparams\.lua:2: unknown parameter 'foo'" "$TMP/err" "refused at the first instrument call"
rrt -q -o known p/note.lua
expect_rc 0 "the same protocol without parameters"

write p/inf.lua <<'LUA'
local relax = require "relax"
relax.step(0.006, {duration_s = math.huge, label = "inf"})
LUA
rrt -q -o inf p/inf.lua
expect_rc 3 "a recording of math.huge s: a protocol error"
expect_grep "p/inf\.lua:2: recording needs a finite duration \(duration_s = inf\)" "$TMP/err" \
  "math.huge: the argument named"
expect_grep '^status: "protocol_error"' inf/manifest.yaml "math.huge: protocol_error"
expect_grep "safe state reached" inf/events.log "math.huge: safe state"
write p/nan.lua <<'LUA'
local core = require "relax.core"
core.relaxation(0.006, 0/0, 10, "nan")
LUA
rrt -q -o nan p/nan.lua
expect_rc 3 "a recording of NaN s: a protocol error"
expect_grep "p/nan\.lua:2: recording needs a duration > 0 s \(duration_s = -?nan\)" "$TMP/err" \
  "NaN: the argument named"
write p/holdinf.lua <<'LUA'
local core = require "relax.core"
core.hold(math.huge)
LUA
rrt -q -o holdinf p/holdinf.lua
expect_rc 3 "a hold of math.huge s: a protocol error"

# ---- 6. Out of memory and the hook's errors: file and line ----------------
write p/mem.lua <<'LUA'
local relax = require "relax"
relax.heat_to(315)
local t = {}
for i = 1, 1e9 do t[i] = ("x"):rep(100) .. i end
LUA
rrt -q --memory-limit 20 -o mem p/mem.lua
expect_rc 3 "memory cap"
expect_grep "p/mem\.lua:4: not enough memory: the protocol's Lua memory reached its cap of 20 MB \(--memory-limit\)" \
  "$TMP/err" "out of memory: where, and the cap in MB"
expect_grep "safe state reached" mem/events.log "out of memory: safe state"

write p/loop.lua <<'LUA'
local relax = require "relax"
relax.heat_to(300)
while true do
  pcall(function() while true do end end)
end
LUA
rrt -q --watchdog 1 -o loop p/loop.lua
expect_rc 3 "watchdog"
expect_grep "^relaxrun: p/loop\.lua:4: watchdog: the protocol ran Lua for 1 s" "$TMP/err" \
  "watchdog: the message starts with file and line"

# ---- 9. Errors located in a protocol next to scripts/ (scripts2/) -----------
dd=$(realpath "$TMP")/dd
mkdir -p "$dd/drivers/sim" "$dd/scripts2"
ln -s "$RELAXRUN_SRC/scripts" "$dd/scripts"
ln -s "$RELAXRUN_SRC/drivers/sim/presets" "$dd/drivers/sim/presets"
write "$dd/scripts2/sib.lua" <<'LUA'
local relax = require "relax"
relax.hold(-1)
LUA
RELAXRUN_DATADIR="$dd" rrt -q -o sib "$dd/scripts2/sib.lua"
expect_rc 3 "a protocol in scripts2/"
expect_grep "scripts2/sib\.lua:2: hold: the duration must be" "$TMP/err" \
  "scripts2/ is not relaxrun's scripts/: the error names the protocol's line"

# ---- 9. The safe state at the instrument's time -----------------------------
write p/hold.lua <<'LUA'
local relax = require "relax"
relax.hold(100)
LUA
rrt -q -o stamp p/hold.lua
expect_rc 0 "a hold of 100 s"
expect_grep "t=100\.[0-9]+ s INFO safe state reached" stamp/events.log \
  "the safe state is stamped with the instrument's time"
n=$(grep -c "safe state reached" stamp/events.log)
[ "$n" = 1 ] && ok "the safe state is logged once" || bad "the safe state is logged $n times"
finish
