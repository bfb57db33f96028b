-- test_fit.lua - an.fit: analytic cases, fixed parameters, bounds, weights,
-- and what bad input and failing models get.
local T = require "testlib"
local an = require "relax.analysis"

-- y = 2 exp(-x / 3) + 0.5 sampled exactly: the fit must find it.
local xs, ys = {}, {}
for i = 1, 40 do xs[i] = 0.25 * i; ys[i] = 2 * math.exp(-xs[i] / 3) + 0.5 end
local function model(p, x) return p[1] * math.exp(-x / p[2]) + p[3] end

T.test("exact data, pointwise and vectorised", function()
  local r = an.fit { x = xs, y = ys, p0 = { 1, 1, 0 }, model = model, names = { "a", "tau_s", "c" } }
  T.check(r.converged, r.reason)
  T.rel(r.p[1], 2, 1e-9, "a"); T.rel(r.p[2], 3, 1e-9, "tau"); T.rel(r.p[3], 0.5, 1e-9, "c")
  T.rel(r.values.tau_s, 3, 1e-9, "values.tau_s")
  T.check(r.rss < 1e-20, "rss " .. r.rss)
  T.check(r.dof == 37 and r.n == 40, "dof")
  local v = an.fit { x = xs, y = ys, p0 = { 1, 1, 0 },
    model_vec = function(p, x)
      local out = {}
      for i = 1, #x do out[i] = model(p, x[i]) end
      return out
    end }
  T.rel(v.p[2], 3, 1e-9, "vectorised tau")
end)

-- Linear model y = a + b x: the standard errors have a closed form.
T.test("standard errors of a straight line match the closed form", function()
  local x, y = { 1, 2, 3, 4, 5, 6 }, { 2.1, 3.9, 6.2, 7.8, 10.1, 12.2 }
  local r = an.fit { x = x, y = y, p0 = { 0, 1 }, model = function(p, t) return p[1] + p[2] * t end }
  local n, sx, sxx = 6, 0, 0
  for i = 1, n do sx = sx + x[i]; sxx = sxx + x[i] ^ 2 end
  local s2 = r.rss / (n - 2)
  local det = n * sxx - sx ^ 2
  T.rel(r.se[2], math.sqrt(s2 * n / det), 1e-7, "se slope")
  T.rel(r.se[1], math.sqrt(s2 * sxx / det), 1e-7, "se intercept")
  T.rel(r.cov[1][2], -s2 * sx / det, 1e-6, "covariance")
  T.rel(r.cov[1][2], r.cov[2][1], 1e-12, "symmetric")
end)

T.test("fixed parameters keep their value and get zero error", function()
  local r = an.fit { x = xs, y = ys, p0 = { 1, 3, 0 }, fixed = { false, true, false }, model = model }
  T.check(r.p[2] == 3 and r.se[2] == 0, "fixed tau")
  T.rel(r.p[1], 2, 1e-9, "a")
  local r2 = an.fit { x = xs, y = ys, p0 = { 1, 3, 0.5 }, names = { "a", "tau", "c" },
    fixed = { c = true }, model = model }
  T.check(r2.p[3] == 0.5 and r2.dof == 38, "fixed by name")
end)

T.test("bounds hold and are flagged", function()
  -- true c = 0.5; force c <= 0.3: it sits on the bound
  local r = an.fit { x = xs, y = ys, p0 = { 1, 1, 0 }, upper = { math.huge, math.huge, 0.3 },
    model = model }
  T.check(r.p[3] <= 0.3 and r.p[3] > 0.3 - 1e-6, "c at its bound: " .. r.p[3])
  T.check(r.at_bound[3] and not r.at_bound[1], "at_bound flags")
  -- two-sided bounds containing the answer do not change it
  local b = an.fit { x = xs, y = ys, p0 = { 1, 1, 0 }, lower = { 0, 0.1, -1 }, upper = { 10, 100, 1 },
    model = model }
  T.rel(b.p[2], 3, 1e-8, "bounded tau"); T.check(not b.at_bound[2], "inside")
  local l = an.fit { x = xs, y = ys, p0 = { 1, 1, 0 }, lower = { 0, 0, -math.huge }, model = model }
  T.rel(l.p[2], 3, 1e-8, "lower-bounded tau")
end)

T.test("sigma weights the residuals", function()
  -- one wild point with a huge sigma hardly matters
  local y2 = {}
  for i = 1, #ys do y2[i] = ys[i] end
  y2[10] = y2[10] + 5
  local sg = {}
  for i = 1, #ys do sg[i] = 1e-3 end
  sg[10] = 1e6
  local r = an.fit { x = xs, y = y2, p0 = { 1, 1, 0 }, sigma = sg, model = model }
  T.rel(r.p[2], 3, 1e-6, "tau with outlier down-weighted")
end)

