-- A protocol that is fine: the carrier for bad presets and configs.
local relax = require "relax"
relax.heat_to(320)
relax.load(0.005, { duration_s = 20, label = "step" })
