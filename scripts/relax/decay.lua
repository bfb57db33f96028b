--- relax.decay: what one relaxation curve says: tau_1, tau_2, the beta and
-- alpha parts of the decay, and whether the decay is two-step.
--
--   local decay = require "relax.decay"
--   local r = decay.analyse(series)
--   print(r.tau_1_s, r.two_step, r.verdict)
--
-- Method (docs/protocols.md, "Two-step or one-step"):
-- 1. sigma/sigma0 (relax.curves) is averaged into 20 log-time
--    bins a decade; the two-step model of relax.analysis.twostep,
--    y = c + a1 exp(-t/tau_1) + a2 exp(-(t/tau_2)^b), is fitted to the bin
--    means.  (Fitting every sample at 10 points/s gives the same answer
--    within the errors but costs up to seconds a curve.)
-- 2. The verdict takes the analysis module's four rules, with the noise
--    level of one sample (relax.curves.noise) as the noise:
--    a. beta visible: the beta decay inside the window >= 10 x noise;
--    b. tau_1 inside the window: t_first/2 <= tau_1 <= t_last/10;
--    c. separated steps: tau_2 >= 100 tau_1 -- tested only when the slow
--       step is itself resolved (its decay in the window >= 10 x noise);
--       otherwise tau_2 is not measured and only rule d speaks;
--    d. a dip: the smoothed -d(sigma/sigma0)/d ln t falls after the beta
--       peak to at most half of it.
-- The result's `verdict` names the first rule that fails.

local analysis = require "relax.analysis"
local curves = require "relax.curves"

local decay = {}

decay.MIN_SNR = 10          -- rules a and c: a step is visible above 10 x noise
decay.MIN_TAU_RATIO = 100   -- rule c
decay.MAX_DIP_RATIO = 0.5   -- rule d

local function judge(r, f, noise)
  local t0, t1 = f.t_first_s, f.t_last_s
  if not (f.beta_visible >= decay.MIN_SNR * noise) then
    return false, ("single-step: beta decay in the window %.3g is below %g x noise (%.2g)")
                  :format(f.beta_visible, decay.MIN_SNR, noise)
  end
  if not (f.tau_1_s >= t0 / 2 and f.tau_1_s <= t1 / 10) then
    return false, ("single-step: tau_1 = %.3g s is outside [t_first/2, t_last/10] = [%.3g, %.3g] s")
                  :format(f.tau_1_s, t0 / 2, t1 / 10)
  end
  r.slow_step_resolved = f.alpha_visible >= decay.MIN_SNR * noise
  if r.slow_step_resolved and not (f.tau_2_s >= decay.MIN_TAU_RATIO * f.tau_1_s) then
    return false, ("single-step: tau_2/tau_1 = %.3g is below %g")
                  :format(f.tau_2_s / f.tau_1_s, decay.MIN_TAU_RATIO)
  end
  if not (f.beta_peak > 0 and f.dip <= decay.MAX_DIP_RATIO * f.beta_peak) then
    return false, ("single-step: -dy/dln t only falls to %.3g of the beta peak after it (needs <= %g)")
                  :format(f.dip / f.beta_peak, decay.MAX_DIP_RATIO)
  end
  return true, ("two-step: beta decay %.3g (%.0f x noise), tau_2/tau_1 = %s, dip to %.2f of the beta peak")
               :format(f.beta_visible, f.beta_visible / noise,
                       r.slow_step_resolved and ("%.3g"):format(f.tau_2_s / f.tau_1_s)
                       or "not resolved", f.dip / f.beta_peak)
end

