#!/usr/bin/env bash
# What bad input gets: a message naming the file and line (or the parameter),
# a distinct exit status, the instrument in its safe state, the data kept.
. "$(dirname "$0")/lib.sh"

write p/syntax.lua <<'LUA'
local relax = require "relax"
relax.heat_to(300
relax.hold(10)
LUA
rr -o r1 p/syntax.lua
expect_rc 3 "syntax error"
expect_grep "p/syntax.lua:3:" "$TMP/err" "syntax error names file and line"
expect_grep "^status: \"protocol_error\"" r1/manifest.yaml "manifest: protocol_error"

write p/runtime.lua <<'LUA'
local relax = require "relax"
local p = relax.parameters { { "strain", 0.006, "1", "Strain" } }
relax.heat_to(320)
local s = relax.load(p.strain, { duration_s = 30, label = "first" })
local broken = nil
relax.report("x", broken.field, "1")
LUA
rr -o r2 p/runtime.lua
expect_rc 3 "runtime error"
expect_grep "p/runtime.lua:6: attempt to index a nil value" "$TMP/err" "runtime error names file and line"
expect_grep "stack traceback" "$TMP/err" "runtime error has a traceback"
expect_grep "^status: \"protocol_error\"" r2/manifest.yaml "manifest: protocol_error"
expect_grep "p/runtime.lua:6:" r2/manifest.yaml "manifest message names the line"
expect_grep "safe state reached" r2/events.log "safe state after a runtime error"
rows=$(($(wc -l < r2/segments/001-first.csv) - 1))
[ "$rows" = 296 ] && ok "data before the error kept (296 samples)" || bad "kept $rows samples, want 296"

write p/params.lua <<'LUA'
local relax = require "relax"
local p = relax.parameters { { "temperature", 315, "K", "Test temperature" } }
relax.heat_to(p.temperature)
LUA
rr -o r3 p/params.lua temprature=320
expect_rc 2 "unknown parameter"
expect_grep "unknown parameter 'temprature'" "$TMP/err" "unknown parameter named"
expect_grep "^status: \"usage_error\"" r3/manifest.yaml "manifest: usage_error"
expect_grep "safe state reached" r3/events.log "safe state after a usage error"

rr -o r4 p/params.lua temperature=hot
expect_rc 2 "non-numeric parameter"
expect_grep "parameter 'temperature': 'hot' is not a number" "$TMP/err" "non-number named"
rr p/params.lua temperature=nan
expect_rc 2 "nan refused"
rr p/params.lua temperature
expect_rc 2 "name without value refused"

rr -o r5 p/missing.lua
expect_rc 2 "missing protocol"
expect_grep "p/missing.lua: no such protocol file" "$TMP/err" "missing file named"

write p/limit.lua <<'LUA'
local relax = require "relax"
relax.heat_to(2000)
LUA
rr -o r6 p/limit.lua
expect_rc 3 "temperature beyond the limits"
expect_grep "p/limit.lua:2: temperature 2000 K is outside the limits" "$TMP/err" "limit message names the line"

write p/strain.lua <<'LUA'
local relax = require "relax"
relax.load(0.5, { duration_s = 10 })
LUA
rr -o r7 p/strain.lua
expect_rc 3 "strain beyond the limits"
expect_grep "strain 0.5 is beyond the limit" "$TMP/err" "strain limit named"

# pcall cannot swallow a failure: the run still ends as it should.
write p/pcall.lua <<'LUA'
local relax = require "relax"
local ok = pcall(relax.heat_to, 5000)
relax.hold(10)
LUA
rr -o r8 p/pcall.lua
expect_rc 3 "pcall does not hide a limit violation"

# require is limited to relaxrun's scripts and the protocol's folder.
write p/req.lua <<'LUA'
local helper = require "helper"
assert(helper.answer == 42)
local ok, err = pcall(require, "io")
assert(not ok, "io must not be loadable")
assert(io == nil and os.execute == nil and dofile == nil and loadfile == nil)
assert(load(string.dump(function() end)) == nil, "binary chunks refused")
LUA
write p/helper.lua <<'LUA'
return { answer = 42 }
LUA
rr -o r9 p/req.lua
expect_rc 0 "require from the protocol's folder; no io, no os.execute"
expect_true "required module copied into the run" test -s r9/source/helper.lua
finish
