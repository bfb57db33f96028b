local relax = require "relax"
relax.heat_to(320)
relax.simulator { ["fault.overload_MPa"] = 100 }
relax.load(0.005, { duration_s = 60, label = "overload" })
