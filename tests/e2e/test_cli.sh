#!/usr/bin/env bash
# The command line: --help, --version, options.
. "$(dirname "$0")/lib.sh"

rr --help
expect_rc 0 "--help"
for code in "0  done" "2  usage" "3  protocol error" "4  instrument failure" "5  aborted"; do
  expect_grep "$code" "$TMP/out" "--help lists exit status '$code'"
done
rr --version
expect_rc 0 "--version"
expect_grep "^relaxrun [0-9]+\.[0-9]+\.[0-9]+" "$TMP/out" "--version prints the version"
rr --bogus x.lua
expect_rc 2 "unknown option"
rr
expect_rc 2 "no protocol"
rr --seed -3 x.lua
expect_rc 2 "bad seed"
rr -I nosuch:thing "$RELAXRUN_SRC/protocols/reversibility.lua"
expect_rc 4 "unknown instrument"
expect_grep "unknown instrument 'nosuch:thing'" "$TMP/err" "unknown instrument named"
rr -I sim:NoSuchGlass "$RELAXRUN_SRC/protocols/reversibility.lua"
expect_rc 4 "unknown preset"
expect_grep "NoSuchGlass" "$TMP/err" "unknown preset named"

# The default run directory is a new one under runs/.
write p/tiny.lua <<'LUA'
local relax = require "relax"
relax.report("answer", 42, "1", "a number")
LUA
rr p/tiny.lua
expect_rc 0 "tiny protocol"
d=$(ls -d runs/*-tiny 2>/dev/null | head -1)
expect_true "run directory under runs/" test -n "$d"
expect_grep "^answer,42,1,a number$" "$d/results.csv" "results.csv"
rr p/tiny.lua
expect_rc 0 "second run"
[ "$(ls -d runs/*tiny* | wc -l)" = 2 ] && ok "a second run gets its own directory" || bad "run directories" "$(ls runs)"

# Same seed, same data.
write p/curve.lua <<'LUA'
local relax = require "relax"
relax.heat_to(330)
relax.load(0.006, { duration_s = 20 })
LUA
rr -o s1 --seed 7 p/curve.lua
rr -o s2 --seed 7 p/curve.lua
rr -o s3 --seed 8 p/curve.lua
cmp -s s1/segments/001-*.csv s2/segments/001-*.csv && ok "same seed, same data" || bad "same seed differs"
cmp -s s1/segments/001-*.csv s3/segments/001-*.csv && bad "other seed, same data" || ok "other seed, other noise"

# An installed relaxrun finds its own files without the source tree.
if [ "${RELAXRUN_VALGRIND:-0}" != 1 ]; then
  cmake --install "$(dirname "$RELAXRUN")" --prefix "$TMP/prefix" >/dev/null 2>&1
  (cd / && "$TMP/prefix/bin/relaxrun" -q -o "$TMP/inst" protocols/reversibility.lua stage_duration=60) \
    >"$TMP/out" 2>"$TMP/err"
  rc=$?
  expect_rc 0 "installed relaxrun runs protocols/reversibility.lua from /"
  expect_grep "$TMP/prefix/share/relaxrun/scripts/relax.lua|source" "$TMP/inst/manifest.yaml" "installed run manifest"
fi
finish
