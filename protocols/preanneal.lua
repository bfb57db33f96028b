-- Physical aging on the first loading: Hao et al., Phys. Rev. B 108,
-- 024101 (2023), Fig. 3(c, d).
--
-- Methods.  A La60Ni15Al25 ribbon in tension.  For each anneal duration
-- (0, 450, 900, 1350 and 1800 s) the sample gets a fresh thermal history:
-- it is cooled to 300 K, heated to 315 K and, once the temperature is
-- stable, annealed isothermally for that duration; it is then loaded to
-- 0.6 % and the stress recorded for 1800 s (the "first loading"), and
-- unloaded.  After the last one, the sample is held unloaded for 1800 s
-- and reloaded: this reloading is the reversible reference.  The extra
-- decay of each first loading is how much more its sigma/sigma0 falls
-- from 100 to 1000 s than the reference's (relax.curves.extra_decay).
-- The noise level is that of one sample (relax.curves.noise).
--
-- Run:   relaxrun protocols/preanneal.lua [anneal_max=1800 anneals=5 ...]

local relax = require "relax"
local curves = require "relax.curves"
local sweep = require "relax.sweep"
local summary = require "relax.summary"

relax.describe [[
First loading after isothermal anneals of 0 to 1800 s at 315 K (Hao et al. 2023,
Fig. 3(c, d)): the extra, irreversible decay between 100 and 1000 s fades with
the anneal and is below the noise after 1800 s.]]

local p = relax.parameters {
  { "temperature",   315,   "K",  "Test temperature" },
  { "quench",        300,   "K",  "Temperature the sample is cooled to before each anneal" },
  { "anneal_max",    1800,  "s",  "Longest anneal" },
  { "anneals",       5,     "1",  "Number of anneals, evenly spaced from 0 to anneal_max" },
  { "strain",        0.006, "1",  "Strain of the loadings (0.006 = 0.6 %)" },
  { "duration",      1800,  "s",  "Length of each recorded loading" },
  { "recovery",      1800,  "s",  "Unloaded hold before the reference reloading" },
}

relax.sample { clamp = "tension", length_mm = 15, width_mm = 1, thickness_mm = 0.03 }

local rows = {}
for k = 0, p.anneals - 1 do
  local anneal_s = p.anneals > 1 and p.anneal_max * k / (p.anneals - 1) or p.anneal_max
  relax.cool_to(p.quench)                       -- a fresh thermal history
  sweep.settle(p.temperature, anneal_s)         -- heat, stabilise, anneal
  local label = ("first loading after %g s"):format(anneal_s)
  rows[#rows + 1] = {anneal_s = anneal_s, label = label,
                     series = relax.load(p.strain, {duration_s = p.duration, label = label})}
  relax.set_strain(0)
end
relax.hold(p.recovery, "unloaded recovery")
local reference = relax.load(p.strain, {duration_s = p.duration, label = "reference"})
relax.set_strain(0)

local noise = curves.noise(reference)
for _, r in ipairs(rows) do
  r.extra, r.se = curves.extra_decay(r.series, reference, 100, 1000)
  r.over_noise = r.extra / noise
  r.series = nil
end
summary.table("extra_decay", rows, {
  {"anneal_s", "anneal_s"}, {"extra_decay", "extra"}, {"extra_decay_over_noise", "over_noise"},
  {"white_noise_se", "se"},
})
relax.report("noise_level", noise, "1", "Load-cell noise of one sample, units of sigma0")
relax.report("extra_decay_shortest_anneal", rows[1].extra, "1",
             ("Extra decay (100-1000 s) of the first loading after %g s"):format(rows[1].anneal_s))
relax.report("extra_decay_longest_anneal", rows[#rows].extra, "1",
             ("Extra decay (100-1000 s) of the first loading after %g s"):format(rows[#rows].anneal_s))
relax.report("extra_decay_longest_anneal_over_noise", rows[#rows].extra / noise, "1",
             "That extra decay in units of the noise level")
local below
for _, r in ipairs(rows) do
  if not below and math.abs(r.extra) < noise then below = r.anneal_s end
end
if below then
  relax.report("below_noise_from_anneal_s", below, "s",
               "Shortest anneal after which the extra decay is below the noise level")
end

local labels = {}
for i, r in ipairs(rows) do labels[i] = r.label end
labels[#labels + 1] = "reference"
relax.plot { kind = "overlay", segments = labels,
             title = "First loading after anneals of increasing length (Fig. 3(c))" }
relax.plot { kind = "xy", table = "extra_decay", x = "anneal_s", y = "extra_decay",
             title = "Extra decay from 100 to 1000 s against anneal time (Fig. 3(d))",
             xlabel = "anneal (s)", ylabel = "extra drop of sigma/sigma0" }
