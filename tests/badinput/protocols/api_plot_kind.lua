local relax = require "relax"
relax.hold(1)
relax.plot { kind = "pie" }
