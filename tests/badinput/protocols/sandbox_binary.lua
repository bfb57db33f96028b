local relax = require "relax"
relax.hold(1)
local f = assert(load(string.dump(function() return 1 end)))
