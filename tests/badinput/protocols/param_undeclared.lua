local relax = require "relax"
local p = relax.parameters { { "temperature", 315, "K", "Test temperature" } }
relax.heat_to(p.temprature)
