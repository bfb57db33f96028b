#!/usr/bin/env bash
# The engine's hardening where wall-clock time matters (paced simulations,
# signals at given moments, the emulator, a silent device): the watchdog
# after long instrument calls and long C calls, resume = "restart" in
# every kind of step, SIGHUP/SIGQUIT/SIGPIPE, a final manifest that cannot
# be written, and `relaxrun resume` (the run's settings, one resume at a
# time, signals while connecting, segments after a pause that restarted a
# recording).
. "$(dirname "$0")/lib.sh"
if [ "${RELAXRUN_VALGRIND:-0}" = 1 ]; then echo "(under valgrind: skipped, timing-bound)"; exit 77; fi

pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
wait_event() { # wait_event DIR PATTERN: up to 30 s
  for _ in $(seq 600); do grep -qE -- "$2" "$1/events.log" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}
# bg ARGS...: relaxrun in the background, stderr in $TMP/err.bg; $pid
bg() { "$RELAXRUN" "$@" >"$TMP/out.bg" 2>"$TMP/err.bg" & pid=$!; pids+=($pid); }
# wait_rc [S]: waits for $pid at most S s (default 120), killing it after; sets rc
wait_rc() {
  local t=${1:-120}
  for _ in $(seq $((t * 10))); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  kill -0 $pid 2>/dev/null && { echo "     (still running after $t s: killed)"; kill -9 $pid; }
  wait $pid; rc=$?
  cp "$TMP/err.bg" "$TMP/err"
}

# ---- 2. The watchdog restarts when a long instrument call returns ----------
write p/wd.lua <<'LUA'
local relax = require "relax"
relax.hold(30)
local x = 0
for i = 1, 5000 do x = x + i end
relax.note("loop done " .. x)
LUA
rr -q --pace 10 --watchdog 2 -o wd p/wd.lua
expect_rc 0 "a 3 s hold (30 s at pace 10) under a 2 s watchdog"
expect_grep "NOTE loop done 12502500" wd/events.log "the Lua after the hold ran"

# The watchdog counts Lua's own time: not that of long C calls (a sort, a
# fit; over 0.1 s each), here 3-4 s of sorting 1.5 million numbers at a
# time (~0.3 s) between short Lua checks under a 1 s watchdog.
write p/wdc.lua <<'LUA'
local relax = require "relax"
relax.heat_to(300)
local n, src = 1500000, {}
for i = 1, n do src[i] = (i * 7919) % 1000003 end
local start, rounds = os.time(), 0
while os.time() - start < 4 do
  local t = table.move(src, 1, n, 1, {})
  table.sort(t)
  for i = 2, 2000 do assert(t[i - 1] <= t[i]) end
  rounds = rounds + 1
end
relax.note("sorted " .. rounds .. " times")
LUA
rr -q --watchdog 1 -o wdc p/wdc.lua
expect_rc 0 "3-4 s of sorting in C under a 1 s watchdog"
expect_grep "NOTE sorted [0-9]+ times" wdc/events.log "the protocol ran to its end"

# ---- 3. resume = "restart" while stabilising and measuring -----------------
write p/rs.lua <<'LUA'
local relax = require "relax"
relax.on_pause{policy = "hold", resume = "restart"}
relax.heat_to(320)
relax.note("reached")
LUA
bg -q --pace 100 -o rs p/rs.lua
wait_event rs "INFO temperature setpoint" && sleep 1
kill -USR1 $pid
wait_event rs "PAUSE paused" && sleep 0.5
kill -USR2 $pid
wait_rc
expect_rc 0 "paused and restarted while stabilising"
expect_grep "stabilisation restarted after the pause" rs/events.log "the stabilisation starts again"
expect_grep "NOTE reached" rs/events.log "the protocol goes on"

