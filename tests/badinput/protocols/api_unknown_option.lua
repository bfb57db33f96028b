local relax = require "relax"
relax.heat_to(320)
relax.load(0.005, { duraton_s = 10 })
