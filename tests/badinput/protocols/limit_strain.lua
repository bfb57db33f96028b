local relax = require "relax"
relax.heat_to(320)
relax.load(0.5, { duration_s = 10 })
