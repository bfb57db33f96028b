#!/usr/bin/env bash
# The same protocol through `relaxrun emulate` (the line protocol over TCP,
# in real time at 100x) and on the built-in simulator, with the same seed and
# noise on, gives the same curves: the sample noise is keyed on the sample,
# not on the order of the host's queries.
. "$(dirname "$0")/lib.sh"
"$RELAXRUN" emulate --tcp 127.0.0.1:0 --speed 100 --seed 7 >emu.out 2>emu.err &
emu=$!
trap 'kill $emu 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do [ -s emu.out ] && break; sleep 0.05; done
args="stage_duration=120 equilibration=30"
rr -q --no-report -I "$(head -1 emu.out)" -o emu "$RELAXRUN_SRC/protocols/reversibility.lua" $args
expect_rc 0 "reversibility through the emulator"
rr -q --no-report --seed 7 -o sim "$RELAXRUN_SRC/protocols/reversibility.lua" $args
expect_rc 0 "reversibility on the simulator"
for k in 1 2 3 4 5; do
  read -r n rms < <(paste -d, emu/segments/00$k-*.csv sim/segments/00$k-*.csv |
    awk -F, 'NR > 1 { d = $5 - $10; s += d * d; n++ } END { printf "%d %.3g\n", n, sqrt(s / n) }')
  echo "     stage $k: $n samples each, rms difference $rms MPa (noise 0.05 MPa)"
  awk -v r="$rms" -v n="$n" 'BEGIN { exit !(n == 1196 && r < 0.01) }' &&
    ok "stage $k: the same curve (rms difference < 0.2 x the noise)" || bad "stage $k differs: $rms MPa"
done
finish
