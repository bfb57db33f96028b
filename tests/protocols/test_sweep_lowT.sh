#!/usr/bin/env bash
# temperature_sweep.lua (Fig. 1) and cantilever_lowT.lua (Fig. S2, 2(d)),
# with their default parameters, on the simulator with noise on.
. "$(dirname "$0")/lib.sh"
R=0.008314462618 # kJ/(mol K)

run sweep temperature_sweep || { finish; exit 1; }
# Two-step at every temperature up to 355 K and at none from 370 K.
column sweep relaxation_times two_step > verdicts
awk '$1 <= 355 && $2 != 1 { print "no two-step decay at " $1 " K"; e = 1 }
     $1 >= 370 && $2 != 0 { print "two-step decay at " $1 " K"; e = 1 }
     END { exit e }' verdicts && ok "two-step up to 355 K, none from 370 K" ||
  bad "verdicts" "$(tr '\n' ' ' < verdicts)"
[ "$(awk '$1 <= 355' verdicts | wc -l)" = 9 ] && ok "nine temperatures up to 355 K" || bad "temperatures"
E=$(result sweep activation_energy_tau_1_kJ_per_mol)
check "activation energy of tau_1 83 +- 3 kJ/mol" "E >= 80 && E <= 86" E="$E"
b=$(result sweep beta_decay_at_315K)
check "beta part of the decay at 315 K in 4-6 %" "b >= 0.04 && b <= 0.06" b="$b"
# Independent reference: the preset's tau_b(315 K) = 22.8 s and the beta
# step's decay at ~0.95 tau_b in stress relaxation (design notes).
t=$(result sweep tau_1_s_at_315K)
check "tau_1(315 K) within 5 % of 0.95 x 22.8 s" "t > 0.95 * 21.66 && t < 1.05 * 21.66" t="$t"

run lowT cantilever_lowT || { finish; exit 1; }
tau0=$(result sweep tau_1_tau0_s)
for T in 280 290; do
  t=$(result lowT tau_1_s_at_${T}K)
  line=$(awk -v a="$tau0" -v E="$E" -v R=$R -v T=$T 'BEGIN { printf "%.6g", a * exp(E / (R * T)) }')
  check "tau_1($T K) within 25 % of the sweep's Arrhenius line ($line s)" \
    "t > 0.75 * line && t < 1.25 * line" t="$t" line="$line"
  check "tau_1($T K) in the hundreds to thousands of seconds" "t >= 100 && t < 10000" t="$t"
done
# Independent reference: tau_b ~ 350 s at 290 K and ~ 1200 s at 280 K.
t=$(result lowT tau_1_s_at_290K)
check "tau_1(290 K) within 15 % of 0.95 x 350 s" "t > 0.85 * 332.5 && t < 1.15 * 332.5" t="$t"
t=$(result lowT tau_1_s_at_280K)
check "tau_1(280 K) within 15 % of 0.95 x 1200 s" "t > 0.85 * 1140 && t < 1.15 * 1140" t="$t"
finish
