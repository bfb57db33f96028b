# lib.sh - helpers for relaxrun's end-to-end tests (sourced by each test).
#   RELAXRUN   path of the relaxrun executable (set by ctest)
#   RELAXRUN_VALGRIND=1  run relaxrun under valgrind (leaks and invalid
#                        accesses fail the test)
set -u
fails=0
passes=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/relaxrun-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"

rr() { # rr ARGS... : runs relaxrun, stdout in $TMP/out, stderr in $TMP/err, status in $rc
  if [ "${RELAXRUN_VALGRIND:-0}" = 1 ]; then
    valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
      --error-exitcode=99 "$RELAXRUN" "$@" >"$TMP/out" 2>"$TMP/err"
  else
    "$RELAXRUN" "$@" >"$TMP/out" 2>"$TMP/err"
  fi
  rc=$?
  if [ $rc = 99 ]; then
    echo "valgrind reported errors:"; cat "$TMP/err"
  fi
}

ok() { passes=$((passes + 1)); echo "ok   $1"; }
bad() { fails=$((fails + 1)); echo "FAIL $1"; shift; [ $# -gt 0 ] && echo "     $*"; }

expect_rc() { # expect_rc WANT WHAT
  if [ "$rc" = "$1" ]; then ok "$2: exit $1"; else
    bad "$2: exit $rc, want $1"; sed 's/^/     stderr: /' "$TMP/err" | head -20; fi
}
expect_grep() { # expect_grep PATTERN FILE WHAT
  if grep -qE -- "$1" "$2"; then ok "$3"; else
    bad "$3: /$1/ not in $2"; sed 's/^/     | /' "$2" | head -20; fi
}
expect_true() { # expect_true WHAT CMD...
  local what=$1; shift
  if "$@"; then ok "$what"; else bad "$what: '$*' failed"; fi
}
write() { # write FILE <<EOF
  mkdir -p "$(dirname "$1")"; cat >"$1"
}
finish() {
  echo "$passes passed, $fails failed"
  [ "$fails" = 0 ]
}
