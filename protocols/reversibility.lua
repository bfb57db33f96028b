-- Reversibility of the fast (beta) relaxation: the five-stage load/unload
-- test of Hao et al., Phys. Rev. B 108, 024101 (2023), Fig. 3(a).
--
-- La60Ni15Al25 ribbon in tension at 315 K.  After 10 min of isothermal
-- equilibration the sample is loaded to 0.6 % strain (stage 1), unloaded
-- (stage 2), reloaded (stage 3), unloaded (stage 4) and reloaded (stage 5),
-- each stage recorded at 10 points/s from 0.5 s after its strain change.
-- If the beta relaxation is reversible, the normalised stress curves of
-- stages 3 and 5 coincide; stage 1 may show an extra, irreversible decay
-- from physical aging.
--
-- Run:   relaxrun protocols/reversibility.lua [stage_duration=600 ...]

local relax = require "relax"

relax.describe "Five-stage load/unload reversibility test (Hao et al. 2023, Fig. 3a)"

local p = relax.parameters {
  { "temperature",    315,   "K",  "Test temperature" },
  { "strain",         0.006, "1",  "Strain of the loading stages (0.006 = 0.6 %)" },
  { "equilibration",  600,   "s",  "Isothermal equilibration before stage 1" },
  { "stage_duration", 1800,  "s",  "Duration of each of the five stages" },
  { "rate",           10,    "Hz", "Sampling rate" },
}

-- A 30 micrometre melt-spun ribbon in the tension clamp.
relax.sample { clamp = "tension", length_mm = 10, width_mm = 1, thickness_mm = 0.03 }

relax.heat_to(p.temperature)
relax.hold(p.equilibration, "isothermal equilibration")

local stage = {}
local function record(n, strain)
  stage[n] = relax.step(strain, { duration_s = p.stage_duration, rate_Hz = p.rate,
                                  label = "stage " .. n })
end

record(1, p.strain)   -- load
record(2, 0)          -- unload
record(3, p.strain)   -- reload
record(4, 0)          -- unload
record(5, p.strain)   -- reload

local max_diff, rms_diff = relax.compare(stage[3], stage[5])
relax.report("max_difference_stage3_stage5", max_diff, "1",
             "Largest difference of the normalised stress of stages 3 and 5")
relax.report("rms_difference_stage3_stage5", rms_diff, "1",
             "RMS difference of the normalised stress of stages 3 and 5")

local s1 = relax.normalised(stage[1])
relax.report("stage1_decay", 1 - s1[#s1], "1",
             "Drop of the normalised stress over stage 1")
