-- Slow beta relaxation below room temperature in single cantilever: Hao et
-- al., Phys. Rev. B 108, 024101 (2023), Fig. S2 and Fig. 2(d).
--
-- Methods.  A La60Ni15Al25 bulk bar (30 x 2 x 1 mm) in the single
-- cantilever clamp is cooled to 290 K and then 280 K.  At each
-- temperature it is stabilised for 30 min, loaded to 0.6 % strain (at the
-- clamp) and the stress recorded for 12000 s -- ten times the expected
-- tau_1 at 280 K -- at 2 points/s (the curve is analysed on a log-time
-- grid, so 10 points/s would add samples, not information); then
-- unloaded.  At these temperatures the alpha step lies far beyond the
-- window and the beta step is the only decay, so tau_1 comes from a single
-- stretched-exponential fit (relax.decay.single_step; its stretch near 1
-- says the step is Debye-like).  tau_1 extends the Arrhenius plot of the
-- temperature sweep to the hundreds and thousands of seconds.
--
-- Run:   relaxrun protocols/cantilever_lowT.lua [T_high=290 T_low=280 ...]

local relax = require "relax"
local sweep = require "relax.sweep"
local decay = require "relax.decay"
local summary = require "relax.summary"

relax.describe [[
Stress relaxation of a bulk bar in single cantilever at 290 and 280 K (Hao et al.
2023, Fig. S2, Fig. 2(d)): tau_1 in the hundreds to thousands of seconds.]]

local p = relax.parameters {
  { "T_high",        290,   "K",  "First (higher) temperature" },
  { "T_low",         280,   "K",  "Second (lower) temperature" },
  { "stabilisation", 1800,  "s",  "Hold after the temperature is stable" },
  { "strain",        0.006, "1",  "Strain step at the clamp (0.006 = 0.6 %)" },
  { "duration",      12000, "s",  "Length of each relaxation record" },
  { "rate",          2,     "Hz", "Sampling rate" },
}

relax.sample { clamp = "single_cantilever", length_mm = 30, width_mm = 2, thickness_mm = 1 }

local rows = sweep.isothermal {
  temperatures = {p.T_high, p.T_low}, stabilise_s = p.stabilisation,
  strain = p.strain, duration_s = p.duration, rate_Hz = p.rate,
  analyse = function(series)
    local r = assert(decay.single_step(series))
    return {tau_1_s = r.tau_s, se_tau_1_s = r.se_tau_s, stretch = r.stretch,
            beta_decay = r.step_decay, noise = r.noise}
  end,
}

summary.table("relaxation_times", rows, {
  {"temperature_K", "temperature_K"}, {"tau_1_s", "tau_1_s"}, {"se_tau_1_s", "se_tau_1_s"},
  {"stretch", "stretch"}, {"beta_decay", "beta_decay"}, {"noise", "noise"},
})
for _, r in ipairs(rows) do
  relax.report("tau_1_s_at_" .. summary.kelvin(r.temperature_K), r.tau_1_s, "s",
               ("tau_1: the beta step's time (stretch %.2f, decay %.4f)"):format(r.stretch, r.beta_decay))
end
relax.plot { kind = "arrhenius", table = "relaxation_times", x = "temperature_K", y = "tau_1_s",
             title = "tau_1 below room temperature (Fig. 2(d))" }
