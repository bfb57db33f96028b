local relax = require "relax"
relax.heat_to(320)
relax.simulator { ["fault.break_at_s"] = relax.now() + 12 }
relax.load(0.005, { duration_s = 60, label = "breaks" })
