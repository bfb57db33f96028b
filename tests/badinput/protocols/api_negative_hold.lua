local relax = require "relax"
relax.hold(-5)
