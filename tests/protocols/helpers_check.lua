-- Unit checks of the protocol helpers (scripts/relax/*.lua) against
-- analytic cases; run as a protocol by test_helpers.sh.  Prints
-- "N passed, M failed" and raises an error if any check fails.
local relax = require "relax"
local curves = require "relax.curves"
local decay = require "relax.decay"
local sweep = require "relax.sweep"
local summary = require "relax.summary"
local dma = require "relax.dma"
local an = relax.analysis

relax.describe "Unit checks of the protocol helpers"
local passed, failed = 0, 0
local function check(what, cond, detail)
  if cond then passed = passed + 1; print("ok   " .. what)
  else failed = failed + 1; print("FAIL " .. what .. (detail and (": " .. detail) or "")) end
end
local function near(a, b, rel) return math.abs(a - b) <= rel * math.abs(b) end

-- A deterministic pseudo-random Gaussian (Box-Muller on an LCG).
local state = 12345
local function uniform()
  state = (1103515245 * state + 12345) % 2147483648
  return (state + 0.5) / 2147483648
end
local function gauss() return math.sqrt(-2 * math.log(uniform())) * math.cos(2 * math.pi * uniform()) end

-- A recorded-like series: 10 points/s from 0.5 s, stress = s0 * y(t) + noise.
local function series(fn, duration, s0, noise_MPa, label)
  local t, s = {}, {}
  for k = 0, math.floor((duration - 0.5) * 10 + 0.5) do
    t[#t + 1] = 0.5 + k / 10
    s[#s + 1] = s0 * fn(t[#t]) + noise_MPa * gauss()
  end
  return an.series {t_s = t, stress_MPa = s, label = label or "synthetic"}
end

-- sweep.range
local r = sweep.range(315, 410, 5)
check("range 315..410 step 5 has 20 temperatures", #r == 20 and r[20] == 410)
check("range with a non-representable step ends at the end", #sweep.range(0.93, 1.01, 0.02) == 5)
check("range refuses a step of the wrong sign", not pcall(sweep.range, 300, 310, -5))

-- sweep.bisect on a step function at 363.3 K
local calls = 0
local b = sweep.bisect { low_K = 355, high_K = 375, resolution_K = 0.5,
                         measure = function(T) calls = calls + 1; return {T = T} end,
                         test = function(row) return row.T < 363.3 end }
check("bisect brackets 363.3 K within 0.5 K", b.low_K <= 363.3 and b.high_K >= 363.3 and
      b.high_K - b.low_K <= 0.5, ("%g..%g"):format(b.low_K, b.high_K))
check("bisect measures ends + 6 midpoints", calls == 8, tostring(calls))

-- summary.kelvin
check("kelvin(357.5) = 357p5K", summary.kelvin(357.5) == "357p5K")
check("kelvin(315) = 315K", summary.kelvin(315) == "315K")

-- dma.log_range
local f = dma.log_range(0.01, 10, 4)
check("log_range 0.01..10 Hz, 4 a decade: 13 frequencies", #f == 13 and near(f[13], 10, 1e-12))

-- curves.noise: white noise of known rms on a smooth decay
local sigma = 0.05
local s = series(function(t) return 0.95 + 0.05 * math.exp(-t / 20) end, 2000, 240, sigma)
local n = curves.noise(s)
check("noise of a series (last 100 s) within 10 % of 0.05/240", near(n, sigma / 240, 0.1),
      ("%.3g vs %.3g"):format(n, sigma / 240))
-- ... and only the last 100 s of it: ten times the noise before them
-- must not count (series:at returns four values: the time alone bounds it)
local loud = {t = {}, s = {}}
for k = 0, 19995 do
  local t = 0.5 + k / 10
  loud.t[#loud.t + 1], loud.s[#loud.s + 1] = t, 240 + (t < 1900 and 10 or 1) * sigma * gauss()
end
local nl = curves.noise(an.series {t_s = loud.t, stress_MPa = loud.s, label = "loud"})
check("noise of a series from its last 100 s only (10 x louder before)",
      near(nl, sigma / 240, 0.15), ("%.3g vs %.3g"):format(nl, sigma / 240))
local c = curves.normalise(s)
local n_all = curves.noise(c)
check("noise of the whole curve within 3 % of 0.05/240", near(n_all, sigma / 240, 0.03),
      ("%.3g"):format(n_all))

-- curves.sigma0: a straight line through the first 5 s
local lin = an.series {t_s = {0.5, 0.6, 0.7, 0.8, 10}, stress_MPa = {100, 99, 98, 97, 0}}
check("sigma0 of a straight line is its value at the first sample", near(curves.sigma0(lin), 100, 1e-12))

-- curves.bin: means of a linear function in log bins
local lt = {t = {}, y = {}}
for k = 1, 1000 do lt.t[k] = k; lt.y[k] = 2 * k end
local bb = curves.bin(lt, {per_decade = 10, min_count = 10})
local okbin, count = true, 0
for k = 1, #bb.t do
  okbin = okbin and near(bb.y[k], 2 * bb.t[k], 1e-12) and bb.n[k] >= 10
  count = count + bb.n[k]
end
check("bin: mean y = 2 mean t in every bin, >= 10 samples each, all samples used", okbin and count == 1000)

-- curves.compare: identical shapes at different amplitudes coincide; a
-- 1e-3 offset in sigma/sigma0 after 100 s is found
local shape = function(t) return 0.95 + 0.05 * math.exp(-t / 21.7) end
local a1 = series(shape, 1800, 240, 0)
local a2 = series(shape, 1800, 120, 0)
local cmp = curves.compare(a1, a2)
check("compare: same shape, other amplitude: difference < 1e-12", cmp.max_abs < 1e-12, ("%.3g"):format(cmp.max_abs))
local a3 = series(function(t) return shape(t) - (t > 100 and 1e-3 or 0) end, 1800, 240, 0)
cmp = curves.compare(a1, a3)
check("compare: a 1e-3 step after 100 s is found", near(cmp.max_abs, 1e-3, 0.05) and cmp.t_at_max_s > 100,
      ("%.3g at %.3g s"):format(cmp.max_abs, cmp.t_at_max_s))

-- curves.extra_decay: an extra 1e-3 (1 - exp(-t/300)) decay
local aged = series(function(t) return shape(t) - 1e-3 * (1 - math.exp(-t / 300)) end, 1800, 240, 0)
local x = curves.extra_decay(aged, a1, 100, 1000)
local want = 1e-3 * (math.exp(-100 / 300) - math.exp(-1000 / 300))
check("extra_decay of 1e-3 (1 - exp(-t/300)) between 100 and 1000 s", near(x, want, 0.03),
      ("%.4g vs %.4g"):format(x, want))

-- decay.analyse: an analytic two-step curve with noise (the model itself)
local two = function(t) return 0.9 + 0.05 * math.exp(-t / 21.7) + 0.05 * math.exp(-(t / 2e4) ^ 0.5) end
local rr = decay.analyse(series(two, 2000, 240, 0.05))
check("analyse: two-step curve judged two-step", rr.two_step, rr.verdict)
check("analyse: tau_1 within 3 % of 21.7 s", rr.tau_1_s and near(rr.tau_1_s, 21.7, 0.03), tostring(rr.tau_1_s))
-- ... and a single stretched step (pure alpha) is not
local one = function(t) return 0.5 + 0.5 * math.exp(-(t / 800) ^ 0.45) end
rr = decay.analyse(series(one, 2000, 240, 0.05))
check("analyse: a single stretched step judged single-step", not rr.two_step, rr.verdict)
check("analyse: its tau_2 (KWW) within 10 % of 800 s", rr.tau_2_s and near(rr.tau_2_s, 800, 0.1), tostring(rr.tau_2_s))

-- decay.single_step: a Debye step
local ss = decay.single_step(series(function(t) return 0.95 + 0.05 * math.exp(-t / 336) end, 12000, 240, 0.05))
check("single_step: Debye step tau within 2 % of 336 s, stretch ~1", near(ss.tau_s, 336, 0.02) and ss.stretch > 0.95,
      ("%.4g s, %.3g"):format(ss.tau_s, ss.stretch))

-- decay.arrhenius: exact Arrhenius data
local rows = {}
for _, T in ipairs {300, 320, 340, 360} do
  rows[#rows + 1] = {T = T, tau = 1e-13 * math.exp(83 / (8.314462618e-3 * T))}
end
local fit = decay.arrhenius(rows, "T", "tau")
check("arrhenius: 83 kJ/mol recovered", near(fit.E_kJ_per_mol, 83, 1e-6), tostring(fit.E_kJ_per_mol))
check("arrhenius_tau on the line", near(decay.arrhenius_tau(fit, 330), 1e-13 * math.exp(83 / (8.314462618e-3 * 330)), 1e-6))
check("arrhenius: nil with 2 points", decay.arrhenius({rows[1], rows[2]}, "T", "tau") == nil)

print(("%d passed, %d failed"):format(passed, failed))
relax.report("passed", passed, "1", "checks passed")
relax.report("failed", failed, "1", "checks failed")
if failed > 0 then error(failed .. " helper checks failed") end
