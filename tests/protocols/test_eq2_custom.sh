#!/usr/bin/env bash
# eq2_reconstruction.lua (Fig. 4(e)) and the two custom sequences
# (adaptive_sweep.lua, strain_staircase.lua), defaults, noise on.
. "$(dirname "$0")/lib.sh"

run eq2 eq2_reconstruction || { finish; exit 1; }
T=$(result eq2 crossover_K)
# The measured sweep: two-step up to 355 K, single-step from 370 K.
check "Eq. (2): two steps become one between 355 and 370 K (cutoff 2000 s)" "T > 355 && T < 370" T="$T"
column eq2 eq2_verdicts two_step > v
awk '$1 <= 355 && $2 != 1 { e = 1 } $1 >= 370 && $2 != 0 { e = 1 } END { exit e }' v &&
  ok "Eq. (2) verdicts agree with the measured sweep's" || bad "Eq. (2) verdicts" "$(tr '\n' ' ' < v)"
# Independent reference: tau_1 of the computed curve at 315 K ~ 0.95 tau_b.
t=$(awk -F, '$1 == 315 { print $4 }' eq2/tables/eq2_verdicts.csv)
check "Eq. (2) curve at 315 K: tau_1 within 3 % of 0.95 x 22.85 s" "t > 0.97 * 21.70 && t < 1.03 * 21.70" t="$t"

run ad adaptive_sweep || { finish; exit 1; }
lo=$(result ad last_two_step_K)
hi=$(result ad first_single_step_K)
check "adaptive sweep: crossover bracket of 1.25 K between 355 and 370 K" \
  "hi - lo <= 1.25 + 1e-9 && lo >= 355 && hi <= 370" lo="$lo" hi="$hi"
check "adaptive sweep agrees with Eq. (2) within 2.5 K" "(lo + hi) / 2 - T < 2.5 && T - (lo + hi) / 2 < 2.5" \
  lo="$lo" hi="$hi" T="$T"

run st strain_staircase || { finish; exit 1; }
d=$(result st superposition_over_noise)
# The prediction carries the noise and drift of four windows of the single
# step besides the stair's own: 4 x the noise level of one sample.
check "staircase = superposed single steps within 4 x noise (linear response)" "d < 4" d="$d"
a=$(result st tau_1_s_first_stair)
b=$(result st tau_1_s_single_step)
check "tau_1 at 0.2 % and 0.8 % within 5 %" "a / b > 0.95 && a / b < 1.05" a="$a" b="$b"
finish
