#!/usr/bin/env bash
# The run directory under hostile input: a table whose __len lies, a device
# that sends 1e250 MPa, names that are not YAML, an -o that already holds a
# run (or that two runs want at once), a segment cut short by SIGINT, a
# journal on a full disk, and results.csv replaced while someone reads it.
. "$(dirname "$0")/lib.sh"

wait_rows() { # wait_rows FILE N: until FILE has more than N lines, up to 60 s
  for _ in $(seq 1200); do
    [ -f "$1" ] && [ "$(wc -l < "$1")" -gt "$2" ] && return 0; sleep 0.05
  done; return 1
}
# Makes a finished run look like one whose process died mid-run, so that
# `relaxrun resume` takes it up again (pid 2^31-1 is never alive).
as_interrupted() {
  sed -i 's/^status: .*/status: "running"/; s/^pid: .*/pid: 2147483647/' "$1/manifest.yaml"
}

# ---- table sizes come from __len: checked before any allocation -----------
write p/table_huge.lua <<'LUA'
local relax = require "relax"
local row = { 1.0 }
local rows = setmetatable({}, { __len = function() return 1 << 61 end,
                                __index = function() return row end })
relax.table("t", { "x" }, rows)
LUA
rr -q -o huge p/table_huge.lua
expect_rc 3 "a table claiming 2^61 rows"
expect_grep "table_huge.lua:5: table 't': 2305843009213693952 rows x 1 columns; a table holds 0 to 10000000 values" \
  "$TMP/err" "2^61 rows: the table and the cap named"
write p/table_neg.lua <<'LUA'
local relax = require "relax"
relax.table("neg", { "x" }, setmetatable({}, { __len = function() return -1 end }))
LUA
rr -q -o neg p/table_neg.lua
expect_rc 3 "a table claiming -1 rows"
expect_grep "table 'neg': -1 rows" "$TMP/err" "-1 rows: the table named"
write p/table_cols.lua <<'LUA'
local relax = require "relax"
relax.table("wide", setmetatable({}, { __len = function() return math.maxinteger end }), {})
LUA
rr -q -o wide p/table_cols.lua
expect_rc 3 "a table claiming 2^63-1 columns"
expect_grep "table 'wide': 9223372036854775807 columns; a table has 1 to 64" "$TMP/err" \
  "2^63-1 columns: the table named"
# Wide enough, and at the cap: still accepted (columns from numbers too).
write p/table_ok.lua <<'LUA'
local relax = require "relax"
local rows = {}
for i = 1, 1000 do rows[i] = { i, i * i } end
relax.table("squares", { 1, "n_squared" }, rows)
LUA
rr -q -o tok p/table_ok.lua
expect_rc 0 "a table of 1000 rows"
expect_grep "^1,n_squared$" tok/tables/squares.csv "a column named by a number"
expect_grep "^1000,1000000$" tok/tables/squares.csv "the last row"

# ---- a device sending 1e250 MPa: every sample line stays bounded ----------
write p/big.lua <<'LUA'
local relax = require "relax"
relax.material { E_MPa = 1e250 }
relax.simulator { ["fault.overload_MPa"] = 1e300 }
relax.step(0.006, { duration_s = 5, label = "big" })
LUA
rr -q -o big p/big.lua
expect_rc 0 "a stress of 6e247 MPa is recorded"
csv=big/segments/001-big.csv
longest=$(awk '{ if (length > m) m = length } END { print m + 0 }' "$csv")
[ "$longest" -le 200 ] && ok "longest sample line $longest characters" ||
  bad "a sample line of $longest characters (the line buffer holds 256)"
expect_grep "^0\.500000,0\.500000,[0-9.]+,0\.0060000000,5\.99[0-9]+e\+247$" "$csv" \
  "6e247 MPa in exponent notation, 17 digits"
awk -F, 'NR > 1 && !($5 > 5.9e247 && $5 < 6.1e247) { exit 1 }' "$csv" &&
  ok "every stress reads back as 6e247" || bad "stress values do not read back"

# ---- names that are not plain YAML: escaped, the manifest stays valid -----
write p/names.lua <<'LUA'
local relax = require "relax"
relax.table("t", { 'tau "fast"', "a,b", "back\\slash" }, { { 1, 2, 3 } })
relax.plot { kind = "xy", title = "bad \xff byte", note = 'say "hi"\n' }
LUA
rr -q -o names p/names.lua
expect_rc 0 "a table and a plot with odd names"
rr status names
expect_rc 0 "the manifest still parses (relaxrun status)"
expect_grep '^    columns: \["tau \\"fast\\"", "a,b", "back\\\\slash"\]$' names/manifest.yaml \
  "column names escaped, one each (a comma does not split one)"
expect_grep '^"tau ""fast""","a,b",back\\slash$' names/tables/t.csv "column names quoted in the CSV"
expect_grep 'title: "bad \\xff byte"' names/manifest.yaml "a byte that is not UTF-8, escaped"
expect_grep 'note: "say \\"hi\\"\\n"' names/manifest.yaml "quotes and a newline, escaped"
if ! grep -q "report:" "$TMP/err"; then ok "the report reads the manifest"; else
  bad "the report could not read the manifest" "$(cat "$TMP/err")"; fi

