#!/bin/bash
# e2e_linedma.sh - the whole hardware path through `relaxrun emulate`: a
# protocol over TCP gives the same curves as on the built-in simulator
# (e2e_pty.sh does the same through libserialport); replay of the transcript;
# ports; emulate's own exit codes; the instrument config (limits checked on
# connect, --dry-run without opening the port).
. "$(dirname "$0")/e2e_lib.sh"

# The reference: the built-in simulator, noise off (curves comparable point
# by point; with noise the two runs draw different noise).
rr -q -I sim --no-noise -o sim $PROTO $SHORT
check "simulator run" test "$rc" = 0

# TCP
emulate --tcp 127.0.0.1:0 --speed 100 --no-noise
check "emulate prints tcp:HOST:PORT" has '^tcp:127\.0\.0\.1:[0-9]+$' emu.out
rr -q -I "$ADDR" -o tcp $PROTO $SHORT
check "run over TCP: exit 0" test "$rc" = 0
[ "$rc" = 0 ] || cat err
stop_emulator
check "emulate exits 0 on SIGTERM" test "$emu_rc" = 0
for i in 1 3 5; do
  d=$(max_rel_diff tcp/segments/00$i-*.csv sim/segments/00$i-*.csv)
  check "TCP stage $i = simulator stage $i (max rel diff $d)" lt "$d" 2e-3
done
check "transcript in the run directory" has '^[0-9.]+ > \*IDN\?$' tcp/transcript.log

# replay: the same run, from the transcript, at once
rr -q -I replay:tcp/transcript.log -o replay $PROTO $SHORT
check "replay: exit 0" test "$rc" = 0
check "replay: same results" cmp -s tcp/results.csv replay/results.csv
check "replay: same samples" diff -r -q tcp/segments replay/segments
rr -q -I replay:tcp/transcript.log -o replay2 $PROTO $SHORT strain=0.005
check "replay of another run: exit 4" test "$rc" = 4
check "replay mismatch names the transcript line" has 'transcript.log:[0-9]+: mismatch' err

# ports, usage errors
rr ports
check "ports: exit 0" test "$rc" = 0
rr emulate --speed 2
check "emulate without --tcp/--pty: exit 2" test "$rc" = 2
rr emulate --tcp 127.0.0.1:0 --fault meteor
check "emulate with an unknown fault: exit 2" test "$rc" = 2
rr emulate --tcp 127.0.0.1:0 -I sim:no-such-preset
check "emulate with an unknown preset: exit 2" test "$rc" = 2
emulate --tcp 127.0.0.1:0
rr emulate --tcp "${ADDR#tcp:}"
check "emulate on a taken port: exit 4" test "$rc" = 4
check "emulate on a taken port: message" has 'Address already in use' err
stop_emulator
# before a host sets them, TEMP:SET? and TEMP:RATE? answer the furnace of
# the preset served: where it idles and how fast it ramps
sed -e 's/^  ambient_K: .*/  ambient_K: 300/' -e 's/^  rate_K_per_min: .*/  rate_K_per_min: 7/' \
  "$RELAXRUN_SRC/drivers/sim/presets/La60Ni15Al25.yaml" >warm.yaml
emulate --tcp 127.0.0.1:0 -I "sim:$TMP/warm.yaml"
hp=${ADDR#tcp:}
a= b=
if exec 3<>"/dev/tcp/${hp%:*}/${hp##*:}"; then
  printf 'TEMP:SET?\nTEMP:RATE?\n' >&3
  read -r -t 5 a <&3
  read -r -t 5 b <&3
  exec 3<&-
fi
check "TEMP:SET? before any TEMP:SET: the preset's ambient ($a)" test "$a" = 300
check "TEMP:RATE? before any TEMP:RATE: the preset's rate ($b)" test "$b" = 7
stop_emulator
rr -I serial:/dev/relaxrun-no-such-port $PROTO $SHORT
check "missing port: exit 4" test "$rc" = 4
check "missing port: message" has '/dev/relaxrun-no-such-port: No such file' err

# instrument config: lab limits wider than the device's are refused
emulate --tcp 127.0.0.1:0 --speed 100
cat >wide.yaml <<EOT
connection: $ADDR
limits:
  temp_max_K: 2000
EOT
rr -q -I wide.yaml $PROTO $SHORT
check "lab limit wider than SYST:LIM?: exit 4" test "$rc" = 4
check "lab limit message" has "temp_max_K = 2000 K is wider than the device's 873 K" err
cat >lab.yaml <<EOT
connection: $ADDR
timeouts: {answer_s: 1}
limits: {temp_max_K: 330, strain_max: 0.01}
sample: {clamp: tension, length_mm: 10, width_mm: 1, thickness_mm: 0.03}
EOT
rr -q -I lab.yaml -o lab $PROTO $SHORT
check "run with an instrument config: exit 0" test "$rc" = 0
check "config applied (clamp)" has 'CONF:MODE TENS' emu.log
stop_emulator
# --dry-run never opens the port: a port that does not exist is fine
cat >dry.yaml <<EOT
connection: serial:/dev/relaxrun-no-such-port
limits: {temp_max_K: 310}
EOT
rr -I dry.yaml --dry-run $PROTO $SHORT
check "dry run with a config: the limit it would break (exit 3)" test "$rc" = 3
check "dry run did not open the port" test -z "$(grep -i 'no such file' err)"
finish
