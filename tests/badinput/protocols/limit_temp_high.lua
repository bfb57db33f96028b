local relax = require "relax"
relax.heat_to(320)
relax.heat_to(2000)
