#!/usr/bin/env bash
# relaxrun analyze: the analyses on recorded CSV files from the command line.
. "$(dirname "$0")/lib.sh"

for T in 315 325 335; do
  write p/r$T.lua <<LUA
local relax = require "relax"
relax.heat_to($T)
relax.hold(1800, "stabilisation")
relax.load(0.006, { duration_s = 2000, label = "T$T" })
LUA
  rr -q -o r$T p/r$T.lua
  expect_rc 0 "relaxation at $T K"
done
rr analyze -o an r315/segments/001-T315.csv r325/segments/001-T325.csv r335/segments/001-T335.csv
expect_rc 0 "relaxrun analyze on three CSV files"
expect_grep "^001-T315.csv +315.00 +2[0-9]\.[0-9]+ .* two-step" "$TMP/out" "tau_1 at 315 K near 0.95 tau_beta (21.7 s)"
E=$(awk -F, '$1 == "E_tau_1" { print $2 }' an/results.csv)
echo "     activation energy of tau_1 from the files: $E kJ/mol"
awk -v e="$E" 'BEGIN { exit !(e > 80 && e < 86) }' && ok "E(tau_1) = 83 +- 3 kJ/mol" || bad "E(tau_1) = $E"
expect_grep "^temperature_K,tau_1_s" an/tables/twostep.csv "table of the fits"

write bad.csv <<'CSV'
time_s,step_time_s,temperature_K,strain_m_per_m,stress_MPa
1.0,0.5,315,0.006,240
1.1,0.6,315,0.006,oops
CSV
rr analyze -o anbad bad.csv
expect_rc 3 "a malformed CSV"
expect_grep "bad.csv:3" "$TMP/err" "the message names the file and line"
rr analyze
expect_rc 2 "no files"
finish
