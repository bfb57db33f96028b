local relax = require "relax"
relax.hold(1)
local m = require "no_such_module"
