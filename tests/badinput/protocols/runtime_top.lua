local relax = require "relax"
relax.heat_to(320)
local s = relax.load(0.005, { duration_s = 20, label = "kept" })
local results = nil
relax.report("tau", results.tau_s, "s")
