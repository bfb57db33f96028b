local relax = require "relax"
local an = require "relax.analysis"
relax.hold(1)
local s = an.series { t_s = { 1, 2, 3 }, stress_MPa = { 10, 0 / 0, 8 } }