write p/dyn.lua <<'LUA'
local relax = require "relax"
local p = relax.parameters { { "unload", 0, "1", "1: pause policy unload, resume continue" } }
if p.unload == 1 then relax.on_pause{policy = "unload", resume = "continue"}
else relax.on_pause{policy = "hold", resume = "restart"} end
relax.set_strain(0.003)
relax.oscillate(0.01, 0.001)
local d = relax.measure_dynamic()
relax.report("storage", d.storage_MPa, "MPa", "E'")
relax.oscillate(false)
LUA
for mode in 0 1; do
  d=dyn$mode
  bg -q --pace 100 -o $d p/dyn.lua unload=$mode
  wait_event $d "INFO oscillating" && sleep 1
  kill -USR1 $pid
  wait_event $d "PAUSE paused" && sleep 0.5
  kill -USR2 $pid
  wait_rc
  expect_rc 0 "paused while measuring (unload=$mode)"
  expect_grep "^storage," $d/results.csv "the measurement is made (unload=$mode)"
done
expect_grep "dynamic measurement restarted after the pause" dyn0/events.log "resume = restart: the measurement starts again"
expect_grep "oscillation on again after the pause" dyn1/events.log "an unloading pause puts the oscillation back"

# ---- 5. SIGHUP, SIGQUIT: like SIGTERM; SIGPIPE: ignored ---------------------
write p/long.lua <<'LUA'
local relax = require "relax"
relax.set_strain(0.003)
relax.note("holding")
relax.hold(100000)
LUA
for sig in HUP QUIT; do
  bg -q --pace 100 -o sig$sig p/long.lua
  wait_event sig$sig "NOTE holding" && sleep 0.3
  kill -$sig $pid
  wait_rc 30
  expect_rc 5 "SIG$sig aborts"
  expect_grep "aborted by SIG$sig" "$TMP/err" "SIG$sig: message"
  expect_grep "^status: \"aborted\"" sig$sig/manifest.yaml "SIG$sig: manifest aborted"
  expect_grep "safe state reached" sig$sig/events.log "SIG$sig: safe state"
done
# Under nohup (SIGHUP ignored from the start) a hangup leaves the run going.
write p/short.lua <<'LUA'
local relax = require "relax"
relax.note("holding")
relax.hold(300)
LUA
( trap '' HUP; exec "$RELAXRUN" -q --pace 100 -o nohup p/short.lua >/dev/null 2>"$TMP/err.bg" ) &
pid=$!; pids+=($pid)
wait_event nohup "NOTE holding" && sleep 0.3
kill -HUP $pid
wait_rc 60
expect_rc 0 "SIGHUP under nohup: the run goes on"
write p/chatty.lua <<'LUA'
local relax = require "relax"
for i = 1, 30 do print(("line %d"):format(i)); relax.hold(10) end
relax.note("done")
LUA
( "$RELAXRUN" --pace 200 -o pipe p/chatty.lua 2>"$TMP/err" | head -1 >/dev/null; echo "${PIPESTATUS[0]}" >pipe.rc )
rc=$(cat pipe.rc)
expect_rc 0 "stdout to a pipe closed early (SIGPIPE)"
expect_grep "NOTE done" pipe/events.log "SIGPIPE: the run went to its end"

# ---- 7. A final manifest or timeline that cannot be written ----------------
write p/hold.lua <<'LUA'
local relax = require "relax"
relax.hold(300)
LUA
for what in timeline manifest; do
  bg -q --pace 100 --no-report -o fin-$what p/hold.lua
  wait_event fin-$what "INFO hold 300 s" && sleep 0.2
  # A directory where the file (or the manifest's temporary file) goes.
  if [ $what = timeline ]; then mkdir fin-$what/timeline.csv
  else mkdir fin-$what/.manifest.yaml.tmp fin-$what/.manifest.yaml.$pid.tmp; fi
  wait_rc 60
  expect_rc 1 "the $what cannot be written at the end: an output error"
  if [ $what = timeline ]; then expect_grep "cannot write timeline\.csv in fin-timeline" "$TMP/err" "timeline: message"
  else expect_grep "cannot write the final manifest in fin-manifest" "$TMP/err" "manifest: message"; fi
  grep -q "run complete" "$TMP/out.bg" && bad "$what: the summary says complete" || ok "$what: not called complete"
  awk '/safe state reached/ { s = NR } /ERROR cannot write/ { e = NR } END { exit !(s && e && s < e) }' \
    fin-$what/events.log && ok "$what: the safe state came first" || bad "$what: safe state order"
