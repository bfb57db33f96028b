local relax = require "relax"
local function deep(n) return 1 + deep(n + 1) end
relax.heat_to(320)
deep(1)
