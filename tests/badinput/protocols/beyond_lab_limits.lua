-- Within the simulator's limits, beyond the lab's (configs/good.yaml:
-- 290..480 K, strain 0.01, 10 K/min).
local relax = require "relax"
relax.heat_to(500)
relax.load(0.015, { duration_s = 10 })
