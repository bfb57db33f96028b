local relax = require "relax"
relax.simulator { ["fault.bogus"] = 1 }
