local relax = require "relax"
relax.hold(1)
-- A byte that is not UTF-8: the manifest must stay readable.
error("bad byte \255 here")