--- Analyses one relaxation curve (a relax.Series or a relax.curves curve).
-- opts: t_min_s, t_max_s (the window; default: the whole record),
-- per_decade (bins, default 20), noise (the noise level to judge against;
-- default: estimated from the curve -- give it for computed curves).
-- Returns a table:
--   tau_1_s, se_tau_1_s  the beta step's time, where the decay is two-step
--   a_1, a_2, stretch, offset  (the two-step fit; all of it in r.fit)
--   tau_2_s      the slow step's time where measured (3. above), else nil
--   beta_decay   the beta step's drop of sigma/sigma0 inside the window
--   alpha_decay  the slow step's drop inside the window
--   total_decay  1 - sigma/sigma0 at the end of the window (bin mean)
--   noise        noise level of one sample, units of sigma0
--   two_step (boolean), verdict (text), fit (the raw twostep table)
function decay.analyse(curve, opts)
  opts = opts or {}
  local b = curves.log_bins(curve, {per_decade = opts.per_decade or 20,
                                    t_min_s = opts.t_min_s, t_max_s = opts.t_max_s})
  local noise = opts.noise or curves.noise(curve)
  local f, msg = analysis.twostep(b.t, b.y)
  local r = {noise = noise, total_decay = 1 - b.y[#b.y], t_first_s = b.t[1],
             t_last_s = b.t[#b.t], label = curve.label}
  if not f then
    r.two_step, r.verdict = false, "no fit: " .. tostring(msg)
    return r
  end
  r.fit = f
  r.a_1, r.a_2, r.stretch, r.offset = f.a1, f.a2, f.beta, f.c
  r.beta_decay, r.alpha_decay = f.beta_visible, f.alpha_visible
  r.two_step, r.verdict = judge(r, f, noise)
  -- tau_1 only where the decay is two-step: on a single step the fast
  -- term of the model is not a beta step (it may invent one).
  if r.two_step then r.tau_1_s, r.se_tau_1_s = f.tau_1_s, f.se_tau_1_s end
  -- tau_2 where it is measured (3. above).
  local tau2, visible = f.tau_2_s, f.alpha_visible
  if not r.two_step then
    local k = analysis.kww(b.t, b.y)
    if k then
      r.kww = k
      tau2, r.stretch = k.tau_s, k.beta
      visible = k.A * (math.exp(-(b.t[1] / k.tau_s) ^ k.beta) -
                       math.exp(-(b.t[#b.t] / k.tau_s) ^ k.beta))
    else
      tau2 = nil
    end
  elseif f.tau_2_at_bound then
    tau2 = nil
  end
  r.tau_2_s = nil
  if tau2 and visible >= decay.MIN_SNR * noise and tau2 <= 10 * r.t_last_s then
    r.tau_2_s = tau2
  end
  return r
end

--- Fits one stretched-exponential step, y = c + A exp(-(t/tau)^b), to a
-- curve averaged on the log-time grid (relax.analysis.kww): for curves with
-- a single visible step -- the beta step alone below room temperature, the
-- alpha step alone near Tg.  Returns {tau_s, se_tau_s, stretch, amplitude,
-- offset, step_decay (the step's drop inside the window), noise, fit} or
-- nil, message.
function decay.single_step(curve, opts)
  opts = opts or {}
  local b = curves.log_bins(curve, {per_decade = opts.per_decade or 20,
                                    t_min_s = opts.t_min_s, t_max_s = opts.t_max_s})
  local k, msg = analysis.kww(b.t, b.y)
  if not k then return nil, msg end
  return {tau_s = k.tau_s, se_tau_s = k.se_tau_s, stretch = k.beta, amplitude = k.A,
          offset = k.c, noise = curves.noise(curve), fit = k, label = curve.label,
          step_decay = k.A * (math.exp(-(b.t[1] / k.tau_s) ^ k.beta) -
                              math.exp(-(b.t[#b.t] / k.tau_s) ^ k.beta))}
end

--- The slow step of a curve whose decay it dominates (near Tg): the
-- two-step model fitted in linear time, on means over bins of
-- duration/1000 (every part of the record weighs by its length, as in a
-- least-squares fit of all the samples; on a log-time grid the short-time
-- part of the alpha decay would weigh as much as its terminal part).
-- Returns {tau_2_s, se_tau_2_s, stretch, amplitude, fast_tau_s,
-- fast_amplitude, noise, fit} or nil, message.
function decay.slow_step(curve, opts)
  opts = opts or {}
  local c = curves.normalise(curve)
  local width = opts.bin_s or (c.t[#c.t] - c.t[1]) / 1000
  local b = curves.bin_linear(c, width)
  local f, msg = analysis.twostep(b.t, b.y)
  if not f then return nil, msg end
  return {tau_2_s = f.tau_2_s, se_tau_2_s = f.se_tau_2_s, stretch = f.beta, amplitude = f.a2,
          fast_tau_s = f.tau_1_s, fast_amplitude = f.a1, noise = curves.noise(curve), fit = f,
          label = c.label}
end

--- Arrhenius fit tau = tau0 exp(E / R T) of the rows where pick(row) is
-- true, using row[T_key] and row[tau_key].  Returns the analysis module's
-- table (E_kJ_per_mol, se_E_kJ_per_mol, tau0_s, ...), plus the points used
-- as {T_K = {...}, tau_s = {...}}; nil, message with fewer than 3 points.
function decay.arrhenius(rows, T_key, tau_key, pick)
  local T, tau = {}, {}
  for _, row in ipairs(rows) do
    local x, y = row[T_key], row[tau_key]
    if (not pick or pick(row)) and x and y and y > 0 and y == y then
      T[#T + 1], tau[#tau + 1] = x, y
    end
  end
  if #T < 3 then return nil, ("arrhenius: %d point(s) of %s"):format(#T, tau_key) end
  local a = analysis.arrhenius {T_K = T, tau_s = tau}
  a.points = {T_K = T, tau_s = tau}
  return a
end

--- tau at T_K on an Arrhenius line (a table from decay.arrhenius).
function decay.arrhenius_tau(a, T_K)
  local R = 8.314462618e-3 -- kJ/(mol K)
  return a.tau0_s * math.exp(a.E_kJ_per_mol / (R * T_K))
end

return decay
