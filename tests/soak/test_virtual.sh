#!/usr/bin/env bash
# Soak (a): a 24-hour campaign (instrument time) on the simulator in virtual
# time: load/unload cycles at 315-345 K and 1-10 Hz (cycles.lua).  Asserts
# that no sample is lost (every segment holds exactly the samples its
# duration and rate call for, evenly spaced, and the timeline agrees), that
# memory stays flat (the peak RSS of the 24-hour run is that of a run a
# quarter as long while the run goes, and the Lua heap does not grow from
# cycle to cycle), and
# that the run ends complete in the safe state.
#   SOAK_HOURS=H   instrument hours of the long run (default 24; the short
#                  run is H/4).  About 1.5 s of wall time per 24 h.
# Absolute paths: lib.sh changes into a scratch directory.
case $RELAXRUN in /*) ;; *) RELAXRUN=$PWD/$RELAXRUN ;; esac
case $RELAXRUN_SRC in /*) ;; *) RELAXRUN_SRC=$PWD/$RELAXRUN_SRC ;; esac
. "$RELAXRUN_SRC/tests/e2e/lib.sh"
. "$RELAXRUN_SRC/tests/soak/soaklib.sh"

hours=${SOAK_HOURS:-24}
short=$(awk -v h="$hours" 'BEGIN { print h / 4 }')
proto=$RELAXRUN_SRC/tests/soak/cycles.lua

declare -A peak runpeak lua_first lua_last
for h in "$short" "$hours"; do
  measured "$TMP/v$h" "run$h" "$RELAXRUN" -q -o "run$h" "$proto" hours="$h"
  [ "$rc" = 0 ] && ok "$h h run: exit 0" || { bad "$h h run: exit $rc"; head -20 "$TMP/v$h.err"; }
  expect_grep '^status: "complete"' "run$h/manifest.yaml" "$h h run: manifest complete"
  if tail -1 "run$h/events.log" | grep -q "safe state reached"; then
    ok "$h h run: ends in the safe state"
  else
    bad "$h h run: last event is not the safe state" "$(tail -1 "run$h/events.log")"
  fi
  fails_before=$fails
  check_segments "run$h"
  [ "$fails" = "$fails_before" ] &&
    ok "$h h run: $segments_total segments, $samples_total samples, none lost, none repeated"
  peak[$h]=$peak_kB
  runpeak[$h]=$run_peak_kB
  lua_first[$h]=$(awk -F, '$1 == "lua_memory_first_kB" { print $2 }' "run$h/results.csv")
  lua_last[$h]=$(awk -F, '$1 == "lua_memory_last_kB" { print $2 }' "run$h/results.csv")
  cycles=$(awk -F, '$1 == "cycles" { print $2 }' "run$h/results.csv")
  echo "     $h h: $cycles cycles, $segments_total segments, $samples_total samples," \
       "wall $wall_s s; RSS while running: first $rss_first_kB kB, last $rss_last_kB kB," \
       "peak $run_peak_kB kB; peak with the report after the run $peak_kB kB;" \
       "Lua heap ${lua_first[$h]} -> ${lua_last[$h]} kB"
done

if awk -v a="${lua_first[$hours]}" -v b="${lua_last[$hours]}" 'BEGIN { exit !(b <= 1.5 * a + 64) }'; then
  ok "Lua heap flat over the cycles (${lua_first[$hours]} -> ${lua_last[$hours]} kB)"
else
  bad "Lua heap grows over the cycles: ${lua_first[$hours]} -> ${lua_last[$hours]} kB"
fi
if sanitized; then
  echo "     (relaxrun is built with AddressSanitizer: memory shown, not checked)"
  finish
  exit $?
fi
# Memory flat while the run goes: the long run's peak RSS while running at
# most 15 % + 2 MB above the short run's whole peak (exact, and no smaller
# than its peak while running, whose polled reading may come short).
if [ "${runpeak[$hours]}" = 0 ]; then
  bad "the $hours h run was too short to read its memory while running"
elif awk -v a="${peak[$short]}" -v b="${runpeak[$hours]}" 'BEGIN { exit !(b <= 1.15 * a + 2048) }'; then
  ok "peak RSS flat: ${runpeak[$hours]} kB while running $hours h, ${peak[$short]} kB for all of $short h"
else
  bad "peak RSS grows with the run: ${runpeak[$hours]} kB while running $hours h, ${peak[$short]} kB for all of $short h"
fi
# The report written after the run reads the recorded data: shown, not
# asserted (see docs/reliability.md).
echo "     peak RSS with the report: ${peak[$short]} kB for $short h, ${peak[$hours]} kB for $hours h"
finish
