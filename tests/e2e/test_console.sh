#!/usr/bin/env bash
# relaxrun console through a pseudo-terminal (tmux): line editing, history,
# limits, Ctrl-C during a command, the safe state, the session's record.
. "$(dirname "$0")/lib.sh"
if ! command -v tmux >/dev/null; then echo "tmux missing: skipped"; exit 77; fi
if [ "${RELAXRUN_VALGRIND:-0}" = 1 ]; then echo "(under valgrind: skipped, timing-bound)"; exit 77; fi

sock="$TMP/tmux.sock"
t() { tmux -S "$sock" "$@"; }
screen() { t capture-pane -p -t con -S -100; }
until_screen() { # until_screen PATTERN: up to 10 s
  for _ in $(seq 100); do screen | grep -qE -- "$1" && return 0; sleep 0.1; done; return 1
}
send() { t send-keys -t con "$@"; }

t new-session -d -s con -x 160 -y 50 \
  "RELAXRUN_HISTORY='$TMP/history' '$RELAXRUN' console --pace 200 -o '$TMP/session'; echo EXIT=\$?; sleep 60"
until_screen "^relax>" && ok "console prompt" || bad "no prompt" "$(screen)"

send 'relax.heat_to(300)' Enter
until_screen "^[0-9.]+$" && ok "a command runs and prints its value" || bad "heat_to" "$(screen)"
send 'x = 1 +' Enter '41' Enter 'x' Enter
until_screen "^42$" && ok "a statement continues over lines" || bad "continuation" "$(screen)"
send 'relax.load(0.05, { duration_s = 1 })' Enter
until_screen "strain 0.05 is beyond the limit" && ok "limits apply" || bad "limit" "$(screen)"
until_screen "instrument is in its safe state" && ok "safe state after a refused command" || bad "safe state" "$(screen)"
# History: Up recalls the last line.
send 'relax.read().strain' Enter
until_screen "^0(\.0)?$" && ok "strain is 0 after the refusal" || bad "strain" "$(screen)"
send Up Enter
n=$(screen | grep -c '^relax> relax.read().strain')
[ "$n" = 2 ] && ok "history: Up recalls the last line" || bad "history recall ($n)" "$(screen)"
send 'relax.set_strain(0.002)' Enter 'relax.hold(100000)' Enter
sleep 1
send C-c
until_screen "aborted by SIGINT" && ok "Ctrl-C stops a running command" || bad "Ctrl-C" "$(screen)"
send 'relax.read().strain' Enter
sleep 0.5
[ "$(screen | grep -cE '^0(\.0)?$')" -ge 3 ] && ok "Ctrl-C left the sample unloaded" || bad "strain after Ctrl-C" "$(screen)"
send 'this is not lua' Enter
until_screen "syntax error near" && ok "a Lua error is reported and the console goes on" || bad "syntax" "$(screen)"
send C-d
until_screen "EXIT=0" && ok "Ctrl-D leaves with status 0" || bad "exit" "$(screen)"
t kill-server 2>/dev/null

expect_grep "^status: \"complete\"" "$TMP/session/manifest.yaml" "session recorded"
expect_grep "safe state reached" "$TMP/session/events.log" "safe state at the end"
expect_grep "relax.heat_to\(300\)" "$TMP/history" "history saved"
finish
