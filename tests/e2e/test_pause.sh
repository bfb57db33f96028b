#!/usr/bin/env bash
# Pause and resume on a paced simulation: `relaxrun pause/resume RUNDIR`,
# Ctrl-C under each policy, the paused data marked, a second Ctrl-C aborts.
. "$(dirname "$0")/lib.sh"
wait_event() { # wait_event DIR PATTERN: up to 20 s
  for _ in $(seq 400); do grep -qE -- "$2" "$1/events.log" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}

write p/anneal.lua <<'LUA'
local relax = require "relax"
relax.heat_to(300)
relax.hold(200, "anneal")
relax.load(0.006, { duration_s = 100, label = "after" })
LUA
# 1. A hold paused from another terminal continues for its remaining time.
"$RELAXRUN" -q --pace 100 -o hold p/anneal.lua >/dev/null 2>"$TMP/err" &
pid=$!
wait_event hold "INFO hold 200 s" && sleep 0.5
rr pause hold
expect_rc 0 "relaxrun pause RUNDIR"
wait_event hold "PAUSE paused" && ok "paused at a safe point" || bad "no pause"
rr status hold
expect_grep "^status: paused" "$TMP/out" "status says paused"
sleep 1.5
rr resume hold
expect_rc 0 "relaxrun resume RUNDIR"
wait $pid; rc=$?
expect_rc 0 "the run completes after the pause"
paused=$(sed -n 's/.*PAUSE resumed after \([0-9.]*\) s/\1/p' hold/events.log)
dur=$(awk -F, '/hold: anneal/ { print $2 }' hold/timeline.csv)
echo "     paused $paused s; the hold took $dur s"
awk -v d="$dur" -v p="$paused" 'BEGIN { exit !(p > 50 && d > 199.9 + p - 1.5 && d < 200.1 + p + 1.5) }' &&
  ok "the hold lasted 200 s plus the pause" || bad "hold $dur s with a pause of $paused s"

# 2. Ctrl-C pauses a recording under --pause hold: the data keeps coming,
# the segment is marked, its recording is extended by the pause.
"$RELAXRUN" -q --pace 100 --pause hold -o rec p/anneal.lua >/dev/null 2>"$TMP/err" &
pid=$!
wait_event rec "recording 'after'" && sleep 0.3
kill -INT $pid
wait_event rec "PAUSE paused" && ok "Ctrl-C pauses under --pause hold" || bad "Ctrl-C did not pause"
sleep 1
kill -USR2 $pid
wait $pid; rc=$?
expect_rc 0 "resumed recording completes"
expect_grep "paused_s: \[\[[0-9.]+, [0-9.]+\]\]" rec/manifest.yaml "paused interval in the manifest"
expect_grep "interrupted_by_pause: false" rec/manifest.yaml "a held pause does not interrupt"
gaps=$(awk -F, 'NR > 2 { d = $2 - p; if (d > 0.1001 || d < 0.0999) g++ } NR > 1 { p = $2 } END { print g + 0 }' \
  rec/segments/001-after.csv)
[ "$gaps" = 0 ] && ok "no gap in the paused recording" || bad "$gaps gaps in the paused recording"
last=$(tail -1 rec/segments/001-after.csv | cut -d, -f2)
awk -v l="$last" 'BEGIN { exit !(l > 140) }' && ok "recording extended by the pause (to $last s)" ||
  bad "recording ended at $last s"

# 3. Under --pause unload, a paused recording is unloaded and restarts.
"$RELAXRUN" -q --pace 100 --pause unload -o unl p/anneal.lua >/dev/null 2>"$TMP/err" &
pid=$!
wait_event unl "recording 'after'" && sleep 0.3
kill -INT $pid
wait_event unl "PAUSE paused \(unloaded" && ok "Ctrl-C unloads under --pause unload" || bad "no unload pause"
sleep 0.5
kill -USR2 $pid
wait $pid; rc=$?
expect_rc 0 "unloaded pause completes"
expect_grep "interrupted_by_pause: true" unl/manifest.yaml "the unloaded segment is marked interrupted"
expect_true "the step is recorded again" test -s "unl/segments/002-after__restart_2_.csv"
rows=$(($(wc -l < "unl/segments/002-after__restart_2_.csv") - 1))
[ "$rows" = 996 ] && ok "the restarted step is complete (996 samples)" || bad "restart has $rows samples"

# 4. A second Ctrl-C while paused aborts to the safe state.
"$RELAXRUN" -q --pace 100 --pause hold -o abort p/anneal.lua >/dev/null 2>"$TMP/err" &
pid=$!
wait_event abort "INFO hold 200 s" && sleep 0.3
kill -INT $pid
wait_event abort "PAUSE paused"
kill -INT $pid
wait $pid; rc=$?
expect_rc 5 "second Ctrl-C aborts"
expect_grep "safe state reached" abort/events.log "abort from a pause reaches the safe state"

# The protocol can choose the policy itself.
write p/policy.lua <<'LUA'
local relax = require "relax"
relax.on_pause { policy = "unload", resume = "restart" }
relax.hold(300, "anneal")
LUA
"$RELAXRUN" -q --pace 100 -o pol p/policy.lua >/dev/null 2>"$TMP/err" &
pid=$!
wait_event pol "INFO hold 300 s" && sleep 0.5
kill -INT $pid
wait_event pol "PAUSE paused \(unloaded" && ok "the protocol's policy applies to Ctrl-C" || bad "protocol policy"
kill -USR2 $pid
wait $pid; rc=$?
expect_rc 0 "protocol policy run completes"
expect_grep "hold restarted after the pause" pol/events.log "resume = restart restarts the hold"
finish
