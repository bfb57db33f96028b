local relax = require "relax"
local helper = require "helper_syntax"
relax.hold(10)
