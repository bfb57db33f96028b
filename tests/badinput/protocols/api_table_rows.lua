local relax = require "relax"
relax.hold(1)
relax.table("peaks", { "temperature_K", "tau_s" }, { { 315, 22.8 }, { 330, "fast" } })
