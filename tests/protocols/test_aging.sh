#!/usr/bin/env bash
# reversibility.lua (Fig. 3(a, b)) and preanneal.lua (Fig. 3(c, d)),
# default parameters, noise on; and a control without physical aging.
. "$(dirname "$0")/lib.sh"

run rev reversibility || { finish; exit 1; }
d=$(result rev stage3_stage5_difference_over_noise)
n=$(result rev noise_level)
check "noise level of one sample ~ 0.05 MPa / 240 MPa" "n > 1.5e-4 && n < 3e-4" n="$n"
check "normalised stages 3 and 5 differ by less than 3 x the noise level" "d < 3" d="$d"
e=$(result rev stage1_extra_decay_over_noise)
check "stage 1 shows the extra decay between 100 and 1000 s (> 3 x noise)" "e > 3" e="$e"

# Control: the same protocol with the simulator's aging switched off must
# show no extra decay (so the test above sees aging, not an artefact).
{ echo 'require("relax").simulator { ["aging.amplitude"] = 0 }'
  cat "$RELAXRUN_SRC/protocols/reversibility.lua"; } > rev_no_aging.lua
run ctl "$TMP/rev_no_aging.lua" || { finish; exit 1; }
e=$(result ctl stage1_extra_decay_over_noise)
check "without aging, stage 1's extra decay is below 1.5 x noise" "e < 1.5 && e > -1.5" e="$e"

run pre preanneal || { finish; exit 1; }
s=$(result pre extra_decay_shortest_anneal)
n=$(result pre noise_level)
check "first loading right after the temperature change: extra decay > 3 x noise" \
  "s > 3 * n" s="$s" n="$n"
l=$(result pre extra_decay_longest_anneal_over_noise)
check "after an 1800 s anneal the extra decay is below the noise" "l < 1 && l > -1" l="$l"
# It fades with the anneal: each anneal's extra decay below the previous
# one's plus the noise.
column pre extra_decay extra_decay > extra
awk -v n="$n" 'NR > 1 && $2 > prev + n { e = 1 } { prev = $2 } END { exit e }' extra &&
  ok "extra decay fades with the anneal" || bad "extra decay does not fade" "$(tr '\n' ' ' < extra)"
finish
