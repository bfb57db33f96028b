local relax = require "relax"
local an = require "relax.analysis"
local x, y = {}, {}
for i = 1, 20 do x[i] = i; y[i] = math.exp(-i / 5) end
relax.hold(1)
local r = an.fit {
  x = x, y = y, p0 = { 1, 5 },
  model = function(p, xi) return "not a number" end,
}
