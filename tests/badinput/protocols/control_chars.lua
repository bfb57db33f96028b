local relax = require "relax"
relax.hold(1)
-- A message with DEL and a C1 control (NEL): the manifest must stay readable.
error("operator note: \127 \194\133 end")
