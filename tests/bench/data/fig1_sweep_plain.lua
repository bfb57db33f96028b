-- The Fig. 1 sweep with nothing but the instrument: 315 to 410 K in 5 K
-- steps, 30 min stabilisation, a 0.6 % step recorded 2000 s at 10 points/s.
local relax = require "relax"
for T = 315, 410, 5 do
  relax.heat_to(T)
  relax.hold(1800, "stabilisation")
  relax.load(0.006, { duration_s = 2000, label = "T" .. T })
  relax.set_strain(0)
end
