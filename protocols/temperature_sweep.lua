-- Stress relaxation across temperature: Hao et al., Phys. Rev. B 108,
-- 024101 (2023), Fig. 1.
--
-- Methods.  A La60Ni15Al25 ribbon in tension is heated in 5 K steps from
-- 315 to 410 K.  At each temperature the sample is stabilised for 30 min,
-- loaded to 0.6 % strain, and the stress recorded at 10 points/s from
-- 0.5 s to 2000 s after loading; the strain is then released.  Each curve,
-- normalised by its first stress, is fitted with a Debye beta step plus a
-- stretched slow step (relax.decay), giving tau_1 (and tau_2 where the
-- slow step is resolved) and the verdict "two-step" or "single-step".  The
-- activation energy of tau_1 comes from an Arrhenius fit over the
-- temperatures with a two-step decay.
--
-- Run:   relaxrun protocols/temperature_sweep.lua [T_start=315 T_end=410 T_step=5 ...]

local relax = require "relax"
local sweep = require "relax.sweep"
local decay = require "relax.decay"
local summary = require "relax.summary"

relax.describe [[
Isothermal stress relaxation from 315 to 410 K in 5 K steps (Hao et al. 2023,
Fig. 1): tau_1, tau_2, two-step verdict at each temperature, and the
Arrhenius activation energy of tau_1.]]

local p = relax.parameters {
  { "T_start",       315,   "K",        "First temperature of the sweep" },
  { "T_end",         410,   "K",        "Last temperature of the sweep" },
  { "T_step",        5,     "K",        "Temperature step" },
  { "stabilisation", 1800,  "s",        "Hold after the temperature is stable, before loading" },
  { "strain",        0.006, "1",        "Strain step (0.006 = 0.6 %)" },
  { "duration",      2000,  "s",        "Length of each relaxation record" },
  { "rate",          10,    "Hz",       "Sampling rate" },
  { "heating_rate",  5,     "K/min",    "Furnace rate between temperatures" },
}

-- A 30 micrometre melt-spun ribbon, 1 mm wide, in the tension clamp.
relax.sample { clamp = "tension", length_mm = 15, width_mm = 1, thickness_mm = 0.03 }

local rows = sweep.isothermal {
  temperatures = sweep.range(p.T_start, p.T_end, p.T_step),
  stabilise_s = p.stabilisation, heating_K_per_min = p.heating_rate,
  strain = p.strain, duration_s = p.duration, rate_Hz = p.rate,
  on_row = summary.note_row,
}

-- Per temperature: the fit, the verdict, the parts of the decay.
summary.table("relaxation_times", rows, {
  {"temperature_K", "temperature_K"},
  {"tau_1_s", "tau_1_s"},
  {"tau_2_s", "tau_2_s"},
  {"beta_decay", "beta_decay"},
  {"alpha_decay", "alpha_decay"},
  {"total_decay", "total_decay"},
  {"two_step", "two_step"},
  {"noise", "noise"},
})
-- The first temperature's figures as results (the rest are in the table).
local first = rows[1]
local at = summary.kelvin(first.temperature_K)
if first.tau_1_s then
  relax.report("tau_1_s_at_" .. at, first.tau_1_s, "s", "tau_1 at the first temperature")
  relax.report("beta_decay_at_" .. at, first.beta_decay, "1",
               "Beta step's drop of sigma/sigma0 inside the window, first temperature")
end
relax.report("noise_level", first.noise, "1",
             "Load-cell noise of one sample at the first temperature, units of sigma0")

-- Where the decay is two-step.
local yes, no = summary.temperatures("two_step", rows, function(r) return r.two_step end,
                                     "Temperatures with a two-step decay")
local highest_two, lowest_one = -math.huge, math.huge
for _, r in ipairs(rows) do
  if r.two_step then highest_two = math.max(highest_two, r.temperature_K)
  else lowest_one = math.min(lowest_one, r.temperature_K) end
end
if #yes > 0 then relax.report("two_step_highest_K", highest_two, "K", "Highest temperature with a two-step decay") end
if #no > 0 then relax.report("single_step_lowest_K", lowest_one, "K", "Lowest temperature with a single-step decay") end

-- Arrhenius activation energy of tau_1 over the two-step temperatures.
local fit, why = decay.arrhenius(rows, "temperature_K", "tau_1_s",
                                 function(r) return r.two_step end)
if fit then
  summary.arrhenius("tau_1", fit, "tau_1 (two-step temperatures)")
  local pts = {}
  for i, T in ipairs(fit.points.T_K) do pts[i] = {T, fit.points.tau_s[i]} end
  relax.table("tau_1_arrhenius", {"temperature_K", "tau_1_s"}, pts)
  relax.plot { kind = "arrhenius", table = "tau_1_arrhenius", x = "temperature_K",
               y = "tau_1_s", title = "Arrhenius plot of tau_1 (Fig. 1(c))" }
else
  relax.note("no Arrhenius fit of tau_1: " .. why)
end

-- The paper's figures (Fig. 1(a), the curves, is the report's automatic
-- relaxation plot).
relax.plot { kind = "derivative", segment = rows[1].label, tau_s = rows[1].tau_1_s,
             title = "-d(sigma/sigma0)/d ln t at the first temperature (Fig. 1(b))" }
