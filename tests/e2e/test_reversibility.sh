#!/usr/bin/env bash
# The README's run: protocols/reversibility.lua on the simulator, end to end.
. "$(dirname "$0")/lib.sh"

rr -o run "$RELAXRUN_SRC/protocols/reversibility.lua"
expect_rc 0 "reversibility run"
expect_grep "run directory: run" "$TMP/out" "summary names the run directory"
expect_grep "max_difference_stage3_stage5 = " "$TMP/out" "summary lists the results"

expect_grep "^status: \"complete\"" run/manifest.yaml "manifest says complete"
expect_grep "sha256: \"[0-9a-f]{64}\"" run/manifest.yaml "manifest has the protocol hash"
expect_grep "stage_duration: \{value: 1800, unit: \"s\"" run/manifest.yaml "manifest has the parameters"
expect_true "protocol copied into the run" test -s run/source/reversibility.lua
expect_true "relax.lua copied into the run" test -s run/source/relax.lua
expect_true "preset copied into the run" test -s run/config/La60Ni15Al25.yaml
expect_grep "safe state reached" run/events.log "safe state at the end"

# Five stages, each at 10 points/s from 0.5 s after its strain change.
n=$(ls run/segments/*.csv | wc -l)
[ "$n" = 5 ] && ok "five segment files" || bad "five segment files" "found $n"
for f in run/segments/00{1,2,3,4,5}-stage_*.csv; do
  head -1 "$f" | grep -q '^time_s,step_time_s,temperature_K,strain_m_per_m,stress_MPa$' ||
    bad "$f header"
  awk -F, -v f="$f" 'NR == 2 { first = $2 }
       NR > 2 { d = $2 - prev; if (d < 0.0999 || d > 0.1001) gaps++ }
       NR > 1 { prev = $2; n++ }
       END { if (first < 0.4999 || first > 0.5001) { print f ": first sample at " first " s"; exit 1 }
             if (gaps) { print f ": " gaps " intervals not 0.1 s"; exit 1 }
             if (n != 17996) { print f ": " n " samples, want 17996"; exit 1 } }' "$f" &&
    ok "$(basename "$f"): 17996 samples at 10 Hz from 0.5 s" || bad "$(basename "$f") sampling"
done

# Stage 1 loads to 0.6 % at 315 K.
awk -F, 'NR == 2 { if ($4 < 0.00599 || $4 > 0.00601 || $3 < 314.8 || $3 > 315.2) exit 1 }' \
  run/segments/001-stage_1.csv && ok "stage 1 at 0.6 % and 315 K" || bad "stage 1 strain/temperature"

# Normalised stages 3 and 5 coincide.  Without noise: to 5e-5 of sigma0.
# With noise and load-cell drift: their RMS difference stays within 3 times
# what two independent noisy curves give (sqrt 2 x the noise).
norm_diff() { # prints max and rms of the normalised difference of two CSVs
  paste -d, "$1" "$2" | awk -F, 'NR == 2 { a0 = $5; b0 = $10 }
    NR > 1 { d = $5 / a0 - $10 / b0; if (d < 0) d = -d; if (d > m) m = d; s += d * d; n++ }
    END { printf "%.3g %.3g\n", m, sqrt(s / n) }'
}
noise_of() { # rms of successive differences / sqrt 2, normalised, last 1000 samples
  tail -1000 "$1" | awk -F, 'NR == 1 { s0 = $5 } NR > 1 { d = ($5 - p); s += d * d; n++ }
    { p = $5 } END { printf "%.3g\n", sqrt(s / n / 2) / s0 }'
}
read max rms < <(norm_diff run/segments/003-stage_3.csv run/segments/005-stage_5.csv)
noise=$(noise_of run/segments/005-stage_5.csv)
echo "     noisy run: stage 3 vs 5 max $max, rms $rms; noise $noise (normalised)"
awk -v r="$rms" -v n="$noise" 'BEGIN { exit !(r < 3 * 1.4142 * n && n > 0) }' &&
  ok "noisy stages 3 and 5 differ by noise only" || bad "noisy stages 3/5 rms $rms vs noise $noise"

rr -q --no-noise -o quiet "$RELAXRUN_SRC/protocols/reversibility.lua" stage_duration=600
expect_rc 0 "noise-free reversibility run"
read max rms < <(norm_diff quiet/segments/003-stage_3.csv quiet/segments/005-stage_5.csv)
echo "     noise-free: stage 3 vs 5 max $max, rms $rms"
awk -v m="$max" 'BEGIN { exit !(m < 5e-5) }' && ok "noise-free stages 3 and 5 coincide" ||
  bad "noise-free stages 3/5 differ by $max"
[ ! -s "$TMP/out" ] && ok "--quiet prints nothing" || bad "--quiet printed" "$(cat "$TMP/out")"
expect_grep "stage_duration: \{value: 600, unit: \"s\", description: \"[^\"]*\", from_command_line: true" \
  quiet/manifest.yaml "command-line parameter recorded"
finish
