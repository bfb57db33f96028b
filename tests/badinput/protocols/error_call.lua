local relax = require "relax"
relax.heat_to(320)
error("the operator cancelled the campaign")
