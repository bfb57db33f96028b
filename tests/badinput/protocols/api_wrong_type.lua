local relax = require "relax"
relax.heat_to("hot")
