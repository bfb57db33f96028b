local relax = require "relax"
local an = require "relax.analysis"
local x, y = {}, {}
for i = 1, 20 do x[i] = i; y[i] = 3 * math.exp(-i / 5) end
relax.hold(1)
local r = an.fit {
  x = x, y = y, p0 = { 1, 4 },
  model = function(p, xi) return p[1] * math.exp(-xi / p[2]) end,
  jacobian = function(p, xi) return { math.exp(-xi / p[2]), nil .. "" } end,
}
