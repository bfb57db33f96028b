#!/usr/bin/env bash
# run-all.sh BUILD_DIR [SECONDS] - builds every libFuzzer harness of relaxrun
# in a clang fuzz build directory and runs each for SECONDS (default 30)
# over a scratch copy of its seed corpus (tests/fuzz/corpus/NAME), printing
# per harness the executions, exec/s and the coverage gained.  Exits
# non-zero if any harness crashed, leaked, hung or failed a check; its
# reproducer is kept in BUILD_DIR/fuzz-artifacts/NAME/.
#
#   bash tests/fuzz/run-all.sh build-fuzz 30
#
# BUILD_DIR is configured here (CC=clang, -DRELAXRUN_FUZZ=ON) if it has no
# CMakeCache.txt yet; an existing one must already have RELAXRUN_FUZZ=ON.
# Harnesses are found as BUILD_DIR/tests/*/NAME_fuzz (the line-protocol one
# lives in tests/linedma).  Environment:
#   RR_FUZZ_STRICT=1      also check the known faults (tests/fuzz/crashes/)
#   RR_FUZZ_ONLY="a b"    run only these harnesses (names without _fuzz)
#   RR_FUZZ_NOBUILD=1     do not build; use what is in BUILD_DIR
# At the end the reproducers under tests/fuzz/crashes/NAME/ are replayed in
# strict mode and reported as "still fails" or "fixed" (information only).
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [SECONDS]" >&2
  exit 2
fi
build=$1
secs=${2:-30}
case $build in /*) ;; *) build=$PWD/$build ;; esac

# ---- configure and build ---------------------------------------------------
if [ "${RR_FUZZ_NOBUILD:-0}" != 1 ]; then
  if [ ! -f "$build/CMakeCache.txt" ]; then
    echo "configuring $build (clang, RELAXRUN_FUZZ=ON)"
    mkdir -p "$build"
    CC=clang cmake -S "$src" -B "$build" -DRELAXRUN_FUZZ=ON \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build/configure.log" 2>&1 ||
      { cat "$build/configure.log"; exit 1; }
  elif ! grep -q '^RELAXRUN_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
    echo "$build is not a fuzz build: configure it with CC=clang -DRELAXRUN_FUZZ=ON" >&2
    exit 2
  fi
  # Every target named *_fuzz that this configuration defines.
  # (Makefiles list "... NAME", Ninja "NAME: phony".)
  targets=$(cmake --build "$build" --target help 2>/dev/null |
            grep -oE '(^|[ .])[A-Za-z0-9_]+_fuzz(:|$| )' | grep -oE '[A-Za-z0-9_]+_fuzz' | sort -u)
  if [ -z "$targets" ]; then
    echo "no *_fuzz targets in $build" >&2
    exit 1
  fi
  echo "building: $(echo $targets)"
  if ! cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target $targets \
       >"$build/fuzz-build.log" 2>&1; then
    grep -E "error|Error" "$build/fuzz-build.log" | head -30
    echo "build failed (log: $build/fuzz-build.log)" >&2
    exit 1
  fi
fi

# ---- run -------------------------------------------------------------------
mapfile -t exes < <(find "$build/tests" -type f -name '*_fuzz' -perm -u+x 2>/dev/null | sort)
if [ ${#exes[@]} = 0 ]; then
  echo "no harnesses found under $build/tests" >&2
  exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/relaxrun-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The harnesses' scratch files (fuzzfile.h) go there too, crash or not.
export TMPDIR=$work
failed=0
printf '%-20s %10s %8s %14s %6s  %s\n' harness execs exec/s coverage "+units" result
for exe in "${exes[@]}"; do
  name=$(basename "$exe" _fuzz)
  if [ -n "${RR_FUZZ_ONLY:-}" ] && ! [[ " $RR_FUZZ_ONLY " == *" $name "* ]]; then
    continue
  fi
  corpus=$work/corpus-$name
  arts=$work/artifacts-$name
  mkdir -p "$corpus" "$arts"
  if [ -d "$here/corpus/$name" ]; then
    cp -r "$here/corpus/$name/." "$corpus/"
  else
    echo "     (no seed corpus tests/fuzz/corpus/$name: starting empty)"
  fi
  log=$work/$name.log
  (cd "$arts" && "$exe" -max_total_time="$secs" -max_len=4096 -timeout=10 \
     -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$arts/" \
     "$corpus" >"$log" 2>&1)
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
  cov0=$(sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' "$log" | head -1)
  cov1=$(grep -oE '(NEW|REDUCE|pulse|DONE) +cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
  if [ $rc = 0 ]; then
    result=ok
  else
    failed=1
    result="FAILED (exit $rc)"
    keep=$build/fuzz-artifacts/$name
    mkdir -p "$keep"
    cp "$arts"/* "$keep"/ 2>/dev/null
    cp "$log" "$keep/$name.log"
  fi
  printf '%-20s %10s %8s %14s %6s  %s\n' "$name" "${execs:-?}" "${rate:-?}" \
    "${cov0:-?} -> ${cov1:-${cov0:-?}}" "${units:-?}" "$result"
  if [ $rc != 0 ]; then
    grep -E "ERROR:|SUMMARY:|does not|non-finite|canonical|message does not" "$log" | head -5 |
      sed 's/^/     /'
    echo "     reproducer and log: $keep/ (replay: $exe FILE)"
  fi
done

# ---- known faults ------------------------------------------------------------
if [ -d "$here/crashes" ]; then
  echo "known faults (tests/fuzz/crashes/, replayed with RR_FUZZ_STRICT=1):"
  for dir in "$here"/crashes/*/; do
    name=$(basename "$dir")
    exe=$(printf '%s\n' "${exes[@]}" | grep "/${name}_fuzz\$" | head -1)
    [ -n "$exe" ] || continue
    for f in "$dir"*; do
      [ -f "$f" ] || continue
      if RR_FUZZ_STRICT=1 "$exe" "$f" >/dev/null 2>&1; then
        echo "     fixed:       $name/$(basename "$f")"
      else
        echo "     still fails: $name/$(basename "$f")"
      fi
    done
  done
fi
[ $failed = 0 ] && echo "all harnesses ran clean" || echo "some harness FAILED"
exit $failed
