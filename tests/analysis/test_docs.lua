-- test_docs.lua - every function, method and metamethod that
-- relax.analysis exposes to Lua appears in docs/lua-api-analysis.md.
local T = require "testlib"
local an = require "relax.analysis"
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local doc = assert(io.open(here .. "/../../docs/lua-api-analysis.md")):read("a")

T.test("every module function is documented", function()
  for k in pairs(an) do T.check(doc:find("an." .. k, 1, true), "an." .. k) end
end)

T.test("every Series method and metamethod is documented", function()
  local mt = getmetatable(an.series { t_s = { 1 }, stress_MPa = { 1 } })
  for k in pairs(mt) do T.check(doc:find(k, 1, true), k) end
  local name, methods = debug.getupvalue(mt.__index, 1)
  T.check(type(methods) == "table" and next(methods), "methods table " .. tostring(name))
  for k in pairs(methods) do T.check(doc:find("s:" .. k, 1, true), "s:" .. k) end
end)

T.summary()
