local relax = require "relax"
local co = coroutine.wrap(function()
  coroutine.yield(1)
  local x = nil
  return x.y
end)
co()
relax.heat_to(320)
co()
