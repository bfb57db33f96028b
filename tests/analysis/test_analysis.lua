-- test_analysis.lua - the curve analyses from Lua against analytic cases:
-- log-time derivative, two-step fit on a Series, KWW, Arrhenius, loss
-- peaks, Eqs. (1) and (2).
local T = require "testlib"
local an = require "relax.analysis"

local R = 8.314462618
local exp, log = math.exp, math.log

-- La60Ni15Al25 parameter set of design.md at temperature T_K.
local function la60(T_K)
  local tb = 3.942e-13 * exp(83000 / (R * T_K))
  return { E_el = 1, A_beta = 0.05263, tau_beta_s = tb, A = 1.5, chi = 0.44,
           tau_alpha_s = an.eq1_tau_alpha(tb, 3.503e-7, 0.44) }
end

-- A noisy relaxation Series (10 Hz from 0.5 s) with a fixed seed.
local function relaxation(T_K, n, noise, seed)
  math.randomseed(seed)
  local t = {}
  for i = 1, n do t[i] = 0.5 + 0.1 * (i - 1) end
  local E = an.eq2_relaxation(la60(T_K), t)
  local y = {}
  for i = 1, n do
    local g = math.sqrt(-2 * log(1 - math.random())) * math.cos(2 * math.pi * math.random())
    y[i] = 40000 * 0.006 * (E[i] + noise * E[1] * g) -- MPa for a 40 GPa glass
  end
  return an.series { t_s = t, stress_MPa = y, label = T_K .. " K" }
end

