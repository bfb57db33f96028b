-- test_series.lua - the Series userdata: construction, columns, slicing,
-- normalisation, log resampling, comparison, and what misuse gets.
local T = require "testlib"
local an = require "relax.analysis"

local function make(n, label)
  local t, y, temp, eps = {}, {}, {}, {}
  for i = 1, n do
    t[i] = 0.1 * i
    y[i] = 100 * math.exp(-t[i] / 5)
    temp[i] = 315 + 0.001 * i
    eps[i] = 0.006
  end
  return an.series { t_s = t, stress_MPa = y, temp_K = temp, strain = eps,
                     label = label or "synthetic", t0_s = 42 }
end

T.test("fields and columns", function()
  local s = make(50)
  T.check(#s == 50, "#s")
  T.check(s.label == "synthetic", "label")
  T.check(s.t0_s == 42, "t0_s")
  local t, y, temp, eps = s:time(), s:stress(), s:temperature(), s:strain()
  T.check(#t == 50 and #y == 50 and #temp == 50 and #eps == 50, "column lengths")
  T.rel(t[10], 1.0, 1e-15, "t[10]")
  T.rel(y[10], 100 * math.exp(-0.2), 1e-15, "y[10]")
  T.rel(temp[1], 315.001, 1e-15, "temp[1]")
  T.check(tostring(s):find("synthetic", 1, true), "tostring")
  local tt, yy = s:at(3)
  T.rel(tt, 0.3, 1e-15, "at t")
  T.rel(yy, 100 * math.exp(-0.06), 1e-15, "at y")
end)

T.test("slice keeps origin and bounds are inclusive", function()
  local s = make(100)
  local p = s:slice(1.0, 2.0)
  T.check(#p == 11, "#slice = " .. #p)
  T.rel(p:time()[1], 1.0, 1e-15, "first")
  T.check(p.t0_s == 42, "origin kept")
  T.check(#s:slice(100, 200) == 0, "empty slice")
  T.check(#s:slice(5) == 51, "open-ended slice")
end)

T.test("normalized divides by the first recorded stress", function()
  local s = make(20)
  local n = s:normalized()
  local y = n:stress()
  T.rel(y[1], 1, 1e-15, "y1")
  T.rel(y[20], math.exp(-(2.0 - 0.1) / 5), 1e-14, "y20")
  T.raises("first stress is 0",
    function() return an.series { t_s = { 1, 2 }, stress_MPa = { 0, 1 } }:normalized() end)
end)

T.test("resample_log", function()
  local s = make(20000) -- 0.1 .. 2000 s
  local r = s:resample_log { per_decade = 10 }
  T.check(#r >= 35 and #r <= 45, "#r = " .. #r) -- early bins can be empty
  local t, y = r:time(), r:stress()
  for i = 2, #t do T.check(t[i] > t[i - 1], "increasing") end
  T.rel(t[1], 0.1, 1e-12, "first bin holds the first sample alone")
  -- the bin mean of a straight line is the line at the bin's mean time
  local tl, yl = {}, {}
  for i = 1, 20000 do tl[i] = 0.1 * i; yl[i] = 3 + 2 * tl[i] end
  local rl = an.series { t_s = tl, stress_MPa = yl }:resample_log { per_decade = 10 }
  local t2, y2 = rl:time(), rl:stress()
  for i = 1, #t2 do T.rel(y2[i], 3 + 2 * t2[i], 1e-12, "mean bin") end
  local g = s:resample_log { n = 31, t_min_s = 1, t_max_s = 1000, mode = "interp" }
  T.check(#g == 31, "#interp")
  T.rel(g:time()[1], 1, 1e-12, "t first")
  T.rel(g:time()[16], math.sqrt(1000), 1e-12, "t middle")
  T.rel(g:stress()[16], 100 * math.exp(-math.sqrt(1000) / 5), 2e-3, "interp value")
end)

T.test("compare two curves", function()
  local a = make(100)
  local t, y = {}, {}
  for i = 1, 60 do t[i] = 0.05 + 0.1 * i; y[i] = 200 * math.exp(-t[i] / 5) * (1 + 1e-3) end
  local b = an.series { t_s = t, stress_MPa = y }
  local c = a:compare(b)
  -- b/b0 differs from a/a0 by the ratio exp(-(0.15-0.1)/5) of origins
  T.check(c.n > 50, "n common")
  T.check(c.max_abs < 0.02 and c.rms <= c.max_abs, "sizes")
  local same = a:compare(a)
  T.check(same.max_abs == 0 and same.rms == 0, "identical curves")
end)

T.test("bad input raises with a clear message", function()
  T.raises("stress_MPa[2] is NaN",
    function() return an.series { t_s = { 1, 2 }, stress_MPa = { 1, 0 / 0 } } end)
  T.raises("t_s[1] is infinite",
    function() return an.series { t_s = { math.huge, 2 }, stress_MPa = { 1, 1 } } end)
  T.raises("stress_MPa has 1 values, t_s 2",
    function() return an.series { t_s = { 1, 2 }, stress_MPa = { 1 } } end)
  T.raises("stress_MPa[2]: expected a number",
    function() return an.series { t_s = { 1, 2 }, stress_MPa = { 1, "x" } } end)
  local s = an.series { t_s = { 1, 1, 2 }, stress_MPa = { 1, 1, 1 }, label = "dup" }
  local ok, msg = s:validate()
  T.check(ok == nil and msg:find("not strictly increasing at sample 2", 1, true), msg)
  T.raises("not strictly increasing", function() return s:resample_log() end)
  T.raises("closed series", function() local c = make(3); c:close(); return #c end)
  T.raises("relax.Series expected", function() return an.series { t_s = {}, stress_MPa = {} }.time({}) end)
end)

T.test("to-be-closed series", function()
  do
    local s <close> = make(5)
    T.check(#s == 5, "usable")
  end
end)

T.summary()
