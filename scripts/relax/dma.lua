--- relax.dma: dynamic mechanical analysis: isothermal frequency scans,
-- isochronal temperature ramps, and the beta relaxation time from the loss
-- peaks.
--
--   local dma = require "relax.dma"
--   local scan = dma.frequency_scan { frequencies = dma.log_range(0.01, 10, 4),
--                                     amplitude = 5e-4 }
--   local peak = dma.peak_in_frequency(scan)      -- peak.tau_s = 1/(2 pi f_peak)
--
-- Loss peaks and tau_beta: for a Debye beta step of strength f in the
-- modulus, E'' peaks at omega tau_b = 1/(1 - f), so 1/(2 pi f_peak) =
-- (1 - f) tau_b, the same ~0.95 tau_b that a stress relaxation gives as
-- tau_1.  This module reports tau = 1/(2 pi f_peak) (isothermal) or
-- 1/(2 pi f) at T_peak (isochronal) without correction, so that it
-- compares directly with tau_1.

local relax = require "relax"
local analysis = relax.analysis

local dma = {}

--- Frequencies from f_min_Hz to f_max_Hz, per_decade a decade (log spaced,
-- both ends included).
function dma.log_range(f_min_Hz, f_max_Hz, per_decade)
  local n = math.floor(per_decade * math.log(f_max_Hz / f_min_Hz, 10) + 1e-6)
  local list = {}
  for k = 0, n do list[#list + 1] = f_min_Hz * 10 ^ (k / per_decade) end
  return list
end

--- An isothermal frequency scan at the present temperature: oscillates at
-- each frequency with strain amplitude `amplitude` (about the present
-- strain) and measures E', E'' (the instrument waits 3 cycles after each
-- change).  Returns rows {frequency_Hz, storage_MPa, loss_MPa, tan_delta,
-- temperature_K}.  The oscillation is off afterwards.
function dma.frequency_scan(opts)
  local rows = {}
  for _, f in ipairs(opts.frequencies) do
    relax.oscillate(f, opts.amplitude)
    local m = relax.measure_dynamic()
    m.temperature_K = relax.read().temperature_K
    rows[#rows + 1] = m
  end
  relax.oscillate(false)
  return rows
end

--- An isochronal (multi-frequency) temperature ramp: from the present
-- temperature the furnace ramps to to_K at rate_K_per_min while the
-- instrument cycles through `frequencies`, measuring at each (3 cycles
-- after each change).  A measurement is the average of its last two
-- cycles; its temperature is the reading at their centre (interpolated).
-- Returns a table frequency -> rows {temperature_K, storage_MPa, loss_MPa,
-- tan_delta}, and the list of frequencies.
function dma.isochronal(opts)
  local by_f = {}
  for _, f in ipairs(opts.frequencies) do by_f[f] = {} end
  relax.set_temperature(opts.to_K, {rate_K_per_min = opts.rate_K_per_min})
  local rate_K_per_s = opts.rate_K_per_min / 60
  local up = opts.to_K >= relax.read().temperature_K
  local done = false
  while not done do
    for _, f in ipairs(opts.frequencies) do
      relax.oscillate(f, opts.amplitude)
      local m = relax.measure_dynamic()
      local T = relax.read().temperature_K
      -- centre of the last two cycles: one period ago
      m.temperature_K = T - (up and 1 or -1) * rate_K_per_s / f
      local list = by_f[f]
      list[#list + 1] = m
      if (up and T >= opts.to_K - 0.5) or (not up and T <= opts.to_K + 0.5) then done = true end
    end
  end
  relax.oscillate(false)
  return by_f, opts.frequencies
end

local function column(rows, key)
  local out = {}
  for i, r in ipairs(rows) do out[i] = r[key] end
  return out
end
dma.column = column

--- The loss peak of a frequency scan: analysis.loss_peak's table
-- (f_peak_Hz, tau_s = 1/(2 pi f_peak), edge, ...) plus temperature_K (the
-- scan's mean temperature).  nil, message if no peak can be located.
function dma.peak_in_frequency(rows)
  local p, msg = analysis.loss_peak {f_Hz = column(rows, "frequency_Hz"),
                                     loss = column(rows, "loss_MPa")}
  if not p then return nil, msg end
  local sum = 0
  for _, r in ipairs(rows) do sum = sum + r.temperature_K end
  p.temperature_K = sum / #rows
  return p
end

--- The beta loss peak of an isochronal ramp at frequency f_Hz:
-- analysis.loss_peak's table (T_peak_K, tau_s = 1/(2 pi f), edge, ...).
-- The alpha relaxation makes E'' rise without bound towards Tg, so the
-- highest point of a ramp is often its end: the beta peak is the highest
-- interior local maximum, located by analysis.loss_peak on the points
-- within half_width_K (default 8 K) of it.  The result also gives
-- dip_ratio: the lowest E'' after the peak over the peak's E''; a beta peak
-- riding on the alpha background (dip_ratio close to 1) sits at a higher
-- temperature than the beta process alone would put it (by ~3 K at 10 Hz
-- on the La60Ni15Al25 preset).  nil, message if the ramp has no interior
-- maximum.
function dma.peak_in_temperature(rows, f_Hz, half_width_K)
  local hw = half_width_K or 8
  local best
  for i = 2, #rows - 1 do
    local y = rows[i].loss_MPa
    if y >= rows[i - 1].loss_MPa and y >= rows[i + 1].loss_MPa and
       (not best or y > rows[best].loss_MPa) then
      best = i
    end
  end
  if not best then return nil, "no interior maximum of E''" end
  local T0, sub = rows[best].temperature_K, {}
  for _, r in ipairs(rows) do
    if math.abs(r.temperature_K - T0) <= hw then sub[#sub + 1] = r end
  end
  local pk, msg = analysis.loss_peak {T_K = column(sub, "temperature_K"),
                                      loss = column(sub, "loss_MPa"), f_Hz = f_Hz,
                                      half_width = hw}
  if not pk then return nil, msg end
  local low = math.huge
  for i = best, #rows do low = math.min(low, rows[i].loss_MPa) end
  pk.dip_ratio = low / rows[best].loss_MPa
  return pk
end

return dma
