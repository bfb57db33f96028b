local relax = require "relax"
relax.heat_to(320)
local helper = require "helper_runtime"
