#!/usr/bin/env bash
# Soak (b): relaxrun through the line-protocol driver against `relaxrun
# emulate` over TCP, in real time on a fast device clock.
#  1. A long run without faults (load/unload cycles, emulated.lua): every
#     sample on disk, evenly spaced, memory flat (relaxrun's largest RSS in
#     the second half of the run against the first; the emulator's at the
#     end against the start).
#  2. Runs with one injected fault each, every kind in a random order at a
#     random device time (seeded): the run ends with the right status and
#     message, the samples before the fault are on disk without a gap (at
#     most one polling interval of the driver lost at the fault), the
#     transcript shows *RST (or its steps) after the fault and the event log
#     the safe state, and the peak RSS of the runs does not grow.
# Skips (77) when `relaxrun emulate` is not available.
#   SOAK_EMU_SPEED=X     device seconds per wall second of the fault runs
#                        (default 50)
#   SOAK_EMU_LONG_SPEED=X  the same for the long run (default 100)
#   SOAK_EMU_LONG_S=S    device seconds of the long run (default 1200)
#   SOAK_EMU_FAULTS=N    fault runs (default 8: each kind once); more repeat
#                        kinds at random
#   SOAK_SEED=N          seed of the order and the times (default: random,
#                        printed)
# Absolute paths: lib.sh changes into a scratch directory.
case $RELAXRUN in /*) ;; *) RELAXRUN=$PWD/$RELAXRUN ;; esac
case $RELAXRUN_SRC in /*) ;; *) RELAXRUN_SRC=$PWD/$RELAXRUN_SRC ;; esac
. "$RELAXRUN_SRC/tests/e2e/lib.sh"
. "$RELAXRUN_SRC/tests/soak/soaklib.sh"

speed=${SOAK_EMU_SPEED:-50}
long_speed=${SOAK_EMU_LONG_SPEED:-100}
long_s=${SOAK_EMU_LONG_S:-1200}
seed=${SOAK_SEED:-$(( $(date +%s) % 100000 ))}
RANDOM=$seed
echo "     seed $seed (SOAK_SEED=$seed reproduces the order and the times)"
proto=$RELAXRUN_SRC/tests/soak/emulated.lua
kinds=(garbage late silence disconnect err overload broken heater)
nfaults=${SOAK_EMU_FAULTS:-${#kinds[@]}}

emu_pid=
stop_emulator() {
  if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null; wait "$emu_pid" 2>/dev/null; fi
  emu_pid=
}
trap 'stop_emulator; rm -rf "$TMP"' EXIT

# start_emulator NAME SPEED ARGS...: sets emu_pid and emu_addr; 1 if it
# never printed its address.
start_emulator() {
  local name=$1 x=$2; shift 2
  "$RELAXRUN" emulate --tcp 127.0.0.1:0 --speed "$x" --seed 7 "$@" \
    >"$TMP/$name.emu.out" 2>"$TMP/$name.emu.err" &
  emu_pid=$!
  for _ in $(seq 100); do
    emu_addr=$(head -1 "$TMP/$name.emu.out" 2>/dev/null)
    case $emu_addr in tcp:*) return 0 ;; esac
    kill -0 "$emu_pid" 2>/dev/null || break
    sleep 0.05
  done
  stop_emulator
  return 1
}

# config NAME: an instrument config for the emulator (short timeouts, so a
# silent device is declared lost in about a second).
config() {
  printf 'connection: %s\ntimeouts:\n  answer_s: 0.5\ntranscript: true\n' "$emu_addr" \
    >"$TMP/$1.yaml"
}

emu_rss() { awk '/^VmRSS:/ { print $2 }' /proc/"$emu_pid"/status 2>/dev/null || echo 0; }

if ! start_emulator probe 1; then
  echo "relaxrun emulate is not available (no address printed):"
  sed 's/^/     /' "$TMP/probe.emu.err" | head -5
  exit 77
fi
stop_emulator

# ---- 1. the long run ------------------------------------------------------------
cycles=$(awk -v s="$long_s" 'BEGIN { c = int(s / 400); print c < 1 ? 1 : c }')
start_emulator long "$long_speed"
config long
emu_rss_start=$(emu_rss)
measured "$TMP/long" long "$RELAXRUN" -q -I "$TMP/long.yaml" -o long "$proto" cycles="$cycles"
emu_rss_end=$(emu_rss)
stop_emulator
[ "$rc" = 0 ] && ok "long run ($((cycles * 400)) device s at speed $long_speed): exit 0" ||
  { bad "long run: exit $rc"; head -10 "$TMP/long.err"; }
expect_grep '^status: "complete"' long/manifest.yaml "long run: manifest complete"
expect_grep "safe state reached" long/events.log "long run: safe state at the end"
before=$fails
check_segments long
[ "$fails" = "$before" ] &&
  ok "long run: $segments_total segments, $samples_total samples, none lost, none repeated"
echo "     long run: wall $wall_s s; relaxrun RSS first $rss_first_kB kB, last $rss_last_kB kB," \
     "peak $run_peak_kB kB (with the report $peak_kB kB); emulator RSS $emu_rss_start -> $emu_rss_end kB"
if sanitized; then
  echo "     (relaxrun is built with AddressSanitizer: memory shown, not checked)"
elif awk -v a="$rss_early_kB" -v b="$rss_late_kB" 'BEGIN { exit !(a > 0 && b <= 1.2 * a + 2048) }'; then
  ok "long run: relaxrun memory flat (largest RSS $rss_early_kB kB in the first half, $rss_late_kB kB in the second)"
else
  bad "long run: relaxrun memory grows (largest RSS $rss_early_kB kB in the first half, $rss_late_kB kB in the second)"
fi
if sanitized; then
  :
elif awk -v a="$emu_rss_start" -v b="$emu_rss_end" 'BEGIN { exit !(a > 0 && b <= 1.2 * a + 2048) }'; then
  ok "long run: emulator memory flat ($emu_rss_start -> $emu_rss_end kB)"
else
  bad "long run: emulator memory grows ($emu_rss_start -> $emu_rss_end kB)"
fi

# ---- 2. one fault per run ----------------------------------------------------------
# What each kind must give: exit statuses and a message.  garbage and late
# may be survived (a query is retried once), so 0 is also right for them.
declare -A want_rc=([garbage]="0|4" [late]="0|4" [silence]=4 [disconnect]=4 [err]=4
                    [overload]=4 [broken]=4 [heater]=4)
declare -A want_msg=(
  [garbage]="garbage"
  [late]="no answer|late"
  [silence]="no answer to .* the device is silent"
  [disconnect]="lost link to the instrument"
  [err]="device refused '.*': ERR -100"
  [overload]="instrument fault: overload"
  [broken]="instrument fault: sample broken"
  [heater]="heater fault")
# Bag of kinds: each once in a random order, then random picks.
order=()
for k in "${kinds[@]}"; do order+=("$k"); done
for ((i = ${#order[@]} - 1; i > 0; i--)); do
  j=$((RANDOM % (i + 1))); t=${order[i]}; order[i]=${order[j]}; order[j]=$t
done
while [ ${#order[@]} -lt "$nfaults" ]; do order+=("${kinds[RANDOM % ${#kinds[@]}]}"); done
order=("${order[@]:0:$nfaults}")

# Samples the driver may lose at a fault: one polling interval (0.1 s wall)
# of device time, with a margin for a loaded machine (0.5 s wall), plus 1 s.
tolerance_s=$(awk -v s="$speed" 'BEGIN { print 1 + 0.5 * s }')
expect_rc_alt() { # expect_rc_alt 'A|B' : the exit status is one of these
  local a w okrc=0
  IFS='|' read -ra a <<<"$1"
  for w in "${a[@]}"; do [ "$rc" = "$w" ] && okrc=1; done
  [ $okrc = 1 ] && ok "$what: exit $rc" ||
    { bad "$what: exit $rc, want $1"; sed 's/^/     stderr: /' "$TMP/err" | head -8; }
}
peaks=()
n=0
for kind in "${order[@]}"; do
  n=$((n + 1))
  at=$((20 + RANDOM % 130))  # device s: in the load (0-300 s) of cycle 1
  name=fault$n-$kind
  if ! start_emulator "$name" "$speed" --fault "$kind@$at"; then
    bad "$name: the emulator did not start"; continue
  fi
  config "$name"
  measured "$TMP/$name" "$name" "$RELAXRUN" -q -I "$TMP/$name.yaml" -o "$name" "$proto" cycles=1
  stop_emulator
  peaks+=("$run_peak_kB")
  cp "$TMP/$name.err" "$TMP/err"
  what="$kind at $at s"
  expect_rc_alt "${want_rc[$kind]}"
  if [ "$rc" = 0 ]; then
    expect_grep '^status: "complete"' "$name/manifest.yaml" "$what: survived, manifest complete"
    before=$fails
    check_segments "$name"
    [ "$fails" = "$before" ] && ok "$what: survived, $samples_total samples, none lost"
  else
    expect_grep "${want_msg[$kind]}" "$TMP/err" "$what: message"
    expect_grep '^status: "instrument_failure"' "$name/manifest.yaml" "$what: manifest instrument_failure"
    # Safe state: *RST, or its steps one by one, sent after the fault.
    if grep -qE '> (\*RST|OSC:OFF|ACQ:STOP|STRN:SET 0$|TEMP:STBY)' "$name/transcript.log"; then
      ok "$what: transcript shows the safe state sent"
    else
      bad "$what: no *RST or safe-state step in transcript.log"
    fi
    expect_grep "safe state" "$name/events.log" "$what: event log reports the safe state"
    before=$fails
    check_segments "$name" partial
    if [ "$fails" = "$before" ]; then
      # The fault is at device time $at; the recording started at t0.
      lost=$(awk -v at="$at" -v last="$last_time_s" 'BEGIN { l = at - last; printf "%.1f", l < 0 ? 0 : l }')
      if [ "$kind" = err ]; then
        # err hits the next set command, the end of the load at 300 s.
        ok "$what: $samples_total samples before the refused command, no gap"
      elif awk -v l="$lost" -v t="$tolerance_s" 'BEGIN { exit !(l <= t) }'; then
        ok "$what: $samples_total samples on disk up to $last_time_s s, no gap ($lost device s before the fault lost, at most $tolerance_s)"
      else
        bad "$what: last sample at $last_time_s s, $lost device s before the fault (at most $tolerance_s)"
      fi
      # Samples the driver fetched while reaching the safe state (the last
      # ACQ:DATA? answer before *RST) that are not on disk: reported.
      fetched=$(grep -B3 '> \*RST' "$name/transcript.log" | grep '< [0-9]*;' | tail -1 |
                awk -F';' -v last="$last_time_s" '{ n = 0; for (i = 2; i <= NF; i++) {
                  split($i, f, ","); if (f[1] > last + 1e-6) n++ } print n }')
      [ "${fetched:-0}" -gt 0 ] &&
        echo "     note: $fetched samples fetched while reaching the safe state are not on disk"
    fi
  fi
done
if [ ${#peaks[@]} -gt 1 ] && ! sanitized; then
  min=$(printf '%s\n' "${peaks[@]}" | sort -n | head -1)
  max=$(printf '%s\n' "${peaks[@]}" | sort -n | tail -1)
  if awk -v a="$min" -v b="$max" 'BEGIN { exit !(a > 0 && b <= 1.3 * a + 2048) }'; then
    ok "peak RSS of the ${#peaks[@]} fault runs flat: $min to $max kB"
  else
    bad "peak RSS of the fault runs varies: $min to $max kB (${peaks[*]})"
  fi
fi
finish
