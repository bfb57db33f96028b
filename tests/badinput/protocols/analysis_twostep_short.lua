local relax = require "relax"
local an = require "relax.analysis"
relax.hold(1)
local s = an.series { t_s = { 2, 1, 3 }, stress_MPa = { 10, 9, 8 } }
local r = an.twostep(s)