-- Weighted straight line y = a + b x: the covariance (X^T W X)^-1, scaled by
-- rss/dof unless absolute_sigma, is the closed form of weighted regression.
local function weighted_line(x, y, w)
  local S, Sx, Sxx, Sy, Sxy = 0, 0, 0, 0, 0
  for i = 1, #x do
    S, Sx, Sxx = S + w[i], Sx + w[i] * x[i], Sxx + w[i] * x[i] ^ 2
    Sy, Sxy = Sy + w[i] * y[i], Sxy + w[i] * x[i] * y[i]
  end
  local det = S * Sxx - Sx ^ 2
  local a, b = (Sxx * Sy - Sx * Sxy) / det, (S * Sxy - Sx * Sy) / det
  local rss = 0
  for i = 1, #x do rss = rss + w[i] * (y[i] - a - b * x[i]) ^ 2 end
  return { a = a, b = b, rss = rss, v11 = Sxx / det, v22 = S / det, v12 = -Sx / det }
end

T.test("weights: closed form, absolute_sigma, and zero weights do not count", function()
  local x, y, sg, w = {}, {}, {}, {}
  math.randomseed(3)
  for i = 1, 20 do
    x[i] = i; sg[i] = 0.1 * (1 + i % 3); w[i] = 1 / sg[i] ^ 2
    y[i] = 1 + 2 * i + sg[i] * (math.random() - 0.5)
  end
  local line = function(p, t) return p[1] + p[2] * t end
  local c = weighted_line(x, y, w)
  local r = an.fit { x = x, y = y, sigma = sg, p0 = { 0, 1 }, model = line }
  local s2 = c.rss / 18
  T.rel(r.p[1], c.a, 1e-9, "a"); T.rel(r.p[2], c.b, 1e-9, "b"); T.rel(r.rss, c.rss, 1e-9, "rss")
  T.rel(r.se[1], math.sqrt(s2 * c.v11), 1e-7, "se a"); T.rel(r.se[2], math.sqrt(s2 * c.v22), 1e-7, "se b")
  T.rel(r.cov[1][2], s2 * c.v12, 1e-6, "cov a b")
  local ra = an.fit { x = x, y = y, sigma = sg, p0 = { 0, 1 }, model = line, absolute_sigma = true }
  T.rel(ra.se[1], math.sqrt(c.v11), 1e-7, "absolute se a"); T.rel(ra.se[2], math.sqrt(c.v22), 1e-7, "absolute se b")
  T.rel(ra.cov[1][2], c.v12, 1e-6, "absolute cov a b")
  local rw = an.fit { x = x, y = y, weights = w, p0 = { 0, 1 }, model = line }
  T.rel(rw.se[2], r.se[2], 1e-9, "weights = 1/sigma^2")
  -- weight 0 on half the points: the same fit as the other half alone
  local w0, x10, y10 = {}, {}, {}
  for i = 1, 20 do w0[i] = i <= 10 and 1 or 0 end
  for i = 1, 10 do x10[i], y10[i] = x[i], y[i] end
  local z = an.fit { x = x, y = y, weights = w0, p0 = { 0, 1 }, model = line }
  local h = an.fit { x = x10, y = y10, p0 = { 0, 1 }, model = line }
  T.check(z.dof == 8 and h.dof == 8 and z.n == 20, "dof " .. z.dof .. ", n " .. z.n)
  T.rel(z.p[2], h.p[2], 1e-9, "slope"); T.rel(z.rss, h.rss, 1e-9, "rss")
  T.rel(z.se[1], h.se[1], 1e-9, "se intercept"); T.rel(z.se[2], h.se[2], 1e-9, "se slope")
  T.rel(z.cov[1][2], h.cov[1][2], 1e-9, "covariance")
  local one = {}
  for i = 1, 20 do one[i] = i == 5 and 1 or 0 end
  T.raises("1 data points with weight > 0 for 2 free parameters", an.fit,
    { x = x, y = y, weights = one, p0 = { 0, 1 }, model = line })
  for i = 1, 20 do one[i] = 0 end
  T.raises("0 data points with weight > 0 for 2 free parameters", an.fit,
    { x = x, y = y, weights = one, p0 = { 0, 1 }, model = line })
  T.raises("weights[3] = -1.0 must be >= 0", an.fit, { x = { 1, 2, 3 }, y = { 1, 2, 3 },
    weights = { 1, 1, -1 }, p0 = { 1 }, model = line })
end)

