local relax = require "relax"
relax.material { chi = 2 }
