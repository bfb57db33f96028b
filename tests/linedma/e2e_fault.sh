#!/bin/bash
# e2e_fault.sh KIND - one fault injected through `relaxrun emulate --fault`
# in the middle of stage 1 of a protocol run over TCP, and what must follow:
# the exit status, the message, the data kept on disk, the run marked with
# why it ended, and the safe state reached (the commands the emulator
# received after the fault); then the transcript replayed at a desk gives
# the same exit status, message and samples.  KIND: garbage late silence
# disconnect err overload broken heater sigint, and garbage_data (the
# garbage aimed at an ACQ:DATA? answer: its samples are lost, and the run
# goes on only with the loss recorded).
. "$(dirname "$0")/e2e_lib.sh"
kind=$1
SHORT="temperature=300 equilibration=5 stage_duration=20"
AT=235 # device s: stage 1 runs from ~223 s (heating to 300 K, 5 s equilibration)

fault="--fault $kind@$AT"
[ "$kind" = sigint ] && fault=
[ "$kind" = garbage_data ] && fault="--fault garbage/ACQ:DATA?@$AT"
emulate --tcp 127.0.0.1:0 --speed 40 --late-s 0.8 $fault
# short answer timeout so silence is found fast (*RST gets 5 x 0.5 s)
cat >lab.yaml <<EOT
connection: $ADDR
timeouts: {answer_s: 0.5}
EOT

if [ "$kind" = sigint ]; then
  "$RELAXRUN" -q -I lab.yaml -o run $PROTO $SHORT >out 2>err &
  pid=$!
  for _ in $(seq 400); do has 'STRN:SET 0.006' emu.log 2>/dev/null && break; sleep 0.05; done
  sleep 0.5
  kill -INT $pid
  wait $pid
  rc=$?
else
  rr -q -I lab.yaml -o run $PROTO $SHORT
fi
sleep 0.3 # let the emulator log what reached it (a silent one still reads)
after=$(received_after $AT | tr '\n' '|')
echo "     exit $rc; stderr: $(head -n1 err)"
echo "     received after the fault: ${after:0:300}"

rows() { [ -f "$1" ] && tail -n +2 "$1" | wc -l || echo 0; }
stage1=$(rows run/segments/001-stage_1.csv)
case $kind in
garbage | late)
  check "$kind on a query: retried, the run completes (exit 0)" test "$rc" = 0
  word=$([ "$kind" = late ] && echo 'late answer' || echo 'garbage answer')
  check "$kind: in the transcript" has "! note $word" run/transcript.log
  check "$kind: every stage recorded" test "$(ls run/segments | wc -l)" = 5
  exit_ok=1 ;;
garbage_data)
  check "garbled samples: the run goes on (exit 0)" test "$rc" = 0
  check "garbled samples: not asked again, counted (transcript)" \
    has '! note [0-9]+ samples? lost: the answer to .ACQ:DATA\? 200. was garbled' run/transcript.log
  check "garbled samples: the run's events record the loss, with its count" \
    has 'WARN +samples lost: [0-9]+ samples? lost: the answer to .ACQ:DATA\? 200. was garbled' run/events.log
  check "garbled samples: the manifest lists the loss" \
    has '^data_lost:$' run/manifest.yaml
  check "garbled samples: the segment recorded then reads data_lost" \
    has '^    data_lost: true$' run/manifest.yaml
  "$RELAXRUN" report run >/dev/null 2>&1
  check "garbled samples: the report says so" has '<b>Data lost:</b> samples lost: [0-9]+ sample' run/report.html
  check "garbled samples: every stage recorded" test "$(ls run/segments | wc -l)" = 5 ;;
*)
  want=4; [ "$kind" = sigint ] && want=5
  check "$kind: exit $want" test "$rc" = "$want"
  case $kind in
  silence) msg='the device is silent' ;;
  disconnect) msg='connection lost during' ;;
  err) msg="device refused '[A-Z:]+( [0-9.]+)?': ERR -100" ;;
  overload) msg='overload' ;;
  broken) msg='sample broken' ;;
  heater) msg='heater fault \(ERR 320' ;;
  sigint) msg='' ;;
  esac
  [ -n "$msg" ] && check "$kind: message /$msg/" has "$msg" err
  check "$kind: stage 1 samples kept on disk ($stage1 rows)" test "$stage1" -ge 20
  check "$kind: run marked with why it ended" has '^status: "(instrument_failure|aborted)"' run/manifest.yaml
  check "$kind: transcript kept" has '> \*RST' run/transcript.log
  if [ "$kind" = heater ]; then
    # every command answers ERR 320: each step of the safe state is tried
    for c in '\*RST' 'OSC:OFF' 'ACQ:STOP' 'STRN:SET 0' 'TEMP:STBY'; do
      check "heater: safe-state step $c tried" has "^[0-9.]+ $c\$" emu.log
    done
  else
    check "$kind: *RST reached the device after the fault" \
      bash -c "received_after() { awk -v t=\"\$1\" '\$1 + 0 >= t' emu.log; }; received_after $AT | grep -q ' \*RST$'"
  fi ;;
esac
stop_emulator

# The same failure at a desk: replay the transcript with the same config.
if [ "$kind" != sigint ]; then
  live_rc=$rc
  head -n1 err >live.msg
  cat >replay.yaml <<EOT
connection: replay:run/transcript.log
timeouts: {answer_s: 0.5}
EOT
  rr -q -I replay.yaml -o replay $PROTO $SHORT
  check "$kind: replay exits like the run ($live_rc)" test "$rc" = "$live_rc"
  check "$kind: replay gives the same message" cmp -s live.msg <(head -n1 err)
  check "$kind: replay records the same samples" diff -r -q run/segments replay/segments
fi
finish
