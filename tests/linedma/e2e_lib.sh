# e2e_lib.sh - helpers for the line-protocol end-to-end tests (sourced).
#   RELAXRUN  the relaxrun executable; PTYSHIM  the test-only ioctl shim;
#   RELAXRUN_SRC  the source tree.  Each test runs in its own temp dir.
set -u
fails=0
passes=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/relaxrun-linedma.XXXXXX")
EMU_PID=
cleanup() {
  [ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null && wait "$EMU_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP"
PROTO="$RELAXRUN_SRC/protocols/reversibility.lua"
SHORT="equilibration=10 stage_duration=20"

ok() { passes=$((passes + 1)); echo "ok   $1"; }
bad() { fails=$((fails + 1)); echo "FAIL $1"; shift; [ $# -gt 0 ] && echo "     $*"; }
check() { # check WHAT CMD...
  local what=$1; shift
  if "$@"; then ok "$what"; else bad "$what" "'$*' failed"; fi
}
has() { grep -qE -- "$1" "$2"; } # has PATTERN FILE

# rr ARGS...: relaxrun, stdout in out, stderr in err, status in $rc.
rr() { "$RELAXRUN" "$@" >out 2>err; rc=$?; }

# emulate ARGS...: starts "relaxrun emulate ARGS" in the background, sets
# ADDR to the address it serves (its first stdout line) and EMU_PID.
emulate() {
  rm -f emu.out emu.log
  "$RELAXRUN" emulate --log emu.log "$@" >emu.out 2>emu.err &
  EMU_PID=$!
  for _ in $(seq 100); do
    ADDR=$(head -n1 emu.out 2>/dev/null)
    [ -n "$ADDR" ] && return 0
    sleep 0.05
  done
  echo "emulator did not start:"; cat emu.err
  return 1
}
stop_emulator() { # stops it with SIGTERM; status in $emu_rc
  kill -TERM "$EMU_PID"; wait "$EMU_PID"; emu_rc=$?; EMU_PID=
}
# Commands the emulator received after device time T.
received_after() { awk -v t="$1" '$1 + 0 >= t { $1 = ""; sub(/^ /, ""); print }' emu.log; }

# Largest relative difference of the stress (column 5) of two segment CSVs,
# matching rows by step time (column 2); 1 if fewer than 150 rows match.
max_rel_diff() {
  awk -F, 'FNR == 1 { next } NR == FNR { ref[sprintf("%.3f", $2)] = $5; next }
    { k = sprintf("%.3f", $2); if (!(k in ref) || ref[k] == 0) next
      d = ($5 - ref[k]) / ref[k]; if (d < 0) d = -d; if (d > m) m = d; n++ }
    END { if (n < 150) print 1; else printf "%.3g\n", m }' "$2" "$1"
}
# The sample-to-sample noise in the difference of two segment CSVs' stress
# (MPa): the rms of the first differences of (A - B), rows matched by step
# time as above.  A slow difference (a strain step a little later in real
# time) leaves it near 0; independent noise of rms s leaves it near 2 s.
# 1e9 if fewer than 150 rows match.
noise_of_diff() {
  awk -F, 'FNR == 1 { next } NR == FNR { ref[sprintf("%.3f", $2)] = $5; next }
    { k = sprintf("%.3f", $2); if (!(k in ref)) next
      d = $5 - ref[k]; if (n++) { e = d - p; s += e * e; m++ }; p = d }
    END { if (n < 150) print 1e9; else printf "%.3g\n", sqrt(s / m) }' "$2" "$1"
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

finish() {
  echo "$passes passed, $fails failed"
  [ "$fails" = 0 ]
}
