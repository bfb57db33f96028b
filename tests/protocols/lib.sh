# lib.sh - helpers for the protocol acceptance tests (sourced by each test).
#   RELAXRUN      the relaxrun executable (set by ctest)
#   RELAXRUN_SRC  the source tree (protocols/ lives there)
# Each test runs a protocol of protocols/ on the simulator (noise on, seed 1
# unless said otherwise) and checks the figures it reports against the
# paper's findings, in results.csv and tables/*.csv.
set -u
fails=0
passes=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/relaxrun-protocols.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"

ok() { passes=$((passes + 1)); echo "ok   $1"; }
bad() { fails=$((fails + 1)); echo "FAIL $1"; shift; [ $# -gt 0 ] && echo "     $*"; }

# run DIR PROTOCOL [name=value...]: runs protocols/PROTOCOL.lua (or a path)
# into DIR; options for relaxrun (e.g. -I sim:Zr50Cu40Al10) in $OPTS.
# --no-report: the tests check the figures, not the drawings (the benchmark
# runs the protocols with their report).
run() {
  local dir=$1 proto=$2; shift 2
  case $proto in */*) ;; *) proto="$RELAXRUN_SRC/protocols/$proto.lua" ;; esac
  local t0 t1
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$RELAXRUN" -q --no-report -o "$dir" ${OPTS:-} "$proto" "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  t1=$(date +%s.%N)
  if [ $rc = 0 ]; then
    ok "$(basename "$proto") ${OPTS:-} $* ran ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f s", b - a }'))"
  else
    bad "$(basename "$proto") $*: exit $rc"; sed 's/^/     stderr: /' "$TMP/err" | head -20
  fi
  return $rc
}

# result DIR NAME: prints the value of a result (empty if missing).
result() {
  awk -F, -v n="$2" '$1 == n { print $2; exit }' "$1/results.csv"
}

# check WHAT EXPR VAR=VALUE...: passes when the awk expression holds.
check() {
  local what=$1 expr=$2; shift 2
  local args=() shown=""
  for kv in "$@"; do args+=(-v "$kv"); shown="$shown $kv"; done
  if awk "${args[@]}" "BEGIN { exit !($expr) }" 2>/dev/null; then
    ok "$what:$shown"
  else
    bad "$what:$shown" "(needs $expr)"
  fi
}

# column DIR TABLE COLUMN: prints "key value" lines of a table's column,
# keyed by its first column.
column() {
  awk -F, -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) j = i; next }
                     j { print $1, $j }' "$1/tables/$2.csv"
}

finish() {
  echo "$passes passed, $fails failed"
  [ "$fails" = 0 ]
}
