local relax = require "relax"
relax.cool_to(20)
