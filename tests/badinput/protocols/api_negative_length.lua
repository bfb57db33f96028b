local relax = require "relax"
relax.sample { clamp = "tension", length_mm = -15, width_mm = 1, thickness_mm = 0.03 }
