#!/usr/bin/env bash
# Nothing lost, nothing left loaded: kill -9, SIGINT/SIGTERM in every kind of
# step, a second SIGINT, runaway Lua, memory exhaustion, unwritable and full
# output directories.
. "$(dirname "$0")/lib.sh"

now() { date +%s.%N; }
wait_for() { # wait_for FILE: up to 10 s
  for _ in $(seq 200); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1
}

# ---- kill -9 mid-run: at most the last second of samples is lost ----------
write p/long.lua <<'LUA'
local relax = require "relax"
relax.load(0.006, { duration_s = 600, rate_Hz = 10, label = "long" })
LUA
"$RELAXRUN" -q --pace 1 -o killed p/long.lua >/dev/null 2>&1 &
pid=$!
# Real time (--pace 1); the step comes at once, at room temperature.
if wait_for killed/segments/001-long.csv; then
  t_step=$(now); sleep 3; t_kill=$(now); kill -9 $pid; wait $pid 2>/dev/null
  last=$(tail -1 killed/segments/001-long.csv | cut -d, -f2)
  lost=$(awk -v a="$t_step" -v b="$t_kill" -v l="$last" 'BEGIN { printf "%.2f", (b - a) - l }')
  echo "     killed after $(awk -v a="$t_step" -v b="$t_kill" 'BEGIN { printf "%.2f", b - a }') s of recording; last sample at $last s; lost $lost s"
  awk -v x="$lost" 'BEGIN { exit !(x <= 1.1) }' && ok "kill -9 loses at most the last second" ||
    bad "kill -9 lost $lost s of samples"
  rr status killed
  expect_rc 0 "status of a killed run"
  expect_grep "^status: interrupted" "$TMP/out" "a killed run reads as interrupted"
  expect_grep "^status: \"running\"" killed/manifest.yaml "manifest never claimed completion"
else
  kill -9 $pid; bad "killed run never started recording"
fi

# ---- SIGINT / SIGTERM in each kind of step --------------------------------
write p/phases.lua <<'LUA'
local relax = require "relax"
local p = relax.parameters { { "phase", 1, "1", "1 stabilise, 2 hold, 3 record, 4 oscillate" } }
relax.note("phase " .. p.phase)
if p.phase == 1 then relax.heat_to(400, { rate_K_per_min = 1 }) end
relax.heat_to(300)
relax.note("ready")
if p.phase == 2 then relax.hold(100000) end
if p.phase == 3 then relax.load(0.006, { duration_s = 100000 }) end
if p.phase == 4 then
  relax.set_strain(0.003)
  relax.oscillate(1, 0.001)
  relax.hold(100000)
end
LUA
names=(x stabilising holding recording oscillating)
for phase in 1 2 3 4; do
  for sig in INT TERM; do
    d=sig-$phase-$sig
    "$RELAXRUN" -q --pace 200 -o $d p/phases.lua phase=$phase >/dev/null 2>"$TMP/err.$d" &
    pid=$!
    wait_for $d/events.log
    if [ $phase != 1 ]; then
      for _ in $(seq 200); do grep -q "NOTE ready" $d/events.log && break; sleep 0.05; done
    fi
    sleep 0.5
    kill -$sig $pid
    wait $pid; rc=$?
    expect_rc 5 "SIG$sig while ${names[$phase]}"
    expect_grep "^status: \"aborted\"" $d/manifest.yaml "SIG$sig while ${names[$phase]}: manifest aborted"
    expect_grep "safe state reached" $d/events.log "SIG$sig while ${names[$phase]}: safe state"
    expect_grep "aborted by SIG$sig" "$TMP/err.$d" "SIG$sig while ${names[$phase]}: message"
  done
done
# The recorded samples of an aborted recording are on disk.
rows=$(($(wc -l < sig-3-INT/segments/001-strain_0.006.csv) - 1))
[ "$rows" -gt 100 ] && ok "aborted recording kept $rows samples" || bad "aborted recording kept $rows samples"

# A second SIGINT does not skip the safe state.
"$RELAXRUN" -q --pace 200 -o twice p/phases.lua phase=3 >/dev/null 2>&1 &
pid=$!
wait_for twice/segments/001-strain_0.006.csv; sleep 0.3
kill -INT $pid; kill -INT $pid; kill -INT $pid
wait $pid; rc=$?
expect_rc 5 "three SIGINTs"
expect_grep "safe state reached" twice/events.log "three SIGINTs: safe state still reached"

# ---- runaway Lua -----------------------------------------------------------
write p/loop.lua <<'LUA'
local relax = require "relax"
relax.heat_to(300)
while true do
  pcall(function() while true do end end)   -- pcall cannot hold the watchdog
end
LUA
rr --watchdog 1 -o loop p/loop.lua
expect_rc 3 "endless loop stopped by the watchdog"
expect_grep "watchdog: the protocol ran Lua for 1 s without calling the instrument" "$TMP/err" "watchdog message"
expect_grep "safe state reached" loop/events.log "watchdog: safe state"

write p/abortloop.lua <<'LUA'
local relax = require "relax"
relax.heat_to(300)
relax.note("looping")
while true do pcall(function() while true do end end) end
LUA
"$RELAXRUN" -q --watchdog 0 -o abortloop p/abortloop.lua >/dev/null 2>"$TMP/err" &
pid=$!
for _ in $(seq 200); do grep -q "NOTE looping" abortloop/events.log 2>/dev/null && break; sleep 0.05; done
sleep 0.3; kill -INT $pid; wait $pid; rc=$?
expect_rc 5 "SIGINT stops a pcall loop"

write p/memory.lua <<'LUA'
local relax = require "relax"
relax.heat_to(300)
local t = {}
while true do t[#t + 1] = ("x"):rep(1000000) .. #t end
LUA
rr --memory-limit 64 -o mem p/memory.lua
expect_rc 3 "memory cap"
expect_grep "not enough memory" "$TMP/err" "memory cap message"
expect_grep "safe state reached" mem/events.log "memory cap: safe state"

# ---- unwritable and full output directories --------------------------------
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
  mkdir -p ro full
  unshare -m bash -c "
    mount -t tmpfs -o size=64k,ro tmpfs ro &&
    '$RELAXRUN' -o ro/run p/long.lua >ro.out 2>ro.err; echo \$? > ro.rc
    mount -t tmpfs -o size=400k tmpfs full &&
    '$RELAXRUN' -o full/run p/long.lua >full.out 2>full.err; echo \$? > full.rc
    cp -r full/run full-copy 2>/dev/null"
  rc=$(cat ro.rc); cp ro.err "$TMP/err"
  expect_rc 1 "read-only output directory"
  expect_grep "ro/run: cannot create the run directory: Read-only file system" "$TMP/err" "read-only named before the run"
  rc=$(cat full.rc); cp full.err "$TMP/err"
  expect_rc 1 "output directory fills up"
  expect_grep "disk full" "$TMP/err" "full disk message"
  expect_grep "^status: \"output_error\"" full-copy/manifest.yaml "full disk: manifest says how the run ended"
  expect_grep "safe state reached" full-copy/events.log "full disk: safe state"
  rows=$(($(wc -l < full-copy/segments/001-long.csv) - 1))
  [ "$rows" -gt 1000 ] && ok "full disk: $rows samples kept" || bad "full disk kept $rows samples"
else
  echo "     (not root or no mount namespaces: read-only and full-disk cases skipped)"
fi
finish
