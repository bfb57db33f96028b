#!/usr/bin/env bash
# The whole engine on the Fig. 1 sweep: `relaxrun --dry-run` (virtual time,
# 21 h of instrument time, ~400,000 samples written to disk), best of 3.
# Prints wall time, instrument-s per wall-s and peak memory; asserts only
# that the run completed with every sample on disk.
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
proto="$RELAXRUN_SRC/tests/bench/data/fig1_sweep_plain.lua"
best=999
for i in 1 2 3; do
  /usr/bin/time -f "%e %M" -o "$tmp/t$i" "$RELAXRUN" --dry-run --no-report -q -o "$tmp/r$i" "$proto" || exit 1
  read -r wall kb < "$tmp/t$i"
  best=$(awk -v a="$best" -v b="$wall" 'BEGIN { print (b < a ? b : a) }')
done
samples=$(cat "$tmp"/r1/segments/*.csv | grep -vc '^time_s')
inst=$(awk -F, 'NR > 1 { e = $1 + $2 } END { printf "%.0f", e }' "$tmp/r1/timeline.csv")
echo "engine sweep: $samples samples, $inst instrument s, best wall $best s," \
     "$(awk -v i="$inst" -v w="$best" 'BEGIN { printf "%.3g", i / w }') instrument-s per wall-s," \
     "peak RSS $kb KB (target: < 0.5 s for the simulator)"
[ "$samples" = 399920 ] || { echo "expected 399920 samples"; exit 1; }
echo "1 passed, 0 failed"
