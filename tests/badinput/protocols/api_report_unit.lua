local relax = require "relax"
relax.hold(1)
relax.report("tau_1", 12.5)
