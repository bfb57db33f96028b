local relax = require "relax"
relax.heat_to(320)
error({ code = 42 })
