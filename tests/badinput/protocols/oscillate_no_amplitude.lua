local relax = require "relax"
relax.heat_to(320)
relax.oscillate(1)
