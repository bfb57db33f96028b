#!/usr/bin/env bash
# The helpers of scripts/relax/ against analytic cases (helpers_check.lua).
. "$(dirname "$0")/lib.sh"
"$RELAXRUN" --no-report -o h "$(dirname "$0")/helpers_check.lua" >out 2>err
rc=$?
grep -h "PRINT" h/events.log | sed 's/.*PRINT //' | cut -f1 | sed 's/^/     /'
[ $rc = 0 ] && ok "helpers_check.lua: all checks passed" || { bad "helpers_check.lua: exit $rc"; cat err; }
finish
