local relax = require "relax"
local helper = require "helper_call"
relax.heat_to(320)
local s = relax.load(0.005, { duration_s = 20, label = "step" })
helper.analyse(s)
