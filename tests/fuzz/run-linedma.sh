#!/bin/sh
# run-linedma.sh [SECONDS] - builds the line-protocol response fuzzer with
# clang (libFuzzer + ASan + UBSan) and runs it for SECONDS (default 30) over
# the seed corpus, printing the executions.  Needs clang; run from anywhere.
set -eu
secs=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${RELAXRUN_FUZZ_BUILD:-$src/build-fuzz}
CC=clang cmake -S "$src" -B "$build" -DRELAXRUN_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target linedma_response_fuzz -j2 >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here"/corpus/linedma_response/* "$work"/
"$build"/tests/linedma/linedma_response_fuzz -max_total_time="$secs" -max_len=4096 \
    -print_final_stats=1 "$work" 2>&1 | grep -E "stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|Done" || true
# libFuzzer exits non-zero on a crash; re-run the corpus to report it.
"$build"/tests/linedma/linedma_response_fuzz -runs=0 "$work" >/dev/null 2>&1
