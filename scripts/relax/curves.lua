--- relax.curves: normalisation, log-time binning, noise and comparison of
-- recorded relaxation curves (relax.Series).
--
--   local curves = require "relax.curves"
--   local c = curves.normalise(series)          -- {t = {...}, y = {...}, sigma0_MPa = ...}
--   local noise = curves.noise(c)               -- rms load-cell noise, in units of sigma0
--   local d = curves.compare(stage3, stage5)    -- {max_abs, rms, t_at_max_s, noise, ...}
--
-- Conventions (docs/protocols.md, "Comparing curves"):
-- * sigma0 is the stress at the first sample (0.5 s after the strain step),
--   read off a least-squares straight line through the samples of the first
--   5 s: a single sample carries the full load-cell noise, which would turn
--   into a difference of scale between two curves.
-- * The noise level is the rms of the load-cell noise of one sample, in
--   units of sigma0, estimated from the data by second differences
--   (y[i-1] - 2 y[i] + y[i+1] has variance 6 s^2 for white noise, and the
--   smooth relaxation contributes nothing measurable at 10 points/s).
-- * Curves are compared after averaging onto a log-time grid (10 bins a
--   decade, neighbouring bins merged until each holds >= 10 samples), so
--   white noise shrinks and what is left is the curves' difference plus
--   the load cell's slow drift.

local curves = {}

local sqrt, log, abs = math.sqrt, math.log, math.abs

