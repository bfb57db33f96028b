#!/usr/bin/env bash
# dma_spectra.lua (Fig. 2(b, c)), default parameters, noise on.
. "$(dirname "$0")/lib.sh"

run dma dma_spectra || { finish; exit 1; }
E=$(result dma activation_energy_tau_beta_kJ_per_mol)
check "activation energy of tau_beta from the loss peaks 83 +- 3 kJ/mol" "E >= 80 && E <= 86" E="$E"
w=$(result dma tau_1_tau_beta_worst_factor)
check "tau_1 and tau_beta within a factor 1.5 where both are measured" "w >= 1 && w < 1.5" w="$w"
n=$(awk -F, 'NR > 1 && $7 ~ /^[0-9]/' dma/tables/loss_peaks.csv | wc -l)
check "tau_1 and tau_beta both measured at 5 temperatures" "n == 5" n="$n"
# Independent reference: 1/(2 pi f_peak) = (1 - f) tau_b with f = 0.05 and
# tau_b(345 K) = 22.8 s exp(83 kJ/mol / R (1/345 - 1/315)) = 1.452 s.
t=$(awk -F, '$1 == 345 { print $2 }' dma/tables/loss_peaks.csv)
check "tau_beta(345 K) within 5 % of 0.95 tau_b = 1.380 s" "t > 0.95 * 1.380 && t < 1.05 * 1.380" t="$t"
# The isochronal peaks: 343 K at 0.1 Hz and 373 K at 1 Hz (design notes).
T1=$(awk -F, '$3 == 0.1 && $5 == 0 { print $1 }' dma/tables/loss_peaks.csv)
T2=$(awk -F, '$3 == 1 && $5 == 0 { print $1 }' dma/tables/loss_peaks.csv)
check "isochronal loss peak at 0.1 Hz near 343 K" "T > 341 && T < 345" T="$T1"
check "isochronal loss peak at 1 Hz near 373 K" "T > 371 && T < 375" T="$T2"
finish
