local relax = require "relax"
local an = require "relax.analysis"
relax.heat_to(320)
local s = relax.load(0.005, { duration_s = 30, label = "fitme" })
local t, y = s:time(), s:stress()
local r = an.fit {
  x = t, y = y, p0 = { 200, 10, 0 },
  model = function(p, x)
    if x > 10 then error("model blew up at t = " .. x) end
    return p[1] * math.exp(-x / p[2]) + p[3]
  end,
}