T.test("logderiv of a Debye step, from arrays", function()
  local t, y = {}, {}
  for i = 1, 20000 do t[i] = 0.5 + 0.1 * (i - 1); y[i] = 0.95 + 0.05 * exp(-t[i] / 30) end
  local d = an.logderiv(t, y, { per_decade = 20 })
  T.check(#d.peaks == 1, "one peak, got " .. #d.peaks)
  T.rel(d.tau_1_s, 30, 0.03, "peak at tau")
  T.rel(d.peaks[1].height, 0.05 / math.exp(1), 0.02, "height 1/e of the step")
  T.check(d.tau_1_near_edge == false, "not near an edge")
  T.check(#d.t_s == #d.d and #d.se == #d.d, "arrays")
  -- a step at 1 s is within a decade of the start: flagged
  for i = 1, 20000 do y[i] = 0.95 + 0.05 * exp(-t[i] / 1.5) end
  local e = an.logderiv(t, y)
  T.check(e.peaks[1] and e.peaks[1].near_edge, "near the start: flagged")
end)

T.test("logderiv: no peaks on flat noise-free data; an absolute floor", function()
  local t, one, tiny = {}, {}, {}
  for i = 1, 300 do
    t[i] = 0.5 * 1.03 ^ i; one[i] = 1
    tiny[i] = 1 - 1e-4 + 1e-4 * exp(-t[i] / 20) -- a real step of 1e-4
  end
  local d = an.logderiv(t, one)
  T.check(#d.peaks == 0 and d.tau_1_s == nil, #d.peaks .. " peaks on a constant")
  T.check(d.se[10] == 0, "noise-free: se = 0")
  local e = an.logderiv(t, tiny)
  T.check(#e.peaks == 1, #e.peaks .. " peaks on a 1e-4 step")
  T.rel(e.tau_1_s, 20, 0.05, "its time")
  T.check(#an.logderiv(t, tiny, { min_abs_height = 1e-4 }).peaks == 0, "below a raised floor")
  -- the floor scales with the data: the same step in MPa (sigma0 = 240)
  for i = 1, 300 do tiny[i] = 240 * tiny[i]; one[i] = 240 end
  T.check(#an.logderiv(t, tiny).peaks == 1 and #an.logderiv(t, one).peaks == 0, "scaled")
  T.raises("min_abs_height must be > 0", an.logderiv, t, one, { min_abs_height = 0 })
end)

T.test("logderiv: samples sparser than the window", function()
  local ts, ys = {}, {}
  for i = 0, 8 do ts[#ts + 1] = 10 ^ (i / 2); ys[#ys + 1] = exp(-ts[#ts] / 30) end
  T.raises("logderiv: no log bin has another within +-0.15 decade", an.logderiv, ts, ys)
  local w = an.logderiv(ts, ys, { window_decades = 0.6 })
  T.check(w.undetermined == 0 and w.d[3] == w.d[3], "a wider window: " .. w.undetermined)
  -- dense record with one far sample: that bin alone is undetermined
  local t, y = {}, {}
  for i = 1, 10000 do t[i] = 10 + 0.1 * i; y[i] = exp(-t[i] / 100) end
  t[10001], y[10001] = 1e5, 0
  local g = an.logderiv(t, y)
  T.check(g.undetermined == 1 and g.d[#g.d] ~= g.d[#g.d] and g.se[#g.se] ~= g.se[#g.se],
    "one undetermined bin: " .. g.undetermined)
  T.check(g.d[#g.d - 1] == g.d[#g.d - 1], "the others are not")
  T.raises("twostep: logderiv: no log bin has another", an.twostep, ts, ys)
end)

T.test("two-step fit of a Series at 330 K and single step at 410 K", function()
  local s = relaxation(330, 19996, 2e-4, 1)
  local r = s:twostep()
  T.check(r.two_step, r.verdict)
  T.rel(r.tau_1_s, 0.95 * la60(330).tau_beta_s, 0.03, "tau_1 ~ 0.95 tau_b")
  T.check(r.se_tau_1_s > 0 and r.se_tau_1_s < 0.02 * r.tau_1_s, "se tau_1 " .. r.se_tau_1_s)
  T.rel(r.a1, 0.05, 0.05, "beta amplitude ~ 5 %")
  T.check(#r.cov == 6 and #r.cov[1] == 6, "6x6 covariance")
  local d = s:logderiv()
  T.rel(d.tau_1_s, la60(330).tau_beta_s, 0.1, "derivative peak near tau_b")
  local hot = relaxation(410, 19996, 2e-4, 2):twostep()
  T.check(not hot.two_step, "410 K: " .. hot.verdict)
  -- a window option restricts the samples
  local w = s:twostep { t_min_s = 1, t_max_s = 1000 }
  T.check(w.t_first_s >= 1 and w.t_last_s <= 1000, "window")
end)

T.test("twostep: parameters at a bound are named; the verdict uses them", function()
  -- 315 K: the slow step lies far beyond the window, tau_2/tau_1 at 1e12
  local r = relaxation(315, 19996, 2e-4, 1):twostep()
  T.check(r.two_step, r.verdict)
  T.check(r.at_bound.tau_2_s == "upper" and r.tau_2_at_bound, "tau_2 at its upper bound")
  T.check(r.verdict:find("at a bound: tau_2/tau_1 (upper)", 1, true), r.verdict)
  -- two nearby resolved steps (tau ratio 1.3): tau_2/tau_1 pinned at 1.5,
  -- single-step even where min_tau_ratio would let 1.5 through
  local t, y = {}, {}
  math.randomseed(3)
  for i = 1, 19996 do
    t[i] = 0.5 + 0.1 * (i - 1)
    local g = math.sqrt(-2 * log(1 - math.random())) * math.cos(2 * math.pi * math.random())
    y[i] = 0.9 + 0.05 * exp(-t[i] / 10) + 0.05 * exp(-(t[i] / 13) ^ 0.7) + 1e-4 * g
  end
  local m = an.twostep(t, y, { min_tau_ratio = 1.2 })
  T.check(m.at_bound.tau_2_s == "lower", "tau_2/tau_1 at 1.5: " .. tostring(m.at_bound.tau_2_s))
  T.check(not m.two_step and m.verdict:find("lower bound 1.5", 1, true), m.verdict)
  local d = an.twostep(t, y)
  T.check(not d.two_step and d.verdict:find("lower bound 1.5", 1, true), d.verdict)
  -- inside every bound: an empty table
  local s = relaxation(345, 19996, 2e-4, 2):twostep()
  T.check(s.two_step and next(s.at_bound) == nil, "345 K: " .. s.verdict)
end)

T.test("360 K: the documented border case", function()
  local s = relaxation(360, 19996, 2e-4, 5)
  local r = s:twostep()
  T.check(r.two_step and r.tau_1_near_edge, "two-step, flagged: " .. r.verdict)
  local late = s:twostep { t_min_s = 1 }
  T.check(not late.two_step and late.verdict:find("outside", 1, true), late.verdict)
end)

T.test("kww recovers an exact stretched exponential", function()
  local t, y = {}, {}
  for i = 1, 400 do t[i] = 0.5 * 1.02 ^ i; y[i] = 0.8 * exp(-(t[i] / 50) ^ 0.5) + 0.1 end
  local r = an.kww(t, y)
  T.rel(r.tau_s, 50, 1e-6, "tau"); T.rel(r.beta, 0.5, 1e-6, "beta")
  T.rel(r.A, 0.8, 1e-6, "A"); T.rel(r.c, 0.1, 1e-5, "c")
  local z = an.kww(t, y, { no_offset = true })
  T.check(z.c == 0 and z.rss > r.rss, "no offset")
  T.check(next(r.at_bound) == nil, "inside its bounds")
  -- a compressed decay (exponent 1.5): beta pinned at its upper bound 1
  for i = 1, 300 do t[i] = 0.5 * 1.03 ^ i; y[i] = 0.1 + 0.9 * exp(-(t[i] / 20) ^ 1.5) end
  for i = 301, 400 do t[i], y[i] = nil, nil end
  local c = an.kww(t, y)
  T.check(c.beta == 1 or math.abs(c.beta - 1) < 1e-4, "beta " .. c.beta)
  T.check(c.at_bound.beta == "upper" and c.at_bound.tau_s == nil, "flagged")
end)

T.test("arrhenius: exact line, centring and errors", function()
  local Ts, taus = {}, {}
  for k = 0, 6 do Ts[k + 1] = 315 + 5 * k; taus[k + 1] = 1e-13 * exp(83000 / (R * Ts[k + 1])) end
  local a = an.arrhenius { T_K = Ts, tau_s = taus }
  T.rel(a.E_kJ_per_mol, 83, 1e-9, "E"); T.rel(a.tau0_s, 1e-13, 1e-6, "tau0")
  T.check(a.se_E_kJ_per_mol < 1e-6, "se ~ 0 on exact data")
  -- scatter of +-1 % in tau: the error of the slope has the closed form
  local noisy = {}
  for k = 1, 7 do noisy[k] = taus[k] * (1 + 0.01 * (k % 2 == 0 and 1 or -1)) end
  local b = an.arrhenius { T_K = Ts, tau_s = noisy }
  local xbar, sxx = 0, 0
  for k = 1, 7 do xbar = xbar + 1 / Ts[k] / 7 end
  for k = 1, 7 do sxx = sxx + (1 / Ts[k] - xbar) ^ 2 end
  T.rel(b.se_E_kJ_per_mol, R / 1000 * math.sqrt(b.rss / 5 / sxx), 1e-9, "se E")
  T.check(b.corr < -0.99, "ln tau0 and E strongly correlated: " .. b.corr)
  T.rel(b.inv_T_mean_per_K, xbar, 1e-12, "centring")
  -- weighted, with and without absolute: the closed form of weighted linear
  -- regression of ln tau on 1/T (weights 1/(se/tau)^2)
  local se = {}
  for k = 1, 7 do se[k] = noisy[k] * (0.005 + 0.002 * k) end
  for _, absolute in ipairs { false, true } do
    local w = an.arrhenius { T_K = Ts, tau_s = noisy, se_tau_s = se, absolute = absolute }
    local S, Sx, Sxx, Sy, Sxy = 0, 0, 0, 0, 0
    for k = 1, 7 do
      local wk, x, yk = (noisy[k] / se[k]) ^ 2, 1 / Ts[k], log(noisy[k])
      S, Sx, Sxx, Sy, Sxy = S + wk, Sx + wk * x, Sxx + wk * x * x, Sy + wk * yk, Sxy + wk * x * yk
    end
    local det = S * Sxx - Sx ^ 2
    local l0, slope = (Sxx * Sy - Sx * Sxy) / det, (S * Sxy - Sx * Sy) / det
    local rss = 0
    for k = 1, 7 do rss = rss + (noisy[k] / se[k]) ^ 2 * (log(noisy[k]) - l0 - slope / Ts[k]) ^ 2 end
    local s2 = absolute and 1 or rss / 5
    local Rk = R / 1000
    local what = absolute and "absolute " or "scaled "
    T.rel(w.ln_tau0, l0, 1e-9, what .. "ln tau0"); T.rel(w.E_kJ_per_mol, Rk * slope, 1e-9, what .. "E")
    T.rel(w.rss, rss, 1e-6, what .. "rss")
    T.rel(w.cov[1][1], s2 * Sxx / det, 1e-6, what .. "var ln tau0")
    T.rel(w.cov[2][2], s2 * Rk ^ 2 * S / det, 1e-6, what .. "var E")
    T.rel(w.cov[1][2], -s2 * Rk * Sx / det, 1e-6, what .. "cov")
    T.rel(w.cov[2][1], w.cov[1][2], 1e-15, what .. "symmetric")
    T.rel(w.corr, -Sx / math.sqrt(S * Sxx), 1e-6, what .. "corr")
    T.rel(w.se_ln_tau0, math.sqrt(s2 * Sxx / det), 1e-6, what .. "se ln tau0")
    T.rel(w.se_E_kJ_per_mol, Rk * math.sqrt(s2 * S / det), 1e-6, what .. "se E")
    T.rel(w.inv_T_mean_per_K, Sx / S, 1e-12, what .. "weighted centring")
    T.check(w.dof == 5 and w.n == 7, what .. "dof")
  end
  T.raises("need >= 3", an.arrhenius, { T_K = { 300, 310 }, tau_s = { 1, 2 } })
  T.raises("must be finite and > 0", an.arrhenius, { T_K = { 300, 310, 320 }, tau_s = { 1, -2, 3 } })
end)

T.test("loss peaks: Debye in frequency and in temperature", function()
  local tau = 0.01
  local f, loss = {}, {}
  for k = 0, 40 do
    f[k + 1] = 0.1 * 10 ^ (k / 10)
    local wt = 2 * math.pi * f[k + 1] * tau
    loss[k + 1] = wt / (1 + wt * wt)
  end
  local p = an.loss_peak { f_Hz = f, loss = loss }
  T.rel(p.tau_s, tau, 0.01, "tau = 1/(2 pi f_peak)")
  T.check(not p.edge, "inside the scan")
  -- temperature scan at 1 Hz with Arrhenius tau(T)
  local Ts, l2 = {}, {}
  for k = 0, 60 do
    Ts[k + 1] = 330 + k
    local wt = 2 * math.pi * 1 * 3.942e-13 * exp(83000 / (R * Ts[k + 1]))
    l2[k + 1] = wt / (1 + wt * wt)
  end
  local q = an.loss_peak { T_K = Ts, loss = l2, f_Hz = 1 }
  local Tpk = 83000 / (R * log(1 / (2 * math.pi * 3.942e-13)))
  T.abs(q.T_peak_K, Tpk, 0.5, "T_peak")
  T.rel(q.tau_s, 1 / (2 * math.pi), 1e-12, "tau at T_peak")
  T.raises("needs f_Hz", an.loss_peak, { T_K = Ts, loss = l2 })
  local e = an.loss_peak { f_Hz = { 1, 2, 3 }, loss = { 1, 2, 3 } }
  T.check(e.edge and not e.refined and e.points_used == 1, "peak at the edge is flagged")
  T.check(p.refined and p.points_used >= 3, "refined")
  -- a spike on a dip: the parabola over the window has no maximum inside
  local fs, ls = {}, { 3, 2, 1, 5, 1, 2, 3 }
  for k = 0, 6 do fs[k + 1] = 10 ^ (k / 10) end
  local u = an.loss_peak { f_Hz = fs, loss = ls, half_width = 1 }
  T.check(not u.refined and not u.edge and u.points_used == 1 and u.f_peak_Hz == fs[4] and
    u.se_f_peak_Hz ~= u.se_f_peak_Hz, "not refined: the highest point, flagged")
  T.raises("half_width must be finite and > 0, got", an.loss_peak, { f_Hz = f, loss = loss, half_width = 0 / 0 })
  T.raises("half_width must be finite and > 0, got -1", an.loss_peak, { f_Hz = f, loss = loss, half_width = -1 })
  T.raises("half_width must be finite and > 0, got 0", an.loss_peak, { T_K = Ts, loss = l2, f_Hz = 1, half_width = 0 })
end)

T.test("Eq. (1) and Eq. (2)", function()
  local p = la60(461)
  T.rel(p.tau_alpha_s, 25, 0.01, "tau_alpha(Tg) = 25 s")
  T.rel(an.eq2_creep(p, 0), 1, 1e-15, "J(0) = 1/E_el")
  T.rel(an.eq2_relaxation(p, 0), 1, 1e-12, "E(0) = E_el")
  local ta, tb = {}, {}
  for k, T_K in ipairs { 380, 400, 420, 440, 461 } do
    local q = la60(T_K); ta[k] = q.tau_alpha_s; tb[k] = q.tau_beta_s
  end
  local f = an.eq1_fit { tau_alpha_s = ta, tau_beta_s = tb }
  T.rel(f.chi, 0.44, 1e-9, "chi"); T.rel(f.t0_s, 3.503e-7, 1e-6, "t0")
  -- chi = 1: t0 drops out of Eq. (1)
  local g = an.eq1_fit { tau_alpha_s = { 1, 10, 100 }, tau_beta_s = { 2, 20, 200 } }
  T.rel(g.chi, 1, 1e-12, "chi = 1")
  T.check(g.t0_s ~= g.t0_s and g.se_ln_t0 ~= g.se_ln_t0, "t0 NaN: " .. g.t0_s)
  -- Eq. (2) creep fit from a perturbed start
  local q = la60(440)
  local t, J = {}, {}
  for i = 1, 200 do t[i] = 1e-5 * 1.1 ^ i end
  J = an.eq2_creep(q, t)
  local start = { E_el = 1.2, A_beta = 0.03, tau_beta_s = q.tau_beta_s * 3, A = 1.0,
                  tau_alpha_s = q.tau_alpha_s / 2, chi = 0.5 }
  local r = an.eq2_fit { t_s = t, y = J, kind = "creep", p0 = start, fixed = { tau_beta_s = false } }
  T.rel(r.p.E_el, 1, 1e-6, "E_el"); T.rel(r.p.A, 1.5, 1e-5, "A")
  T.rel(r.p.tau_alpha_s, q.tau_alpha_s, 1e-5, "tau_alpha"); T.rel(r.p.chi, 0.44, 1e-5, "chi")
  T.rel(r.p.A_beta, 0.05263, 1e-3, "A_beta")
  -- relaxation fit (fixed beta part; alpha from a nearby start)
  local tr = {}
  for i = 1, 50 do tr[i] = 0.5 * 1.18 ^ i end
  local E = an.eq2_relaxation(q, tr, 20)
  local rr = an.eq2_fit { t_s = tr, y = E, kind = "relaxation", per_decade = 20,
    p0 = { E_el = 1, A_beta = 0.05263, tau_beta_s = q.tau_beta_s, A = 1.3,
           tau_alpha_s = q.tau_alpha_s * 1.3, chi = 0.4 },
    fixed = { E_el = true, A_beta = true, tau_beta_s = true } }
  T.rel(rr.p.tau_alpha_s, q.tau_alpha_s, 1e-4, "relaxation fit tau_alpha")
  T.rel(rr.p.chi, 0.44, 1e-4, "relaxation fit chi")
  T.raises("field chi missing", an.eq2_creep, { E_el = 1, A_beta = 0, tau_beta_s = 1, A = 1, tau_alpha_s = 1 }, 1)
  T.raises("0 < chi <= 1", an.eq2_creep, { E_el = 1, A_beta = 0, tau_beta_s = 1, A = 1, tau_alpha_s = 1, chi = 2 }, 1)
end)

T.test("bad curves raise", function()
  T.raises("times not strictly increasing at sample 3", an.twostep,
    { 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 30 }, { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 })
  T.raises("3 samples for 6 parameters", an.twostep, { 1, 2, 3 }, { 1, 1, 1 })
  T.raises("y[2] is NaN", an.kww, { 1, 2, 3, 4, 5, 6 }, { 1, 0 / 0, 1, 1, 1, 1 })
  T.raises("y has 2 values, t_s 3", an.logderiv, { 1, 2, 3 }, { 1, 2 })
end)

T.summary()
