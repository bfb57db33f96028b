#!/usr/bin/env bash
# Every function exposed to Lua is in the Lua API reference (docs/lua-api.md,
# docs/lua-api-analysis.md): relax.*, relax.core.*, relax.analysis.* and the
# methods of relax.Series.
. "$(dirname "$0")/lib.sh"

write p/names.lua <<'LUA'
local relax = require "relax"
local core = require "relax.core"
local an = require "relax.analysis"
local function list(prefix, t)
  local names = {}
  for k, v in pairs(t) do
    if type(v) == "function" then names[#names + 1] = prefix .. k end
  end
  table.sort(names)
  for _, n in ipairs(names) do print(n) end
end
list("relax.", relax)
list("core.", core)
list("an.", an)
local s = an.series({ t_s = { 1, 2 }, stress_MPa = { 2, 1 } })
local methods = getmetatable(s).__methods or getmetatable(s).__index
if type(methods) == "table" then list("series:", methods) end
LUA
rr -o names p/names.lua
expect_rc 0 "listing the Lua API"
docs="$RELAXRUN_SRC/docs/lua-api.md $RELAXRUN_SRC/docs/lua-api-analysis.md"
n=0
while read -r name; do
  n=$((n + 1))
  case "$name" in
    relax.*) pat="relax\.${name#relax.}\b" ;;
    core.*) pat="core\.${name#core.}\b" ;;
    an.*) pat="(an|analysis)\.${name#an.}\b" ;;
    series:*) pat=":${name#series:}\b" ;;
  esac
  if cat $docs 2>/dev/null | grep -qE -- "$pat"; then ok "documented: $name"; else bad "not in the Lua API reference: $name"; fi
done < <(grep -E "^(relax|core|an|series)[.:]" "$TMP/out")
[ "$n" -gt 40 ] && ok "$n functions checked" || bad "only $n functions listed"
finish
