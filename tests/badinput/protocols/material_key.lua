local relax = require "relax"
relax.material { A_bta = 0.1 }
