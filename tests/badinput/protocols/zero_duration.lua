local relax = require "relax"
relax.heat_to(320)
relax.load(0.005, { duration_s = 0 })