T.test("errors under an active bound come from the Jacobian in p", function()
  -- y = a + b x with b forced below its value: b sits on the bound, a is
  -- the mean of y - b x, and the covariance is rss/dof (X^T X)^-1 at that
  -- point (the bounds transform does not enter: its derivative is 0 there).
  local x, y = { 1, 2, 3, 4, 5, 6 }, { 2.1, 3.9, 6.2, 7.8, 10.1, 12.2 }
  local r = an.fit { x = x, y = y, p0 = { 0, 1 }, upper = { math.huge, 1.5 },
    model = function(p, t) return p[1] + p[2] * t end }
  T.check(r.at_bound[2] and not r.at_bound[1], "b at its bound")
  T.abs(r.p[2], 1.5, 1e-8, "b")
  local a, rss = 0, 0
  for i = 1, 6 do a = a + (y[i] - 1.5 * x[i]) / 6 end
  for i = 1, 6 do rss = rss + (y[i] - a - 1.5 * x[i]) ^ 2 end
  T.rel(r.p[1], a, 1e-7, "a = mean(y - b x)"); T.rel(r.rss, rss, 1e-7, "rss")
  local c = weighted_line(x, y, { 1, 1, 1, 1, 1, 1 })
  local s2 = rss / 4
  T.check(r.dof == 4, "dof")
  T.rel(r.se[1], math.sqrt(s2 * c.v11), 1e-6, "se a")
  T.rel(r.se[2], math.sqrt(s2 * c.v22), 1e-6, "se b (not meaningful, but finite)")
  T.rel(r.cov[1][2], s2 * c.v12, 1e-6, "cov")
end)

T.test("a bound narrower than the difference step: one-sided steps, or the parameter named", function()
  local x, y = {}, {}
  for i = 1, 10 do x[i] = i; y[i] = 2 * i + 1 end
  local line = function(p, xi) return p[1] * xi + p[2] end
  local r, msg = an.fit { x = x, y = y, p0 = { 1, 1 }, lower = { -math.huge, 1 },
    upper = { math.huge, 1 + 1e-6 }, model = line }
  T.check(r, "narrow bound: " .. tostring(msg))
  if r then
    T.rel(r.p[1], 2, 1e-9, "slope"); T.check(r.p[2] >= 1 and r.p[2] <= 1 + 1e-6, "inside")
    T.check(r.at_bound[2], "flagged")
  end
  -- the model is undefined beyond p[1] = 1.5: backward differences there
  local u, um = an.fit { x = x, y = y, p0 = { 1 },
    model = function(p, xi) if p[1] > 1.5 then return 0 / 0 end return p[1] * xi end }
  T.check(u and math.abs(u.p[1] - 1.5) < 1e-6 and u.se[1] == u.se[1], "undefined beyond: " .. tostring(um))
  -- undefined on both sides of the start: the failure names the parameter
  local f, fm = an.fit { x = x, y = y, p0 = { 1, 1 },
    model = function(p, xi) if p[2] ~= 1 then return 0 / 0 end return p[1] * xi + p[2] end }
  T.check(f == nil and tostring(fm):find("with respect to parameter 2", 1, true), tostring(fm))
  T.raises("the Jacobian's column for parameter 1 is not finite", an.fit, { x = x, y = y,
    p0 = { 1, 1 }, model = line, jacobian = function() return { 0 / 0, 1 } end })
end)