# ---- -o: an earlier run is never overwritten ------------------------------
write p/one.lua <<'LUA'
local relax = require "relax"
relax.step(0.006, { duration_s = 5, label = "a" })
LUA
rr -q -o first p/one.lua
expect_rc 0 "a first run"
before=$(cd first && find . -type f -exec sha256sum {} + | sort)
rr -q -o first p/one.lua
expect_rc 2 "-o at an earlier run: refused as a usage error"
expect_grep "first: already holds a run \(manifest.yaml\)" "$TMP/err" "-o at an earlier run: why"
after=$(cd first && find . -type f -exec sha256sum {} + | sort)
[ "$before" = "$after" ] && ok "the earlier run is untouched" || bad "the earlier run changed"
rr -q -o first/ p/one.lua
expect_rc 2 "-o first/ (a trailing slash): refused too"
mkdir notes && echo "lab notes" > notes/today.txt
rr -q -o notes p/one.lua
expect_rc 2 "-o at a folder with files: refused"
expect_grep "notes: is not empty" "$TMP/err" "-o at a folder with files: why"
expect_true "its files are untouched" test "$(ls notes)" = today.txt
echo "not a folder" > plain
rr -q -o plain p/one.lua
expect_rc 2 "-o at a file: refused"
mkdir empty
rr -q -o empty/ p/one.lua
expect_rc 0 "-o at an empty folder"
expect_grep '^status: "complete"' empty/manifest.yaml "an empty folder takes the run"
rr -q -o deep/er/run p/one.lua
expect_rc 0 "-o creates its parents"
expect_true "the nested run directory" test -f deep/er/run/manifest.yaml
ls -a first empty | grep -q '\.tmp$' && bad "temporary files left behind" "$(ls -a first empty)" ||
  ok "no temporary file left behind"

# Six runs given the same new directory at once: one gets it, intact.
for i in 1 2 3 4 5 6; do
  "$RELAXRUN" -q -o race p/one.lua >/dev/null 2>"race.$i.err" & pids[$i]=$!
done
won=0
for i in 1 2 3 4 5 6; do
  if wait "${pids[$i]}"; then won=$((won + 1)); fi
done
[ "$won" = 1 ] && ok "six runs at once into one directory: one runs" ||
  bad "six runs at once into one directory: $won ran" "$(cat race.*.err)"
if [ "$(cat race.*.err | grep -cE 'race: (already holds a run|is not empty|taken by another run)')" = 5 ]; then
  ok "the five others are told why"
else bad "the others' messages" "$(cat race.*.err)"; fi
n=$(sed -n 's/^    samples: //p' race/manifest.yaml)
rows=$(($(wc -l < race/segments/001-a.csv) - 1))
[ "$(grep -c '^  - file:' race/manifest.yaml)" = 1 ] && [ "$n" = "$rows" ] && [ "$rows" -gt 0 ] &&
  ok "the winner's run is whole: one segment, $rows samples" ||
  bad "the raced directory: $(grep -c '^  - file:' race/manifest.yaml) segments, $n samples in the manifest, $rows in the file"

# ---- a segment cut short by SIGINT is not complete ------------------------
write p/long.lua <<'LUA'
local relax = require "relax"
relax.step(0.006, { duration_s = 1000, label = "a" })
LUA
"$RELAXRUN" -q --pace 20 -o cut p/long.lua >/dev/null 2>"$TMP/err" &
pid=$!
if wait_rows cut/segments/001-a.csv 5; then
  kill -INT $pid; wait $pid; rc=$?
  expect_rc 5 "SIGINT mid-recording"
  expect_grep '^status: "aborted"' cut/manifest.yaml "SIGINT: the run reads aborted"
  expect_grep '^    complete: false$' cut/manifest.yaml "SIGINT: the segment reads complete: false"
  n=$(sed -n 's/^    samples: //p' cut/manifest.yaml)
  rows=$(($(wc -l < cut/segments/001-a.csv) - 1))
  [ "$n" = "$rows" ] && [ "$rows" -gt 4 ] && ok "SIGINT: the $rows samples are kept and counted" ||
    bad "SIGINT: $n samples in the manifest, $rows in the file"
else
  kill -9 $pid; bad "the paced run never recorded"
fi
expect_grep '^    complete: true$' first/manifest.yaml "a segment recorded to its end reads complete: true"

# ---- a journal line that cannot be written ends the run -------------------
write p/holds.lua <<'LUA'
local relax = require "relax"
relax.hold(5, "first")
relax.hold(5, "second")
relax.report("x", 1, "1", "a result")
LUA
if [ -c /dev/full ]; then
  rr -q -o jfull p/holds.lua
  expect_rc 0 "a run to resume"
  as_interrupted jfull
  rm jfull/journal.log && ln -s /dev/full jfull/journal.log # every write: ENOSPC
  rr resume jfull
  expect_rc 1 "resumed with the journal on a full disk"
  expect_grep "cannot write jfull/journal.log: No space left on device" "$TMP/err" \
    "full journal: the message names the file"
  expect_grep '^status: "output_error"' jfull/manifest.yaml "full journal: the manifest says so"
  expect_grep "safe state reached" jfull/events.log "full journal: safe state"
else
  echo "     (no /dev/full: the full-journal case skipped)"
fi

# ---- results.csv is replaced, not rewritten in place ----------------------
rr -q -o atomic p/holds.lua
expect_rc 0 "a run with a result"
as_interrupted atomic
ln atomic/results.csv reader.csv # a reader holding the old file
echo "old version" >> reader.csv
rr resume atomic
expect_rc 0 "resume reopens its own run directory"
expect_grep '^status: "complete"' atomic/manifest.yaml "the resumed run completes"
expect_grep "^x,1,1,a result$" atomic/results.csv "results.csv written again"
[ "$(stat -c %i atomic/results.csv)" != "$(stat -c %i reader.csv)" ] &&
  ok "results.csv is a new file (renamed into place)" || bad "results.csv was rewritten in place"
expect_grep "^old version$" reader.csv "the reader's old version stays whole"
ls -a atomic | grep -q '\.tmp$' && bad "temporary files left behind" "$(ls -a atomic)" ||
  ok "no temporary file left behind after results"

finish
