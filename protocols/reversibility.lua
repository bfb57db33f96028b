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
-- Besides the point-by-point differences (max/rms_difference_stage3_stage5),
-- the curves are compared on a log-time grid against the noise level of
-- one sample (relax.curves; docs/protocols.md), and stage 1's extra decay
-- from 100 to 1000 s over stages 3 and 5 is reported (Fig. 3(b)).
--
-- Run:   relaxrun protocols/reversibility.lua [stage_duration=600 ...]

local relax = require "relax"
local curves = require "relax.curves"

relax.describe "Five-stage load/unload reversibility test (Hao et al. 2023, Fig. 3a)"
-- Stage 1's extra decay is the signature of a fresh sample: warn when the
-- specimen named with --specimen has been annealed or loaded before.
relax.specimen { fresh = true }

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

-- Compared on a log-time grid (relax.curves, docs/protocols.md): white
-- noise averages out, so what is left is the curves' difference (plus the
-- load cell's slow drift), set against the noise level of one sample.
local noise = math.max(curves.noise(stage[3]), curves.noise(stage[5]))
relax.report("noise_level", noise, "1",
             "Load-cell noise of one sample, units of sigma0 (second differences)")
local d35 = curves.compare(stage[3], stage[5])
relax.report("stage3_stage5_binned_max_difference", d35.max_abs, "1",
             "Largest difference of stages 3 and 5 on the log-time grid")
relax.report("stage3_stage5_difference_over_noise", d35.max_abs / noise, "1",
             "That difference in units of the noise level")
relax.report("stage3_stage5_reversible", d35.max_abs < 3 * noise,
             "Stages 3 and 5 coincide within 3 times the noise level")

-- Fig. 3(b): the extra, irreversible decay of stage 1 between 100 and
-- 1000 s, over the reversible curves (mean over stages 3 and 5).
-- (Needs stages of at least ~1130 s: the 1000 s point is averaged over
-- +- 12 % in time.)
if p.stage_duration >= 1130 then
  local e3 = curves.extra_decay(stage[1], stage[3], 100, 1000)
  local e5 = curves.extra_decay(stage[1], stage[5], 100, 1000)
  local extra = (e3 + e5) / 2
  relax.report("stage1_extra_decay_100_1000s", extra, "1",
               "Extra drop of sigma/sigma0 of stage 1 from 100 to 1000 s, over stages 3 and 5")
  relax.report("stage1_extra_decay_over_noise", extra / noise, "1",
               "That extra decay in units of the noise level")
else
  relax.note("stages shorter than 1130 s: no extra decay between 100 and 1000 s")
end

relax.plot { kind = "overlay", segments = {"stage 1", "stage 3", "stage 5"},
             title = "Normalised stress of the loading stages (Fig. 3(a))" }
