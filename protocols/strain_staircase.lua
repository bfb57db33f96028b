-- A custom sequence: a strain staircase, to check that the relaxation is
-- linear in the strain.
--
-- Methods.  A La60Ni15Al25 ribbon in tension at 315 K, stabilised for
-- 30 min.  The strain is raised in four equal steps, 0.2 -> 0.4 -> 0.6 ->
-- 0.8 %, each held and recorded for 600 s at 10 points/s, then released
-- and the sample left to recover for 1800 s; finally one step straight to
-- 0.8 % is recorded for 600 s.  If the response is linear (Boltzmann
-- superposition), the staircase's stress is the sum of four single-step
-- responses, each the 0.8 % curve scaled by 1/4 and delayed: this
-- prediction, built from the final record, is compared with the
-- staircase's last stair on a log-time grid, and the first stair's tau_1
-- with the single step's (both fitted over the first 600 s).
--
-- Run:   relaxrun protocols/strain_staircase.lua [stair=0.002 stairs=4 ...]

local relax = require "relax"
local curves = require "relax.curves"
local decay = require "relax.decay"
local sweep = require "relax.sweep"

relax.describe [[
Strain staircase at 315 K (0.2 % steps up to 0.8 %) and a single 0.8 % step: a
Boltzmann-superposition check of linearity, and tau_1 against the strain.]]

local p = relax.parameters {
  { "temperature",   315,   "K",  "Test temperature" },
  { "stabilisation", 1800,  "s",  "Hold after the temperature is stable" },
  { "stair",         0.002, "1",  "Strain of each stair (0.002 = 0.2 %)" },
  { "stairs",        4,     "1",  "Number of stairs" },
  { "hold",          600,   "s",  "Record length of each stair" },
  { "recovery",      1800,  "s",  "Unloaded recovery before the single step" },
}

relax.sample { clamp = "tension", length_mm = 15, width_mm = 1, thickness_mm = 0.03 }
sweep.settle(p.temperature, p.stabilisation)

local stairs = {}
for k = 1, p.stairs do
  stairs[k] = relax.load(k * p.stair, {duration_s = p.hold,
                                       label = ("stair %d: %.2f %%"):format(k, 100 * k * p.stair)})
end
relax.set_strain(0)
relax.hold(p.recovery, "unloaded recovery")
local total = p.stairs * p.stair
local single = relax.load(total, {duration_s = p.stairs * p.hold,
                                  label = ("single step: %.2f %%"):format(100 * total)})
relax.set_strain(0)

-- Prediction for the last stair: sum over stairs j of the single-step
-- response, scaled by 1/stairs, delayed by (j - 1) holds, at the time
-- t + (stairs - 1) hold after the first stair.  Both are records at the
-- same 10 points/s grid (step time from 0.5 s), so a delay is an index
-- shift.
local ts, ss = single:time(), single:stress()
local last_t, last_s = stairs[p.stairs]:time(), stairs[p.stairs]:stress()
local dt = ts[2] - ts[1]
local function single_at(t) -- stress of the single step at step time t (linear interpolation)
  local x = (t - ts[1]) / dt + 1
  local i = math.floor(x)
  if i < 1 or i >= #ts then return nil end
  return ss[i] + (x - i) * (ss[i + 1] - ss[i])
end
local rows, diff = {}, {t = {}, y = {}}
local s_ref = ss[1]
for i = 1, #last_t do
  local pred = 0
  for j = 1, p.stairs do
    -- stair j started (stairs - j) holds (plus the 0.5 s first-sample
    -- offset of each record) before the last one
    local v = single_at(last_t[i] + (p.stairs - j) * (p.hold + ts[1]))
    if not v then pred = nil break end
    pred = pred + v / p.stairs
  end
  if pred then
    diff.t[#diff.t + 1], diff.y[#diff.y + 1] = last_t[i], (last_s[i] - pred) / s_ref
    if i % 50 == 1 then rows[#rows + 1] = {last_t[i], last_s[i], pred} end
  end
end
-- The difference on the log-time grid of relax.curves.compare (10 bins a
-- decade, >= 10 samples each): white noise averages out.
local max_rel = 0
local bins = curves.bin(diff, {per_decade = 10, min_count = 10})
for k = 1, #bins.y do max_rel = math.max(max_rel, math.abs(bins.y[k])) end
relax.table("superposition", {"time_s", "measured_MPa", "predicted_MPa"}, rows)
local noise = curves.noise(single)
relax.report("noise_level", noise, "1", "Load-cell noise of one sample, units of sigma0 of the single step")
relax.report("superposition_max_difference", max_rel, "1",
             "Largest difference of the last stair from the superposed prediction (log-time grid), units of the single step's sigma0")
relax.report("superposition_over_noise", max_rel / noise, "1", "That difference in units of the noise level")

-- tau_1 at 0.2 % and at 0.8 %: at 315 K the beta step is the only decay
-- seen in 600 s, so a single stretched step is fitted (relax.decay).
local r1 = assert(decay.single_step(stairs[1]))
local rs = assert(decay.single_step(single, {t_max_s = p.hold}))
relax.report("tau_1_s_first_stair", r1.tau_s, "s", "tau_1 of the first stair (0.2 % step)")
relax.report("tau_1_s_single_step", rs.tau_s, "s", "tau_1 of the single step, same window")
relax.plot { kind = "xy", table = "superposition", x = "time_s", y = {"measured_MPa", "predicted_MPa"},
             logx = true, title = "Last stair: measured and predicted by superposition",
             xlabel = "t (s)", ylabel = "stress (MPa)" }