done

# ---- 8. Resume: the run's own settings --------------------------------------
write p/settings.lua <<'LUA'
local relax = require "relax"
relax.hold(200, "anneal")
relax.step(0, { duration_s = 5, label = "after" })
local t = {}
for i = 1, 1e6 do t[i] = ("x"):rep(100) .. i end
relax.note("allocated")
LUA
bg -q --pace 100 --no-noise --watchdog 7 --memory-limit 64 -o set p/settings.lua
wait_event set "INFO hold 200 s: anneal" && sleep 0.5
kill -9 $pid; wait $pid 2>/dev/null
rr resume set
expect_rc 3 "resumed under the run's memory cap (64 MB, not 2048)"
expect_grep "cap of 64 MB" "$TMP/err" "resume: the memory cap carried over"
expect_grep "the run's settings: noise off, watchdog 7 s, memory cap 64 MB, pace 100" set/events.log \
  "resume: noise, watchdog, cap and pace carried over"
nz=$(awk -F, 'NR > 1 && $5 != 0 { c++ } END { print c + 0 }' set/segments/001-after.csv)
rows=$(($(wc -l < set/segments/001-after.csv) - 1))
[ "$rows" -gt 40 ] && [ "$nz" = 0 ] && ok "resume: no noise, as the run had it ($rows samples)" ||
  bad "resume: $nz of $rows samples noisy"
expect_grep "command_line: .*--no-noise" set/manifest.yaml "resume: the command line stays in the manifest"

# ---- 8. Resume: one at a time; signals while connecting ---------------------
cat >silent.py <<'PY'
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
    with open(sys.argv[1], "w") as f: f.write("%d\n" % len(conns))
PY
if command -v python3 >/dev/null; then
  python3 silent.py conns >port & pids+=($!)
  for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
  port=$(head -1 port)
  # An interrupted run on a device that accepts the connection and is silent.
  rr -q -o base p/hold.lua
  true & dead=$!; wait $dead
  mkrun() { # mkrun DIR: a copy of base, interrupted, on the silent device
    cp -r base "$1"
    sed -i -e 's/^status: .*/status: "running"/' -e "s/^pid: .*/pid: $dead/" \
      -e "s|^  spec: .*|  spec: \"tcp:127.0.0.1:$port\"|" -e '/^ended:/d' -e '/^message:/d' "$1/manifest.yaml"
  }
  mkrun twice
  bg resume twice
  for _ in $(seq 100); do [ -s twice/.resume.lock ] && break; sleep 0.05; done
  first=$pid
  rr resume twice
  expect_rc 0 "a second resume while the first connects"
  expect_grep "already going on \(pid $first, resumed\)" "$TMP/out" "the second resume does not resume it again"
  pid=$first; wait_rc 60
  expect_rc 4 "the first resume: the silent device"
  [ "$(cat conns)" = 1 ] && ok "one connection to the device, not two" || bad "$(cat conns) connections"
  for sig in TERM INT HUP; do
    mkrun conn$sig
    before=$(cat conns)
    bg resume conn$sig
    for _ in $(seq 100); do [ "$(cat conns)" != "$before" ] && break; sleep 0.05; done
    sleep 0.3 # connected, waiting for the answer to *IDN?
    kill -$sig $pid
    wait_rc 60
    expect_rc 5 "SIG$sig while resume connects"
    expect_grep "aborted by SIG$sig while connecting" "$TMP/err" "resume, SIG$sig while connecting: message"
    # at once, not after the silent device's answer timeout and retry
    expect_grep "interrupted while waiting for the device" "$TMP/err" \
      "resume, SIG$sig while connecting: the wait for the device is cut short"
  done
  bg -q -I tcp:127.0.0.1:$port -o connrun p/hold.lua
  sleep 1; kill -TERM $pid; wait_rc 60
  expect_rc 5 "SIGTERM while a run connects"
  expect_grep '^status: "aborted"' connrun/manifest.yaml "SIGTERM while connecting: manifest aborted"
  expect_grep "interrupted while waiting for the device" connrun/manifest.yaml \
    "SIGTERM while connecting: the wait for the device is cut short"
