#!/usr/bin/env bash
# --dry-run and --describe: the timeline, duration and limits before anything runs.
. "$(dirname "$0")/lib.sh"

rr --describe "$RELAXRUN_SRC/protocols/reversibility.lua"
expect_rc 0 "--describe"
expect_grep "Five-stage load/unload reversibility test" "$TMP/out" "describe: what it does"
expect_grep "stage_duration +1800 s +Duration of each of the five stages" "$TMP/out" "describe: parameters with units"
expect_grep "total instrument time: 2:4[0-9]:[0-9]{2} \([0-9]+ s\); samples: 89980" "$TMP/out" "describe: expected duration"
# The total is the stabilisation, 600 s of equilibration and 5 x 1800 s.
awk '/stabilise at 315 K/ { split($2, d, ":"); stab = d[1] * 3600 + d[2] * 60 + d[3] }
     /total instrument time/ { gsub(/[(]/, "", $5); total = $5 }
     END { exit !(total == stab + 600 + 5 * 1800) }' "$TMP/out" &&
  ok "describe: total = stabilisation + 600 s + 5 x 1800 s" || bad "describe: total does not add up"
[ ! -d runs ] && ok "describe leaves no run directory" || bad "describe left runs/"

rr --dry-run -o dry "$RELAXRUN_SRC/protocols/reversibility.lua" stage_duration=60
expect_rc 0 "dry run within limits"
expect_grep "^0:1[0-9]:[0-9]{2} +0:01:00 +315.0 +0.006 +596  record 'stage 1'" "$TMP/out" "dry run: timeline row"
expect_grep "limit violations: none" "$TMP/out" "dry run: no violations"
expect_grep "^dry_run: true" dry/manifest.yaml "dry run marked in the manifest"
expect_grep "^[0-9]+\.[0-9]{3},60.000,315,0.006,596,\"record 'stage 1'\"" dry/timeline.csv "timeline.csv"

expect_grep "^disk space for the run directory: [0-9.]+ MB" "$TMP/out" "dry run: disk space"

# With a lab's instrument config: its limits, without opening the port.
write lab.yaml <<'YAML'
connection: tcp:127.0.0.1:9
timeouts:
  answer_s: 0.5
limits:
  temp_max_K: 480
  strain_max: 0.005
sample:
  clamp: tension
  length_mm: 10
  width_mm: 1
  thickness_mm: 0.03
YAML
rr --dry-run -I lab.yaml -o labdry "$RELAXRUN_SRC/protocols/reversibility.lua" stage_duration=60
expect_rc 3 "dry run under the lab's limits"
expect_grep "LIMIT VIOLATION .*strain 0.006 is beyond the limit 0.005" "$TMP/out" "lab strain limit reported"
expect_grep "temperature_max_K: 480, strain_max: 0.005" labdry/manifest.yaml "lab limits in the manifest"
expect_true "config copied into the run" test -s labdry/config/lab.yaml
rr -I lab.yaml -o labreal "$RELAXRUN_SRC/protocols/reversibility.lua"
expect_rc 4 "no instrument at the config's address"
expect_grep "^status: \"instrument_failure\"" labreal/manifest.yaml "failed connection recorded"
write bad.yaml <<'YAML'
connection: tcp:127.0.0.1:9
limts:
  temp_max_K: 480
YAML
rr --dry-run -I bad.yaml "$RELAXRUN_SRC/protocols/reversibility.lua"
expect_rc 2 "misspelt config key"
expect_grep "bad.yaml:2.*limts" "$TMP/err" "config error names file, line and key"

# Every limit the protocol would break is reported, and the run goes on.
write p/hot.lua <<'LUA'
local relax = require "relax"
relax.heat_to(900, { rate_K_per_min = 50 })
relax.oscillate(500, 0.001)
relax.oscillate(false)
relax.load(0.05, { duration_s = 10 })
LUA
rr --dry-run -o hot p/hot.lua
# 2 % (the clamped strain) at 873 K is beyond the ribbon's load cell: the
# dry run also shows the overload the protocol would cause.
expect_rc 4 "dry run ends in the overload the protocol would cause"
expect_grep "p/hot.lua:5: instrument fault: overload" "$TMP/err" "overload predicted"
expect_grep "LIMIT VIOLATION at 0 s: temperature 900 K is outside the limits" "$TMP/out" "temperature violation"
expect_grep "LIMIT VIOLATION .*heating rate 50 K/min is beyond the limit" "$TMP/out" "rate violation"
expect_grep "LIMIT VIOLATION .*strain 0.05 is beyond the limit" "$TMP/out" "strain violation"
expect_grep "LIMIT VIOLATION .*frequency 500 Hz is outside the limits" "$TMP/out" "frequency violation"
n=$(grep -c "LIMIT VIOLATION" "$TMP/out")
[ "$n" = 4 ] && ok "four violations, each once" || bad "violations: $n"

# The same protocol for real stops at the first one.
rr -o real p/hot.lua
expect_rc 3 "real run stops at a limit"
expect_grep "p/hot.lua:2: temperature 900 K is outside the limits" "$TMP/err" "real run names the line"

# A paced simulation shows progress (plain lines when not on a terminal).
rr --pace 500 -o paced "$RELAXRUN_SRC/protocols/reversibility.lua" stage_duration=20 equilibration=10
expect_rc 0 "paced simulation"
expect_grep "^\[step 1/7\] stabilise at 315 K .*remaining ~0:0" "$TMP/err" "progress line with the remaining time"
finish
