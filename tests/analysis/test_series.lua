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
  local a = make(100) -- 0.1 .. 10 s
  local t, y = {}, {}
  for i = 1, 60 do t[i] = 0.05 + 0.1 * i; y[i] = 200 * math.exp(-t[i] / 5) * (1 + 1e-3) end
  local b = an.series { t_s = t, stress_MPa = y, label = "offset" }
  local c = a:compare(b)
  -- a/a0 = exp(-(t - 0.1)/5), b/b0 = exp(-(t - 0.15)/5): the difference is
  -- exp(-t/5) (e^0.02 - e^0.03), largest at the common range's start 0.15 s
  local function diff(x) return math.exp(-x / 5) * (math.exp(0.02) - math.exp(0.03)) end
  T.abs(c.max_abs, 1 - math.exp(-0.01), 1e-8, "max_abs")
  T.rel(c.t_at_max_s, 0.15, 1e-12, "t_at_max_s")
  -- every time of either grid in [0.15, 6.05]: 59 of a's, 60 of b's
  T.check(c.n == 119, "n common " .. c.n)
  local ss = 0
  for i = 2, 60 do ss = ss + diff(0.1 * i) ^ 2 end
  for i = 1, 60 do ss = ss + diff(t[i]) ^ 2 end
  T.rel(c.rms, math.sqrt(ss / 119), 1e-6, "rms")
  local r = b:compare(a)
  T.check(r.max_abs == c.max_abs and r.rms == c.rms and r.n == c.n and r.t_at_max_s == c.t_at_max_s,
    "symmetric")
  local same = a:compare(a)
  T.check(same.max_abs == 0 and same.rms == 0 and same.n == 100, "identical curves")
end)

T.test("compare: a dense curve against its log-resampled self, both ways", function()
  local t, y = {}, {}
  for i = 1, 20000 do t[i] = 0.1 * i; y[i] = 0.5 + 0.5 * math.exp(-t[i] / 30) end
  local a = an.series { t_s = t, stress_MPa = y, label = "dense" }
  local b = a:resample_log { per_decade = 10, mode = "interp" }
  local bt, by = b:time(), b:stress()
  -- the error of linear interpolation in ln t on b's own grid: ~1e-3
  local lin, j = 0, 2
  for i = 1, #t do
    while bt[j] < t[i] do j = j + 1 end
    local w = (math.log(t[i]) - math.log(bt[j - 1])) / (math.log(bt[j]) - math.log(bt[j - 1]))
    lin = math.max(lin, math.abs((by[j - 1] + w * (by[j] - by[j - 1])) / by[1] - y[i] / y[1]))
  end
  T.check(lin > 5e-4 and lin < 2e-3, "linear interpolation error " .. lin)
  local ab, ba = a:compare(b), b:compare(a)
  T.check(ab.max_abs == ba.max_abs and ab.rms == ba.rms and ab.n == ba.n and
    ab.t_at_max_s == ba.t_at_max_s, string.format("symmetric: %g %g", ab.max_abs, ba.max_abs))
  -- the union of both grids (first and last times shared)
  T.check(ab.n == #a + #b - 2, "n " .. ab.n)
  -- no more than the interpolation error of b's grid (the cubic: ~3e-5)
  T.check(ab.max_abs > 0 and ab.max_abs < 0.1 * lin, "max_abs " .. ab.max_abs)
  T.check(ab.rms > 0 and ab.rms < ab.max_abs, "rms " .. ab.rms)
  -- a real difference between them is found at its size, either way round:
  -- a dip of 1e-3 (of sigma0) at 100 s
  local yd = {}
  for i = 1, #t do yd[i] = y[i] - 1e-3 * y[1] * math.exp(-math.log(t[i] / 100) ^ 2 / 0.5) end
  local d = an.series { t_s = t, stress_MPa = yd }:resample_log { per_decade = 10, mode = "interp" }
  for _, cmp in ipairs { a:compare(d), d:compare(a) } do
    T.abs(cmp.max_abs, 1e-3, 5e-5, "dip size")
    T.rel(cmp.t_at_max_s, 100, 0.15, "dip time (a broad dip: 1 % off its depth at +-7 %)")
  end
end)

T.test("compare: what bad input gets", function()
  local a = make(10, "a")
  local z = an.series { t_s = { 1, 2, 3 }, stress_MPa = { 0, 1, 2 }, label = "zero" }
  T.raises("compare: series 'zero' (the second): first stress is 0", function() return a:compare(z) end)
  T.raises("compare: series 'zero' (the first): first stress is 0", function() return z:compare(a) end)
  local one = an.series { t_s = { 0.5 }, stress_MPa = { 5 }, label = "one" }
  T.raises("compare: series 'one' (the first) has 1 sample, need >= 2", function() return one:compare(a) end)
  local late = an.series { t_s = { 20, 30 }, stress_MPa = { 1, 1 }, label = "late" }
  T.raises("compare: series 'a' and 'late' share no time range", an.compare, a, late)
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
