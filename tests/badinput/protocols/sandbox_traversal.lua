local relax = require "relax"
relax.hold(1)
local m = require "../../../etc/passwd"
