--- relax.sweep: temperature sweeps of isothermal stress relaxations.
--
--   local sweep = require "relax.sweep"
--   local rows = sweep.isothermal {
--     temperatures = sweep.range(315, 410, 5),
--     stabilise_s = 1800, strain = 0.006, duration_s = 2000, rate_Hz = 10,
--   }
--   -- rows[i]: relax.decay.analyse's table + temperature_K, label, series
--
-- At each temperature: heat (or cool) to it and wait until the instrument
-- reports it stable, hold for the stabilisation time, step the strain and
-- record the relaxation, step the strain back to 0 (not recorded), and
-- analyse the curve.  The recorded segments are labelled "T = 315 K" etc.

local relax = require "relax"
local decay = require "relax.decay"

local sweep = {}

--- Temperatures from from_K to to_K (inclusive, within 1e-6 K) in steps of
-- step_K (negative for a cooling sweep).
function sweep.range(from_K, to_K, step_K)
  if not (step_K ~= 0 and (to_K - from_K) / step_K >= -1e-9) then
    error(("range: cannot go from %g K to %g K in steps of %g K"):format(from_K, to_K, step_K), 2)
  end
  local list, n = {}, math.floor((to_K - from_K) / step_K + 1e-6)
  for k = 0, n do list[#list + 1] = from_K + k * step_K end
  return list
end

--- The label of the segment recorded at T_K: "T = 315 K".
function sweep.label(T_K)
  return ("T = %g K"):format(T_K)
end

--- Goes to T_K (heating or cooling at rate_K_per_min), waits until stable,
-- then holds stabilise_s.
function sweep.settle(T_K, stabilise_s, rate_K_per_min)
  relax.heat_to(T_K, {rate_K_per_min = rate_K_per_min})
  if stabilise_s and stabilise_s > 0 then
    relax.hold(stabilise_s, ("stabilisation at %g K"):format(T_K))
  end
end

--- One isothermal relaxation at T_K: settle, load, record, unload,
-- analyse.  opts as for sweep.isothermal.  Returns the row.
function sweep.relaxation_at(T_K, opts)
  sweep.settle(T_K, opts.stabilise_s, opts.heating_K_per_min)
  local label = (opts.label or sweep.label)(T_K)
  local function at_T(v) if type(v) == "function" then return v(T_K) end return v end
  local series = relax.load(opts.strain, {duration_s = at_T(opts.duration_s),
                                          rate_Hz = opts.rate_Hz, label = label})
  relax.set_strain(0)
  local recover = at_T(opts.recover_s)
  if recover and recover > 0 then relax.hold(recover, "unloaded recovery") end
  local row
  if opts.analyse then row = opts.analyse(series, T_K) or {}
  else row = decay.analyse(series) end
  row.temperature_K, row.label = row.temperature_K or T_K, label
  if opts.keep_series then row.series = series end
  return row
end

--- An isothermal sweep.  opts:
--   temperatures   list of K (sweep.range)
--   stabilise_s    hold after the temperature is stable (default 1800)
--   heating_K_per_min  furnace rate between temperatures (default relax's)
--   strain         strain step (default 0.006)
--   duration_s     record length (default 2000; or a function T_K -> s)
--   rate_Hz        sampling rate (default 10)
--   recover_s      unloaded hold after each record (default 0; or a
--                  function T_K -> s), e.g. near Tg, where the stress
--                  left by unloading would otherwise relax into the next
--                  record
--   label          function T_K -> segment label (default sweep.label)
--   analyse        function(series, T_K) -> row (default relax.decay.analyse)
--   keep_series    keep each row's series in row.series (default false)
--   on_row         function(row) called after each temperature
-- Returns the rows, in order.
function sweep.isothermal(opts)
  opts.stabilise_s = opts.stabilise_s or 1800
  opts.strain = opts.strain or 0.006
  opts.duration_s = opts.duration_s or 2000
  opts.rate_Hz = opts.rate_Hz or relax.DEFAULT_RATE_Hz
  local rows = {}
  for _, T in ipairs(opts.temperatures) do
    local row = sweep.relaxation_at(T, opts)
    rows[#rows + 1] = row
    if opts.on_row then opts.on_row(row) end
  end
  return rows
end

--- Adaptive refinement: finds where a property of the decay changes
-- between two temperatures by bisection.  opts:
--   low_K, high_K   the bracket: test(row) differs at the two ends
--   resolution_K    stop when the bracket is this narrow
--   measure         function(T_K) -> row (e.g. sweep.relaxation_at)
--   test            function(row) -> boolean (e.g. row.two_step)
--   low_row, high_row  rows already measured at the ends (optional)
-- Returns the bracket {low_K, high_K} and the rows measured, in order.
function sweep.bisect(opts)
  local lo, hi = opts.low_K, opts.high_K
  local rows = {}
  local function at(T, given)
    local row = given or opts.measure(T)
    if not given then rows[#rows + 1] = row end
    return opts.test(row)
  end
  local v_lo, v_hi = at(lo, opts.low_row), at(hi, opts.high_row)
  if v_lo == v_hi then
    error(("bisect: the test gives %s at both %g K and %g K"):format(tostring(v_lo), lo, hi), 2)
  end
  while hi - lo > opts.resolution_K do
    local mid = (lo + hi) / 2
    if at(mid) == v_lo then lo = mid else hi = mid end
  end
  return {low_K = lo, high_K = hi}, rows
end

return sweep
