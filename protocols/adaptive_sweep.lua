-- A custom sequence: an adaptive temperature sweep that finds where the
-- decay turns from two-step to one-step.
--
-- Methods.  A La60Ni15Al25 ribbon in tension.  A coarse sweep (340 to
-- 400 K in 20 K steps; 30 min stabilisation, 0.6 % strain, 2000 s at
-- 10 points/s, as in temperature_sweep.lua) brackets the change of
-- verdict; the bracket is then halved -- a relaxation at its middle
-- temperature, judged two-step or not -- until it is 1.25 K wide.  The
-- same number of records as a 5 K sweep over a 25 K range, with four times
-- the resolution where it matters.
--
-- Run:   relaxrun protocols/adaptive_sweep.lua [T_start=340 T_end=400 T_step=20 resolution=1.25]

local relax = require "relax"
local sweep = require "relax.sweep"
local summary = require "relax.summary"

relax.describe [[
Adaptive sweep: a coarse temperature sweep, then bisection down to 1.25 K of the
temperature where the stress relaxation turns from two-step to one-step.]]

local p = relax.parameters {
  { "T_start",       340,   "K",  "First temperature of the coarse sweep" },
  { "T_end",         400,   "K",  "Last temperature of the coarse sweep" },
  { "T_step",        20,    "K",  "Step of the coarse sweep" },
  { "resolution",    1.25,  "K",  "Width of the final bracket" },
  { "stabilisation", 1800,  "s",  "Hold after the temperature is stable" },
  { "strain",        0.006, "1",  "Strain step (0.006 = 0.6 %)" },
  { "duration",      2000,  "s",  "Length of each relaxation record" },
  { "rate",          10,    "Hz", "Sampling rate" },
}

relax.sample { clamp = "tension", length_mm = 15, width_mm = 1, thickness_mm = 0.03 }

local opts = { stabilise_s = p.stabilisation, strain = p.strain, duration_s = p.duration,
               rate_Hz = p.rate, on_row = summary.note_row }
opts.temperatures = sweep.range(p.T_start, p.T_end, p.T_step)
local rows = sweep.isothermal(opts)

-- The coarse bracket: the last two-step and the first one-step temperature.
local low, high
for _, r in ipairs(rows) do
  if r.two_step then low = r elseif low and not high then high = r end
end
assert(low and high, "the coarse sweep does not bracket a change from two-step to one-step")

-- Halve it.  Going back down in temperature is fine for the beta
-- relaxation (reversible); each new temperature gets the full stabilisation.
local bracket, refined = sweep.bisect {
  low_K = low.temperature_K, high_K = high.temperature_K, resolution_K = p.resolution,
  low_row = low, high_row = high,
  measure = function(T)
    local r = sweep.relaxation_at(T, opts)
    summary.note_row(r)
    return r
  end,
  test = function(r) return r.two_step end,
}
for _, r in ipairs(refined) do rows[#rows + 1] = r end
table.sort(rows, function(a, b) return a.temperature_K < b.temperature_K end)

summary.table("verdicts", rows, {
  {"temperature_K", "temperature_K"}, {"two_step", "two_step"}, {"tau_1_s", "tau_1_s"},
  {"beta_decay", "beta_decay"}, {"alpha_decay", "alpha_decay"},
})
relax.report("last_two_step_K", bracket.low_K, "K", "Highest temperature found with a two-step decay")
relax.report("first_single_step_K", bracket.high_K, "K", "Lowest temperature found with a single-step decay")
relax.report("records", #rows, "1", "Relaxation records taken")
relax.plot { kind = "xy", table = "verdicts", x = "temperature_K", y = {"beta_decay", "alpha_decay"},
             title = "Beta and alpha parts of the decay around the crossover",
             xlabel = "T (K)", ylabel = "decay of sigma/sigma0 in the window" }
