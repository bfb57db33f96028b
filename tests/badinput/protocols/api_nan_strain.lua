local relax = require "relax"
relax.set_strain(0 / 0)