T.test("errors inside the model come back as Lua errors with their line", function()
  local ok, err = pcall(an.fit, { x = xs, y = ys, p0 = { 1, 1, 0 },
    model = function(p, x) if p[1] > 1.5 then error("model exploded") end; return model(p, x) end })
  T.check(not ok and err:find("test_fit.lua:%d+: model exploded"), tostring(err))
  ok, err = pcall(an.fit, { x = xs, y = ys, p0 = { 1, 1, 0 },
    model = function(p, x) return p.nothing.here end })
  T.check(not ok and err:find("test_fit.lua:%d+:") and err:find("nothing"), tostring(err))
  -- the model is not called again once it has failed; the error value is kept
  local calls = 0
  local obj = { "abort" }
  ok, err = pcall(an.fit, { x = xs, y = ys, p0 = { 1, 1, 0 },
    model_vec = function(p, x)
      calls = calls + 1
      if calls == 5 then error(obj) end
      local o = {}
      for i = 1, #x do o[i] = model(p, x[i]) end
      return o
    end })
  T.check(not ok and err == obj and calls == 5, "calls " .. calls)
  T.raises("model returned nil for point 1", an.fit, { x = xs, y = ys, p0 = { 1, 1, 0 },
    model = function() return nil end })
  T.raises("model returned 39 values, expected 40", an.fit, { x = xs, y = ys, p0 = { 1, 1, 0 },
    model_vec = function(p, x) local o = {}; for i = 1, #x - 1 do o[i] = 0 end; return o end })
  T.raises("jacobian returned 2 derivatives for point 1, expected 3", an.fit, { x = xs, y = ys,
    p0 = { 1, 1, 0 }, model = model, jacobian = function() return { 1, 2 } end })
  T.raises("the Jacobian disagrees with central differences of the model at the start values (parameter 1",
    an.fit, { x = xs, y = ys, p0 = { 1, 1, 0 }, model = model,
      jacobian = function(p, x) return { 0, 0, 1 } end })
  local r = an.fit { x = xs, y = ys, p0 = { 1, 1, 0 }, model = model, check_jacobian = false,
    jacobian = function(p, x) local e = math.exp(-x / p[2]); return { e, p[1] * x * e / p[2] ^ 2, 1 } end }
  T.rel(r.p[2], 3, 1e-9, "analytic jacobian, check off")
  T.raises("residual 1 is not finite at the start", an.fit, { x = xs, y = ys, p0 = { 1, 1, 0 },
    model = function() return 0 / 0 end })
  -- one number per call, and a number, not a string that looks like one
  T.raises("fit: model returned 2 values for point 1, expected 1", an.fit, { x = xs, y = ys,
    p0 = { 1, 1, 0 }, model = function(p, x) return model(p, x), "junk" end })
  T.raises("fit: model returned 0 values for point 1, expected 1", an.fit, { x = xs, y = ys,
    p0 = { 1, 1, 0 }, model = function() end })
  T.raises("fit: model returned string for point 1, expected a number", an.fit, { x = xs, y = ys,
    p0 = { 1, 1, 0 }, model = function(p, x) return tostring(model(p, x)) end })
  T.raises("fit: model returned 2 values, expected 1 (an array)", an.fit, { x = xs, y = ys,
    p0 = { 1, 1, 0 }, model_vec = function(p, x) return {}, {} end })
  T.raises("fit: model returned string for point 2, expected a number", an.fit, { x = xs, y = ys,
    p0 = { 1, 1, 0 }, model_vec = function(p, x)
      local o = {}
      for i = 1, #x do o[i] = model(p, x[i]) end
      o[2] = "0.5"
      return o
    end })
  T.raises("fit: jacobian returned string for point 1, expected a number", an.fit, { x = xs,
    y = ys, p0 = { 1, 1, 0 }, model = model, jacobian = function() return { "1", 0, 1 } end })
end)

T.test("bad data and misuse raise, naming the input", function()
  T.raises("y[3] is NaN", an.fit, { x = { 1, 2, 3 }, y = { 1, 2, 0 / 0 }, p0 = { 1 }, model = model })
  T.raises("x[2] is infinite", an.fit, { x = { 1, math.huge, 3 }, y = { 1, 2, 3 }, p0 = { 1 }, model = model })
  T.raises("2 data points for 3 free parameters", an.fit, { x = { 1, 2 }, y = { 1, 2 }, p0 = { 1, 1, 1 }, model = model })
  T.raises("x has 2 values, y 3", an.fit, { x = { 1, 2 }, y = { 1, 2, 3 }, p0 = { 1 }, model = model })
  T.raises("exactly one of 'model' and 'model_vec'", an.fit, { x = xs, y = ys, p0 = { 1 } })
  T.raises("outside its bounds", an.fit, { x = xs, y = ys, p0 = { 1, 1, 0 }, lower = { 2 }, model = model })
  T.raises("every parameter is fixed", an.fit, { x = xs, y = ys, p0 = { 1, 1, 0 }, fixed = { true, true, true }, model = model })
  T.raises("sigma[1] = 0", an.fit, { x = { 1, 2, 3 }, y = { 1, 2, 3 }, sigma = { 0, 1, 1 }, p0 = { 1 }, model = model })
  T.raises("method must be", an.fit, { x = xs, y = ys, p0 = { 1, 1, 0 }, model = model, method = "newton" })
end)

T.test("a fit that cannot converge says so", function()
  local r = an.fit { x = xs, y = ys, p0 = { 1, 1, 0 }, model = model, max_iter = 1, method = "lm" }
  T.check(r.converged == false and r.reason:find("maximum"), tostring(r.reason))
end)

T.summary()
