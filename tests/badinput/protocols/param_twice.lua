local relax = require "relax"
local p = relax.parameters {
  { "temperature", 315, "K", "Test temperature" },
  { "temperature", 320, "K", "Again" },
}
