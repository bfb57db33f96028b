-- The carrier of the command-line cases: two parameters.
local relax = require "relax"
local p = relax.parameters {
  { "temperature", 320, "K", "Test temperature" },
  { "strain", 0.005, "1", "Strain step" },
}
relax.heat_to(p.temperature)
relax.load(p.strain, { duration_s = 10, label = "step" })
