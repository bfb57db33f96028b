local relax = require "relax"
relax.heat_to(320)
do
  local guard <close> = setmetatable({}, { __close = function() error("cleanup failed") end })
  relax.load(0.005, { duration_s = 10, label = "guarded" })
end
