local relax = require "relax"
relax.heat_to(320, { rate_K_per_min = 500 })
