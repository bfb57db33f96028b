local relax = require "relax"
relax.heat_to(320)
relax.oscillate(0.0001, 0.0005)
