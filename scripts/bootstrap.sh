#!/usr/bin/env bash
# bootstrap.sh - set up a fresh Debian 12 machine (as root) and build relaxrun.
#
#   bash scripts/bootstrap.sh demo   install what is missing, build, and run
#                                    protocols/reversibility.lua on the simulator
#   bash scripts/bootstrap.sh test   install what is missing, build, and run the
#                                    whole test suite (also under ASan+UBSan and
#                                    valgrind), as CI does
#
# Environment: BUILD_DIR (default build), JOBS (default: number of cores),
# FUZZ_SECONDS (default 30 per fuzz harness).
set -euo pipefail

cd "$(dirname "$0")/.."
mode=${1:-demo}
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}

# Debian packages the build and the tests need.
packages=(cmake make gcc pkg-config liblua5.4-dev libgsl-dev libyaml-dev
          libserialport-dev libedit-dev gnuplot-nox)
if [ "$mode" = test ]; then
  packages+=(clang libclang-rt-14-dev valgrind procps time tmux util-linux chromium libpng-dev)
fi

install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "bootstrap: installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

build() { # build DIR [cmake options...]
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

install_missing "${packages[@]}"

case "$mode" in
  demo)
    build "$BUILD_DIR"
    "$BUILD_DIR"/relaxrun protocols/reversibility.lua
    ;;
  test)
    build "$BUILD_DIR"
    echo "== test suite (release build)"
    ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"
    echo "== test suite under AddressSanitizer + UndefinedBehaviorSanitizer"
    build "$BUILD_DIR-asan" -DRELAXRUN_SANITIZE=ON
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --test-dir "$BUILD_DIR-asan" --output-on-failure -j "$JOBS" -LE 'bench|novalgrind-asan'
    echo "== fuzzing: every parser of outside input, ${FUZZ_SECONDS:-30} s per harness"
    bash tests/fuzz/run-all.sh "$BUILD_DIR-fuzz" "${FUZZ_SECONDS:-30}"
    echo "== C tests and end-to-end tests under valgrind"
    ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" -T memcheck -L memcheck
    RELAXRUN_VALGRIND=1 ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" -L valgrind
    ;;
  *)
    echo "usage: bash scripts/bootstrap.sh demo|test" >&2
    exit 2
    ;;
esac
