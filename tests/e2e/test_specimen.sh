#!/usr/bin/env bash
# Sample history: two protocols on one specimen; the second, which assumes a
# fresh sample, is warned.
. "$(dirname "$0")/lib.sh"
export RELAXRUN_SAMPLES="$TMP/samples"

write p/anneal.lua <<'LUA'
local relax = require "relax"
relax.specimen { fresh = false }
relax.heat_to(315)
relax.hold(1200, "anneal")
relax.load(0.006, { duration_s = 100, label = "load" })
LUA
write p/fresh.lua <<'LUA'
local relax = require "relax"
local fresh = relax.specimen { fresh = true }
relax.report("was_fresh", fresh, "whether the specimen had no history")
relax.heat_to(315)
relax.load(0.006, { duration_s = 10 })
LUA

rr sample LA-07
expect_rc 0 "history of an unknown specimen"
expect_grep "no recorded history: a fresh specimen" "$TMP/out" "unknown specimen is fresh"

rr -o first --specimen LA-07 p/fresh.lua
expect_rc 0 "first protocol on a fresh specimen"
if grep -q "WARNING" "$TMP/err"; then bad "a fresh specimen was warned about"; else ok "no warning on a fresh specimen"; fi
expect_grep "^was_fresh,true" first/results.csv "the protocol sees a fresh specimen"

rr -o second --specimen LA-07 p/anneal.lua
expect_rc 0 "an anneal and a loading on the same specimen"

rr -o third --specimen LA-07 p/fresh.lua
expect_rc 0 "third run"
expect_grep "WARNING: specimen LA-07 is not fresh: 2 earlier runs, 2 loadings" "$TMP/err" \
  "a protocol that assumes a fresh sample is warned on an aged one"
expect_grep "WARN .*specimen LA-07 is not fresh" third/events.log "the warning is in the event log"
expect_grep "^was_fresh,false" third/results.csv "the protocol sees the history"

rr sample LA-07
expect_rc 0 "relaxrun sample"
expect_grep "runs: 3 \(last: third\)" "$TMP/out" "sample: number of runs"
expect_grep "loadings: 3" "$TMP/out" "sample: loadings"
expect_grep "hold: anneal.*setpoint_K: 315, duration_s: 1200.0" "$TMP/out" "sample: the anneal"

# Dry runs do not age a specimen.
rr --dry-run -o dry --specimen LA-07 p/anneal.lua
rr sample LA-07
expect_grep "runs: 3 " "$TMP/out" "a dry run is not recorded"
rr sample ../etc
expect_rc 2 "a specimen id with a path is refused"
finish
