local relax = require "relax"
relax.heat_to(320)
relax.set_strain(0.015)
relax.oscillate(1, 0.01)
