-- Two steps become one: the relaxation computed from Eq. (2), Hao et al.,
-- Phys. Rev. B 108, 024101 (2023), Fig. 4(e).
--
-- Methods (a calculation; the instrument is not used).  The creep
-- compliance of Eq. (2),
--   J(t) = 1/E {1 + A_b [1 - exp(-t/tau_b)] + A [1 - exp(-(1/chi)(t/tau_a)^chi)] + A t/tau_a},
-- with Arrhenius tau_b and tau_a from Eq. (1), is converted into the
-- stress relaxation of a strain step (relax.analysis.eq2_relaxation) at
-- 310 to 380 K in 5 K steps, and normalised by the stress at 0.5 s, the
-- first sample of a measurement.  Each curve, cut at the cutoff time (the
-- end of a measurement's window, 2000 s), is judged with the same rules as
-- the measured ones (relax.decay, with the instrument's noise level).  The
-- temperature where the decay turns from two-step to one-step is then
-- located to 0.25 K by bisection, for the cutoff time and for cutoffs of
-- 100 s and 1e5 s.
-- The material constants are parameters (default: the simulator's
-- La60Ni15Al25 preset).
--
-- Run:   relaxrun protocols/eq2_reconstruction.lua [cutoff=2000 ...]

local relax = require "relax"
local decay = require "relax.decay"
local sweep = require "relax.sweep"
local summary = require "relax.summary"

relax.describe [[
Stress relaxation from 310 to 380 K computed from Eq. (2) (Hao et al. 2023, Fig.
4(e)) and the temperature where the two-step decay becomes one step, against the
cutoff time of the measurement.]]

local p = relax.parameters {
  { "T_start",     310,      "K",      "First temperature" },
  { "T_end",       380,      "K",      "Last temperature" },
  { "T_step",      5,        "K",      "Temperature step" },
  { "cutoff",      2000,     "s",      "Cutoff time: the end of the observation window" },
  { "t_first",     0.5,      "s",      "Start of the window (first sample after the step)" },
  { "noise",       2.1e-4,   "1",      "Noise level of one sample, units of sigma0 (the verdict's yardstick)" },
  { "resolution",  0.25,     "K",      "Resolution of the crossover temperature" },
  { "A_beta",      0.05263,  "1",      "Beta strength A_b" },
  { "A_alpha",     1.5,      "1",      "Alpha strength A" },
  { "chi",         0.44,     "1",      "Stretching and coupling exponent" },
  { "E_beta",      83,       "kJ/mol", "Activation energy of tau_b" },
  { "Tg",          461,      "K",      "Glass transition temperature" },
  { "tau_beta_Tg", 1.0e-3,   "s",      "tau_b at Tg" },
  { "tau_alpha_Tg", 25,      "s",      "tau_a at Tg" },
}

local R = 8.314462618e-3 -- kJ/(mol K)
local an = relax.analysis
-- Eq. (1): tau_a = (tau_b / t0^(1 - chi))^(1/chi); t0 from the values at Tg.
local t0 = (p.tau_beta_Tg / p.tau_alpha_Tg ^ p.chi) ^ (1 / (1 - p.chi))

local function parameters_at(T)
  local tau_b = p.tau_beta_Tg * math.exp(p.E_beta / R * (1 / T - 1 / p.Tg))
  return {E_el = 1, A_beta = p.A_beta, tau_beta_s = tau_b, A = p.A_alpha,
          tau_alpha_s = an.eq1_tau_alpha(tau_b, t0, p.chi), chi = p.chi}
end

-- sigma(t)/sigma(t_first) on 10 points a decade from t_first to t_max,
-- computed once per temperature and cut at each cutoff time.
local t_max = math.max(p.cutoff, 1e5)
local cache = {}
local function curve_at(T, cutoff_s)
  local full = cache[T]
  if not full then
    local t = {}
    local n = math.ceil(10 * math.log(t_max / p.t_first, 10))
    for k = 0, n do t[#t + 1] = p.t_first * (t_max / p.t_first) ^ (k / n) end
    local E = an.eq2_relaxation(parameters_at(T), t, 20)
    full = {t = t, y = {}}
    for i = 1, #E do full.y[i] = E[i] / E[1] end
    cache[T] = full
  end
  local c = {t = {}, y = {}, label = ("T = %g K"):format(T)}
  for i = 1, #full.t do
    if full.t[i] > cutoff_s * (1 + 1e-9) then break end
    c.t[i], c.y[i] = full.t[i], full.y[i]
  end
  return c
end

local function judged(T, cutoff_s)
  local r = decay.analyse(curve_at(T, cutoff_s), {noise = p.noise})
  r.temperature_K, r.cutoff_s = T, cutoff_s
  local par = parameters_at(T)
  r.tau_beta_s, r.tau_alpha_s = par.tau_beta_s, par.tau_alpha_s
  return r
end

-- The curves and their verdicts at the cutoff time.
local temperatures = sweep.range(p.T_start, p.T_end, p.T_step)
local rows, columns, data = {}, {"time_s"}, {}
for i, T in ipairs(temperatures) do
  local c = curve_at(T, p.cutoff)
  rows[i] = judged(T, p.cutoff)
  columns[#columns + 1] = ("sigma_over_sigma0_" .. summary.kelvin(T))
  for k = 1, #c.t do
    data[k] = data[k] or {c.t[k]}
    data[k][#data[k] + 1] = c.y[k]
  end
end
relax.table("eq2_curves", columns, data)
summary.table("eq2_verdicts", rows, {
  {"temperature_K", "temperature_K"}, {"tau_beta_s", "tau_beta_s"},
  {"tau_alpha_s", "tau_alpha_s"}, {"tau_1_s", "tau_1_s"}, {"beta_decay", "beta_decay"},
  {"alpha_decay", "alpha_decay"}, {"two_step", "two_step"},
})
summary.temperatures("two_step", rows, function(r) return r.two_step end,
                     ("Temperatures with a two-step decay up to %g s"):format(p.cutoff))

-- The crossover temperature, by bisection, for a range of cutoff times.
-- (For another cutoff, the bracket is tried first around the crossover
-- already found, then the whole range.)
local function crossover(cutoff_s, scan, guess_K)
  local lo, hi
  if guess_K then
    local a, b = judged(guess_K - 2 * p.T_step, cutoff_s), judged(guess_K + 2 * p.T_step, cutoff_s)
    if a.two_step and not b.two_step then lo, hi = a.temperature_K, b.temperature_K end
  end
  if not lo then
    for i, T in ipairs(temperatures) do
      local two = (scan and scan[i] or judged(T, cutoff_s)).two_step
      if two then lo = T elseif lo and not hi then hi = T end
    end
  end
  if not (lo and hi) then return nil end
  local bracket = sweep.bisect {
    low_K = lo, high_K = hi, resolution_K = p.resolution,
    low_row = {two_step = true}, high_row = {two_step = false},
    measure = function(T) return judged(T, cutoff_s) end,
    test = function(r) return r.two_step end,
  }
  return (bracket.low_K + bracket.high_K) / 2
end

local T_cross = crossover(p.cutoff, rows)
if T_cross then
  relax.report("crossover_K", T_cross, "K",
               ("Two-step decay turns into one step at this temperature (cutoff %g s)"):format(p.cutoff))
else
  relax.note("no crossover between " .. p.T_start .. " and " .. p.T_end .. " K")
end
local cross_rows = {}
for _, cutoff in ipairs {1e2, p.cutoff, 1e5} do
  local T = cutoff == p.cutoff and T_cross or crossover(cutoff, nil, T_cross)
  if T then cross_rows[#cross_rows + 1] = {cutoff, T} end
end
relax.table("crossover", {"cutoff_s", "crossover_K"}, cross_rows)

local ys = {}
for i = 2, #columns do ys[#ys + 1] = columns[i] end
relax.plot { kind = "xy", table = "eq2_curves", x = "time_s", y = ys, logx = true,
             title = ("Eq. (2) stress relaxation, %g-%g K (Fig. 4(e))"):format(p.T_start, p.T_end),
             xlabel = "t (s)", ylabel = "sigma/sigma0" }
relax.plot { kind = "xy", table = "crossover", x = "cutoff_s", y = "crossover_K", logx = true,
             title = "Where two steps become one, against the cutoff time",
             xlabel = "cutoff time (s)", ylabel = "T (K)" }
