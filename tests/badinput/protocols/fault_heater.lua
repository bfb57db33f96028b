local relax = require "relax"
relax.heat_to(320)
relax.simulator { ["fault.heater_at_s"] = relax.now() + 5 }
relax.load(0.005, { duration_s = 60, label = "heater" })