--- sigma0 of a series: the stress at its first sample time, from a straight
-- line through the samples of the first `fit_s` seconds (default 5 s;
-- at least 3 samples are used).  Returns sigma0_MPa and the time t0_s.
function curves.sigma0(series, fit_s)
  if #series == 0 then error("sigma0: the series is empty", 2) end
  local t0 = series:at(1)
  local tmax = t0 + (fit_s or 5)
  -- (series:at(k)) is its time alone: at returns time, stress, T, strain
  local head = series:slice(t0, math.max(tmax, (series:at(math.min(3, #series)))))
  local t, s = head:time(), head:stress()
  local n, st, ss, stt, sts = 0, 0, 0, 0, 0
  for i = 1, #t do
    if t[i] > tmax and n >= 3 then break end
    local x = t[i] - t0
    n, st, ss, stt, sts = n + 1, st + x, ss + s[i], stt + x * x, sts + x * s[i]
  end
  local det = n * stt - st * st
  if n < 3 or det <= 0 then return s[1], t0 end
  local intercept = (ss * stt - st * sts) / det
  return intercept, t0
end

--- The normalised curve of a series: {t = times (s, > 0), y = sigma/sigma0,
-- sigma0_MPa, label}.  Accepts a curve table too (returned unchanged).
function curves.normalise(series)
  if type(series) == "table" and series.y then return series end
  local s0 = curves.sigma0(series)
  if not (s0 ~= 0 and s0 == s0) then
    error(("normalise: series '%s' has no usable first stress"):format(series.label), 2)
  end
  local t, s = series:time(), series:stress()
  local ct, cy = {}, {}
  for i = 1, #t do
    if t[i] > 0 then
      ct[#ct + 1] = t[i]
      cy[#cy + 1] = s[i] / s0
    end
  end
  return {t = ct, y = cy, sigma0_MPa = s0, label = series.label}
end

--- The rms noise of one sample, in units of sigma0 (see above).  For a
-- relax.Series, from its last 100 s (at least 10 samples), where the curve
-- is smoothest; for a curve table, from all of it.
function curves.noise(curve)
  local y
  if type(curve) == "userdata" then
    local n = #curve
    if n < 3 then return 0 end
    local t_end = curve:at(n)
    local tail = curve:slice(math.min(t_end - 100, (curve:at(math.max(1, n - 10)))), t_end)
    local s0 = curves.sigma0(curve)
    y = tail:stress()
    for i = 1, #y do y[i] = y[i] / s0 end
  else
    y = curves.normalise(curve).y
  end
  local sum, n = 0, 0
  for i = 2, #y - 1 do
    local d = y[i - 1] - 2 * y[i] + y[i + 1]
    sum, n = sum + d * d, n + 1
  end
  if n == 0 then return 0 end
  return sqrt(sum / n / 6)
end

--- Log-time bins of a curve: {t = mean times, y = means, n = counts,
-- first = time of each bin's first sample, last = of its last sample}.
-- opts: per_decade (default 20), min_count (merge a bin with the next ones
-- until it holds this many samples; default 1), t_min_s, t_max_s.
function curves.bin(curve, opts)
  local c = curves.normalise(curve)
  opts = opts or {}
  local per = opts.per_decade or 20
  local min_count = opts.min_count or 1
  local tmin, tmax = opts.t_min_s or 0, opts.t_max_s or math.huge
  local out = {t = {}, y = {}, n = {}, first = {}, last = {}}
  local h = log(10) / per
  local l0
  local cur, st, sy, cnt, t_first, t_last = nil, 0, 0, 0, nil, nil
  local function flush()
    if cnt > 0 then
      local k = #out.t + 1
      out.t[k], out.y[k], out.n[k] = st / cnt, sy / cnt, cnt
      out.first[k], out.last[k] = t_first, t_last
    end
    st, sy, cnt = 0, 0, 0
  end
  for i = 1, #c.t do
    local x = c.t[i]
    if x >= tmin and x <= tmax then
      l0 = l0 or log(x)
      local k = math.floor((log(x) - l0) / h)
      if k ~= cur and cnt >= min_count then flush() end
      cur = k
      if cnt == 0 then t_first = x end
      t_last = x
      st, sy, cnt = st + x, sy + c.y[i], cnt + 1
    end
  end
  -- A short last bin joins the one before it.
  if cnt > 0 and cnt < min_count and #out.t > 0 then
    local k = #out.t
    local n = out.n[k]
    out.t[k] = (out.t[k] * n + st) / (n + cnt)
    out.y[k] = (out.y[k] * n + sy) / (n + cnt)
    out.n[k] = n + cnt
    out.last[k] = t_last
  else
    flush()
  end
  return out
end

--- Linear-time bins of a curve: means over consecutive intervals of
-- width_s (from the first sample on).  Returns {t = mean times, y = means,
-- n = counts}.  A fit to these weighs every part of the record by its
-- length, like a least-squares fit of all the samples, at a fraction of
-- the cost.
function curves.bin_linear(curve, width_s)
  local c = curves.normalise(curve)
  local out = {t = {}, y = {}, n = {}}
  local t0 = c.t[1]
  local cur, st, sy, cnt = nil, 0, 0, 0
  for i = 1, #c.t do
    local k = math.floor((c.t[i] - t0) / width_s)
    if k ~= cur and cnt > 0 then
      local j = #out.t + 1
      out.t[j], out.y[j], out.n[j] = st / cnt, sy / cnt, cnt
      st, sy, cnt = 0, 0, 0
    end
    cur = k
    st, sy, cnt = st + c.t[i], sy + c.y[i], cnt + 1
  end
  if cnt > 0 then
    local j = #out.t + 1
    out.t[j], out.y[j], out.n[j] = st / cnt, sy / cnt, cnt
  end
  return out
end

--- Log-time bins of a relax.Series computed in C (series:resample_log):
-- {t = mean times, y = means of sigma/sigma0}, per_decade bins a decade
-- (default 20) over t_min_s .. t_max_s (default: all).  The fast path of
-- curves.bin for long records; a curve table goes through curves.bin.
function curves.log_bins(curve, opts)
  opts = opts or {}
  if type(curve) ~= "userdata" then return curves.bin(curve, opts) end
  local s0 = curves.sigma0(curve)
  local r = curve:resample_log {per_decade = opts.per_decade or 20, mode = "mean",
                                t_min_s = opts.t_min_s, t_max_s = opts.t_max_s}
  local t, y = r:time(), r:stress()
  for i = 1, #y do y[i] = y[i] / s0 end
  return {t = t, y = y, label = curve.label}
end

--- Mean of sigma/sigma0 over t0_s <= t <= t1_s; returns mean and count.
function curves.mean_between(curve, t0_s, t1_s)
  local c = curves.normalise(curve)
  local sum, n = 0, 0
  for i = 1, #c.t do
    local x = c.t[i]
    if x >= t0_s and x <= t1_s then sum, n = sum + c.y[i], n + 1 end
    if x > t1_s then break end
  end
  if n == 0 then
    error(("mean_between: no samples between %g and %g s"):format(t0_s, t1_s), 2)
  end
  return sum / n, n
end

--- Value of sigma/sigma0 near time t_s: the mean over t_s/w .. t_s*w
-- (w = 10^(half_decades), default half_decades = 0.05, i.e. +- 12 %).
function curves.at(curve, t_s, half_decades)
  local w = 10 ^ (half_decades or 0.05)
  return curves.mean_between(curve, t_s / w, t_s * w)
end

--- Decay of sigma/sigma0 between t1_s and t2_s: y(t1) - y(t2), each
-- averaged over +- 12 % in time.
function curves.decay_between(curve, t1_s, t2_s)
  return curves.at(curve, t1_s) - curves.at(curve, t2_s)
end

--- Compares two curves on a common log-time grid (10 bins a decade, each
-- with >= 10 samples of curve a; curve b averaged over the same time
-- intervals, which hold the same samples when both were recorded on the
-- same grid, as relax.step records them).  Returns {max_abs, rms, t_at_max_s, bins, noise}, where
-- noise is the larger of the two curves' noise levels (curves.noise) and
-- differences are a - b of sigma/sigma0.
-- opts: per_decade, min_count, t_min_s, t_max_s.
function curves.compare(a, b, opts)
  opts = opts or {}
  local ca, cb = curves.normalise(a), curves.normalise(b)
  local ba = curves.bin(ca, {per_decade = opts.per_decade or 10,
                             min_count = opts.min_count or 10,
                             t_min_s = opts.t_min_s, t_max_s = opts.t_max_s})
  -- Bin edges: midway between one bin's last sample and the next's first.
  local max_abs, ss, tmax, nb = 0, 0, nil, 0
  local j = 1
  for k = 1, #ba.t do
    local lo = k == 1 and 0 or (ba.last[k - 1] + ba.first[k]) / 2
    local hi = k == #ba.t and ba.last[k] * (1 + 1e-9) or (ba.last[k] + ba.first[k + 1]) / 2
    local sum, n = 0, 0
    while j <= #cb.t and cb.t[j] < lo do j = j + 1 end
    local jj = j
    while jj <= #cb.t and cb.t[jj] < hi do
      sum, n = sum + cb.y[jj], n + 1
      jj = jj + 1
    end
    if n > 0 then
      local d = ba.y[k] - sum / n
      ss, nb = ss + d * d, nb + 1
      if abs(d) >= max_abs then max_abs, tmax = abs(d), ba.t[k] end
    end
  end
  if nb == 0 then error("compare: the curves have no common time range", 2) end
  return {max_abs = max_abs, rms = sqrt(ss / nb), t_at_max_s = tmax, bins = nb,
          noise = math.max(curves.noise(ca), curves.noise(cb))}
end

--- Extra decay of curve `first` over a reference curve `ref` between t1_s
-- and t2_s: how much more sigma/sigma0 falls from t1 to t2 in `first`
-- (positive: an extra, e.g. aging, decay).  Returns the value and its
-- white-noise standard error (noise level x sqrt(sum 1/n) of the four
-- averages).
function curves.extra_decay(first, ref, t1_s, t2_s)
  local cf, cr = curves.normalise(first), curves.normalise(ref)
  local w = 10 ^ 0.05
  local f1, n1 = curves.mean_between(cf, t1_s / w, t1_s * w)
  local f2, n2 = curves.mean_between(cf, t2_s / w, t2_s * w)
  local r1, m1 = curves.mean_between(cr, t1_s / w, t1_s * w)
  local r2, m2 = curves.mean_between(cr, t2_s / w, t2_s * w)
  local noise = math.max(curves.noise(cf), curves.noise(cr))
  local extra = (f1 - f2) - (r1 - r2)
  return extra, noise * sqrt(1 / n1 + 1 / n2 + 1 / m1 + 1 / m2)
end

return curves
