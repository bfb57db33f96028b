local relax = require "relax"
relax.heat_to(450, { timeout_s = 30 })