else
  echo "     (no python3: the silent-device cases skipped)"
fi

# ---- 8. Resume after a pause that restarted a recording (the emulator) ------
"$RELAXRUN" emulate --tcp 127.0.0.1:0 --speed 20 >emu.out 2>emu.err & pids+=($!)
for _ in $(seq 100); do [ -s emu.out ] && break; sleep 0.05; done
addr=$(head -1 emu.out)
write p/pr.lua <<'LUA'
local relax = require "relax"
relax.on_pause{policy = "unload"}
local a = relax.step(0, {duration_s = 100, label = "a"})
local b = relax.step(0, {duration_s = 20, label = "b"})
relax.hold(100)
relax.report("a_samples", #a, "1", "the restarted recording, as the protocol sees it")
relax.report("b_samples", #b, "1", "the next one")
LUA
bg -q -I "$addr" -o pr p/pr.lua
wait_event pr "recording 'a'" && sleep 1
kill -USR1 $pid
wait_event pr "PAUSE paused" && sleep 0.5
kill -USR2 $pid
wait_event pr "INFO hold 100 s" && sleep 1
kill -9 $pid; wait $pid 2>/dev/null
expect_true "three segment files before the crash" test "$(ls pr/segments | tr '\n' ' ')" = \
  "001-a.csv 002-a__restart_2_.csv 003-b.csv "
rr resume pr
expect_rc 0 "resumed after a pause restarted a recording"
expect_grep "^a_samples,996," pr/results.csv "the resumed run reads the restarted attempt (996 samples)"
expect_grep "^b_samples,196," pr/results.csv "and the next recording from its own file"
for f in 001-a 002-a__restart_2_ 003-b; do
  expect_grep "file: \"segments/$f.csv\"" pr/manifest.yaml "the manifest still lists $f.csv"
done
expect_grep "interrupted_by_pause: true" pr/manifest.yaml "the interrupted attempt is still marked"
n=$(ls pr/segments | wc -l)
[ "$n" = 3 ] && ok "no new segment file on resume" || bad "$n segment files after the resume"

# ---- 6. An abort raised by the hook names the line ---------------------------
write p/abortloop.lua <<'LUA'
local relax = require "relax"
relax.note("looping")
while true do pcall(function() while true do end end) end
LUA
bg -q --watchdog 0 -o abortloop p/abortloop.lua
wait_event abortloop "NOTE looping" && sleep 0.3
kill -INT $pid; wait_rc 30
expect_rc 5 "SIGINT stops a pcall loop"
expect_grep "^relaxrun: p/abortloop\.lua:3: aborted by SIGINT" "$TMP/err" "the abort names the line"

# ---- 5. The console: SIGTERM at the prompt ends the session -----------------
mkfifo console.in
exec 3<>console.in
"$RELAXRUN" console -o console <&3 >"$TMP/out.bg" 2>"$TMP/err.bg" & pid=$!; pids+=($pid)
sleep 1; kill -TERM $pid; wait_rc 10
exec 3>&-
expect_rc 5 "SIGTERM at the console's prompt"
expect_grep "safe state reached" console/events.log "console, SIGTERM: safe state"
finish
