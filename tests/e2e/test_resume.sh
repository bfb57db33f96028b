#!/usr/bin/env bash
# Recovery after a crash: kill -9 relaxrun mid-hold and mid-recording on an
# instrument that lives on (the emulator), `relaxrun resume RUNDIR`, and check
# the hold's total time and that the combined data has no duplicate sample
# and no gap beyond the downtime.  A run whose instrument no longer matches
# the journal is refused.
. "$(dirname "$0")/lib.sh"
if [ "${RELAXRUN_VALGRIND:-0}" = 1 ]; then echo "(under valgrind: skipped, timing-bound)"; exit 77; fi

# The emulator's clock runs SPEED times the wall clock; waits are given in
# device seconds (dsleep).
SPEED=50
dsleep() { sleep "$(awk -v s="$1" -v k=$SPEED 'BEGIN { print s / k }')"; }
"$RELAXRUN" emulate --tcp 127.0.0.1:0 --speed $SPEED >emu.out 2>emu.err &
emu=$!
trap 'kill $emu 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do [ -s emu.out ] && break; sleep 0.05; done
addr=$(head -1 emu.out)
case "$addr" in tcp:*) ok "emulator serves $addr" ;; *) bad "no emulator address"; finish; exit 1 ;; esac

write p/crash.lua <<'LUA'
local relax = require "relax"
local p = relax.parameters { { "hold", 300, "s", "Anneal before loading" } }
relax.heat_to(310)
relax.hold(p.hold, "anneal")
local s = relax.load(0.006, { duration_s = 600, label = "relax" })
relax.report("samples", #s, "1", "samples in the relaxation, as the protocol sees them")
relax.unload { duration_s = 20, label = "unload" }
LUA
wait_event() { for _ in $(seq 600); do grep -qE -- "$2" "$1/events.log" 2>/dev/null && return 0; sleep 0.05; done; return 1; }
now() { date +%s.%N; }

# 1. Killed mid-hold.
"$RELAXRUN" -q -I "$addr" -o hold p/crash.lua hold=400 >/dev/null 2>&1 &
pid=$!
wait_event hold "INFO hold 400 s" && dsleep 100
kill -9 $pid; wait $pid 2>/dev/null
dsleep 40
rr status hold
expect_grep "^status: interrupted" "$TMP/out" "killed mid-hold: interrupted"
rr resume hold
expect_rc 0 "resumed after a crash mid-hold"
expect_grep "^status: \"complete\"" hold/manifest.yaml "the resumed run completes"
expect_grep "hold: \{value: 400" hold/manifest.yaml "the command-line parameter carried over"
read b e < <(awk '$1 == "begin" && $3 == "hold" { n = $2; sub("t=", "", $4); b = $4 }
                  $1 == "end" && $2 == n { sub("t=", "", $4); e = $4 } END { print b, e }' hold/journal.log)
dur=$(awk -v b="$b" -v e="$e" 'BEGIN { printf "%.1f", e - b }')
echo "     hold from $b to $e s on the instrument's clock: $dur s"
awk -v d="$dur" 'BEGIN { exit !(d > 399 && d < 402) }' && ok "the hold lasted 400 s in all" || bad "hold lasted $dur s"
expect_grep "^samples,5996," hold/results.csv "the recording after the resume is complete"

# 2. Killed mid-recording: the recording goes on in the same file.
"$RELAXRUN" -q -I "$addr" -o rec p/crash.lua hold=10 >/dev/null 2>&1 &
pid=$!
wait_event rec "recording 'relax'" && dsleep 160
t_kill=$(now); kill -9 $pid; wait $pid 2>/dev/null
dsleep 60
t_resume=$(now)
rr resume rec
expect_rc 0 "resumed after a crash mid-recording"
csv=rec/segments/001-relax.csv
dups=$(awk -F, 'NR > 2 && $2 <= p { d++ } NR > 1 { p = $2 } END { print d + 0 }' $csv)
[ "$dups" = 0 ] && ok "no duplicate sample" || bad "$dups duplicate samples"
gap=$(awk -F, 'NR > 2 { g = $2 - p; if (g > m) m = g } NR > 1 { p = $2 } END { printf "%.1f", m }' $csv)
down=$(awk -v a="$t_kill" -v b="$t_resume" -v k=$SPEED 'BEGIN { printf "%.1f", k * (b - a) + 2 }')
echo "     largest gap $gap s; downtime ~$down instrument s"
awk -v g="$gap" -v d="$down" 'BEGIN { exit !(g <= d) }' && ok "no gap beyond the downtime" || bad "gap $gap s > downtime $down s"
last=$(tail -1 $csv | cut -d, -f2)
awk -v l="$last" 'BEGIN { exit !(l > 599.8 && l <= 600.0001) }' && ok "the recording ran to its end (600 s)" || bad "recording ends at $last s"
expect_grep "^status: \"complete\"" rec/manifest.yaml "the resumed run completes"
n=$(ls rec/segments | wc -l)
[ "$n" = 2 ] && ok "the same run directory, one file per segment" || bad "$n segment files"

# 3. Pause and resume through the emulator, under each policy.
for policy in hold unload; do
  "$RELAXRUN" -q -I "$addr" --pause $policy -o emu-$policy p/crash.lua hold=10 >/dev/null 2>&1 &
  pid=$!
  wait_event emu-$policy "recording 'relax'" && dsleep 40
  kill -INT $pid
  wait_event emu-$policy "PAUSE paused" && ok "emulator, --pause $policy: Ctrl-C pauses" || bad "no pause ($policy)"
  dsleep 40
  rr resume emu-$policy
  wait $pid; rc=$?
  expect_rc 0 "emulator, --pause $policy: the run completes after the pause"
  expect_grep "paused_s: \[\[" emu-$policy/manifest.yaml "emulator, --pause $policy: paused data marked"
done
expect_grep "interrupted_by_pause: false" emu-hold/manifest.yaml "emulator: a held recording goes on"
expect_true "emulator: an unloaded recording is recorded again" test -s "emu-unload/segments/002-relax__restart_2_.csv"
expect_grep "^samples,5996," emu-unload/results.csv "emulator: the restarted recording is complete"

# 4. The simulator does not survive its process: resume refuses, says why.
"$RELAXRUN" -q --pace 50 -o sim p/crash.lua >/dev/null 2>&1 &
pid=$!
wait_event sim "INFO hold 300 s" && sleep 0.5
kill -9 $pid; wait $pid 2>/dev/null
rr resume sim
expect_rc 4 "a mismatched instrument is refused"
expect_grep "refusing to resume sim: the sample is at [0-9.]+ K, the journal's setpoint is 310 K" "$TMP/err" "the refusal says why"
expect_grep "resume refused" sim/events.log "the refusal is in the event log"
finish
