local relax = require "relax"
relax.heat_to(320)
relax.load(0.006, { duration_s = 10 }
relax.hold(10)
