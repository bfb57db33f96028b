#!/usr/bin/env bash
# zr_comparison.lua (Fig. 2(e, f)) and near_tg.lua (Fig. 4(a)), defaults,
# noise on.
. "$(dirname "$0")/lib.sh"

run zr zr_comparison || { finish; exit 1; }
c=$(result zr two_step_count)
check "Zr50Cu40Al10 (material loaded by the protocol): no two-step decay" "c == 0" c="$c"
OPTS="-I sim:Zr50Cu40Al10" run zr10 zr_comparison T_step=10 || { finish; exit 1; }
c=$(result zr10 two_step_count)
check "Zr50Cu40Al10 preset, 10 K steps: no two-step decay at any temperature" "c == 0" c="$c"
n=$(column zr10 relaxation_times two_step | wc -l)
check "eleven temperatures from 450 to 550 K" "n == 11" n="$n"

run tg near_tg || { finish; exit 1; }
w=$(result tg tau_2_tau_alpha_worst_factor)
check "tau_2 and tau_alpha within a factor 1.5 from 0.93 to 1.01 Tg" "w >= 1 && w < 1.5" w="$w"
n=$(column tg tau_2_vs_tau_alpha tau_2_s | wc -l)
check "five temperatures" "n == 5" n="$n"
finish
