local relax = require "relax"
relax.heat_to(320)
relax.hold(math.huge)
