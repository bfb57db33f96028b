#!/bin/bash
# e2e_pty.sh - the hardware path through libserialport itself: `relaxrun
# emulate --pty` and a protocol run on the pseudo-terminal give the same
# curves as the built-in simulator with the same seed, noise on; a second
# relaxrun on the same port is refused as busy.  libserialport 0.1.1 needs
# the test-only ptyshim (LD_PRELOAD, see ptyshim.c) to open a pty.
. "$(dirname "$0")/e2e_lib.sh"

# The reference: the built-in simulator with seed 7 and its noise on (the
# noise is keyed on the sample, so the emulator draws the same).
rr -q -I sim --seed 7 -o sim $PROTO $SHORT
check "simulator run" test "$rc" = 0

# pty, through libserialport (the shim is test-only; see ptyshim.c)
emulate --pty "$TMP/dma-pty" --speed 100 --seed 7
check "emulate prints serial:LINK" test "$ADDR" = "serial:$TMP/dma-pty"
PORT="serial:/dev/../../../..$TMP/dma-pty"
LD_PRELOAD=$PTYSHIM rr -q -I "$PORT" -o pty $PROTO $SHORT
check "run over the pty: exit 0" test "$rc" = 0
[ "$rc" = 0 ] || cat err
for i in 1 3 5; do
  d=$(max_rel_diff pty/segments/00$i-*.csv sim/segments/00$i-*.csv)
  check "pty stage $i = simulator stage $i (max rel diff $d)" lt "$d" 2e-3
  # the same noise too: seed 7 vs seed 8 on the simulator leaves ~0.1 MPa
  n=$(noise_of_diff pty/segments/00$i-*.csv sim/segments/00$i-*.csv)
  check "pty stage $i has the simulator's noise (difference's noise $n MPa, noise 0.05 MPa)" lt "$n" 0.005
done
# busy: a second relaxrun on the same port while the first runs
LD_PRELOAD=$PTYSHIM "$RELAXRUN" -q -I "$PORT" -o first $PROTO $SHORT >/dev/null 2>&1 &
first=$!
sleep 0.5
LD_PRELOAD=$PTYSHIM rr -q -I "$PORT" -o second $PROTO $SHORT
check "busy port: exit 4" test "$rc" = 4
check "busy port: message" has 'busy' err
wait $first
stop_emulator
check "pty link removed on exit" test ! -e "$TMP/dma-pty"

finish
