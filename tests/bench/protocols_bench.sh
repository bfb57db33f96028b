#!/usr/bin/env bash
# Runs every protocols/*.lua with its default parameters on the simulator,
# one after another, and prints for each: the wall time of the plain run
# (`relaxrun protocols/NAME.lua`: the run, its plots and HTML report), its
# CPU time, and the wall time of the run alone (--no-report); then the
# totals.  Asserts only that each run completes.  The issue's target: the
# plain runs under 5 s of wall time in all.
#   RELAXRUN      the relaxrun executable; RELAXRUN_SRC  the source tree
#   BENCH_OUT     where the run directories go (default: a temporary
#                 directory, removed afterwards)
set -u
out=${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/relaxrun-bench.XXXXXX")}
[ -z "${BENCH_OUT:-}" ] && trap 'rm -rf "$out"' EXIT
fails=0
TIMEFORMAT='%R %U %S'
sum() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }
printf '%-22s %12s %8s %14s\n' protocol wall_s cpu_s no_report_s
tw=0; tc=0; tn=0
for p in "$RELAXRUN_SRC"/protocols/*.lua; do
  name=$(basename "$p" .lua)
  rm -rf "${out:?}/$name" "$out/$name-nr" # -o refuses a directory that holds a run
  # bash's time keyword: real, user and sys of the child, on stderr
  t=$( { time "$RELAXRUN" -q -o "$out/$name" "$p" >"$out/$name.out" 2>"$out/$name.err"; } 2>&1 )
  if ! grep -q '^status: "complete"' "$out/$name/manifest.yaml" 2>/dev/null; then
    echo "FAIL $name did not complete:"; sed 's/^/  /' "$out/$name.err" | head -5
    fails=$((fails + 1))
  fi
  read -r wall user sys <<<"$t"
  t=$( { time "$RELAXRUN" -q --no-report -o "$out/$name-nr" "$p" >/dev/null 2>&1; } 2>&1 )
  read -r wall_nr _ _ <<<"$t"
  cpu=$(sum "$user" "$sys")
  printf '%-22s %12.2f %8.2f %14.2f\n' "$name" "$wall" "$cpu" "$wall_nr"
  tw=$(sum "$tw" "$wall"); tc=$(sum "$tc" "$cpu"); tn=$(sum "$tn" "$wall_nr")
done
printf '%-22s %12.2f %8.2f %14.2f\n' TOTAL "$tw" "$tc" "$tn"
echo "all protocols, one after another: $tw s wall with reports ($tc s CPU), $tn s wall without; target < 5 s wall"
[ "$fails" = 0 ]
