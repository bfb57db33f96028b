local relax = require "relax"
local p = relax.parameters { { "temperature", "hot", "K", "Test temperature" } }
