--- relax: the protocol API of relaxrun.
--
-- A protocol is a Lua script that reads like a lab notebook:
--
--   local relax = require "relax"
--   local p = relax.parameters {
--     { "temperature", 315, "K", "Test temperature" },
--     { "strain", 0.006, "1", "Strain step (0.006 = 0.6 %)" },
--   }
--   relax.sample { clamp = "tension", length_mm = 10, width_mm = 2, thickness_mm = 0.03 }
--   relax.heat_to(p.temperature)
--   local curve = relax.load(p.strain, { duration_s = 1800, label = "stage 1" })
--   relax.report("first_stress", curve:stress()[1], "MPa", "Stress 0.5 s after loading")
--
-- Units are in the names: _s, _K, _MPa, _Hz, _K_per_min.  Strain is
-- dimensionless (0.006 = 0.6 %).  Every function raises a Lua error on
-- misuse or when the instrument fails; the engine then drives the instrument
-- to its safe state and keeps the data recorded so far.
--
-- This file is a friendly layer over the raw C functions of "relax.core".

local core = require "relax.core"
-- Recorded segments come back as relax.Series objects (relax.analysis).
local analysis = require "relax.analysis"

local relax = {}

--- The analysis primitives (docs/lua-api-analysis.md).
relax.analysis = analysis

relax.DEFAULT_RATE_Hz = 10          -- the paper's 10 points/s
relax.DEFAULT_HEATING_K_per_min = 5

local function check_number(value, what, level)
  if type(value) ~= "number" or value ~= value then
    error(("%s must be a number, got %s"):format(what, tostring(value)), (level or 2) + 1)
  end
  return value
end

local function check_options(opts, allowed, fname)
  opts = opts or {}
  if type(opts) ~= "table" then
    error(fname .. ": options must be a table", 3)
  end
  for k in pairs(opts) do
    if not allowed[k] then
      local names = {}
      for name in pairs(allowed) do names[#names + 1] = name end
      table.sort(names)
      error(("%s: unknown option '%s' (known: %s)"):format(fname, tostring(k),
            table.concat(names, ", ")), 3)
    end
  end
  return opts
end

--- Describes the protocol: shown by `relaxrun --describe`, kept in the
-- manifest and the event log.
function relax.describe(text)
  if type(text) ~= "string" then error("describe: expects a string", 2) end
  core.describe(text)
end

--- Declares the protocol's parameters, in order.  Each entry is
-- { name, default, unit, description }.  A user overrides one on the command
-- line as name=value; unknown names and non-numbers are refused.
-- Returns a table name -> value.
function relax.parameters(list)
  if type(list) ~= "table" then error("parameters: expects a list of entries", 2) end
  local values = {}
  for i, entry in ipairs(list) do
    local name, default, unit, description = entry[1], entry[2], entry[3], entry[4]
    if type(name) ~= "string" then
      error(("parameters: entry %d needs a name first"):format(i), 2)
    end
    check_number(default, ("parameter '%s': the default"):format(name), 2)
    if type(unit) ~= "string" then
      error(("parameter '%s' needs a unit (a string, \"1\" for none)"):format(name), 2)
    end
    values[name] = core.param(name, default, unit, description or "")
  end
  core.check_parameters()
  return setmetatable(values, {
    __index = function(_, k) error(("no parameter named '%s'"):format(tostring(k)), 2) end,
  })
end

--- Clamp mode and sample geometry.
-- opts: clamp ("tension", "single_cantilever", "dual_cantilever",
-- "compression"), length_mm, width_mm, thickness_mm.
function relax.sample(opts)
  opts = check_options(opts, {clamp = true, length_mm = true, width_mm = true,
                              thickness_mm = true}, "sample")
  if opts.clamp then core.clamp(opts.clamp) end
  if opts.length_mm or opts.width_mm or opts.thickness_mm then
    core.geometry(check_number(opts.length_mm, "length_mm"),
                  check_number(opts.width_mm, "width_mm"),
                  check_number(opts.thickness_mm, "thickness_mm"))
  end
end

local function go_to(T_K, opts, fname)
  opts = check_options(opts, {rate_K_per_min = true, timeout_s = true}, fname)
  check_number(T_K, fname .. ": the temperature", 2)
  core.set_temperature(T_K, opts.rate_K_per_min or relax.DEFAULT_HEATING_K_per_min)
  return core.wait_stable(opts.timeout_s)
end

--- Sets the furnace to T_K and waits until the temperature is stable
-- (the instrument's own criterion: within 0.1 K for 60 s).
-- opts: rate_K_per_min (heating/cooling rate, default 5), timeout_s.
-- Returns the time it took to stabilise, in s.
function relax.heat_to(T_K, opts) return go_to(T_K, opts, "heat_to") end

--- The same, for cooling.
function relax.cool_to(T_K, opts) return go_to(T_K, opts, "cool_to") end

--- Sets the furnace without waiting (for ramps).
function relax.set_temperature(T_K, opts)
  opts = check_options(opts, {rate_K_per_min = true}, "set_temperature")
  core.set_temperature(check_number(T_K, "set_temperature: the temperature"),
                       opts.rate_K_per_min or 0)
end

--- Waits until the temperature is stable; returns the wait in s.
function relax.stabilise(opts)
  opts = check_options(opts, {timeout_s = true}, "stabilise")
  return core.wait_stable(opts.timeout_s)
end
relax.stabilize = relax.stabilise

--- Lets duration_s pass (an isothermal anneal, a stabilisation); nothing is
-- recorded.
function relax.hold(duration_s, what)
  check_number(duration_s, "hold: the duration")
  core.hold(duration_s, what)
end

--- Steps the strain to `strain` and records the relaxation for duration_s
-- at rate_Hz.  The first sample comes 0.5 s after the step, as on the
-- paper's instrument.  Returns the recorded series (time since the step).
-- opts: duration_s (required), rate_Hz (default 10), label.
function relax.step(strain, opts)
  opts = check_options(opts, {duration_s = true, rate_Hz = true, label = true}, "step")
  check_number(strain, "step: the strain")
  local duration = check_number(opts.duration_s, "step: duration_s")
  return core.relaxation(strain, duration, opts.rate_Hz or relax.DEFAULT_RATE_Hz,
                         opts.label or ("strain " .. strain))
end

--- Loading: a step to `strain` (0.006 = 0.6 %), recorded.
function relax.load(strain, opts)
  return relax.step(strain, opts)
end

--- Unloading: a step back to zero strain, recorded.
function relax.unload(opts)
  return relax.step(0, opts)
end

--- Sets the strain without recording.
function relax.set_strain(strain)
  core.set_strain(check_number(strain, "set_strain: the strain"))
end

--- Reports a named result with its unit; it goes to results.csv, the
-- manifest and the summary.  value: a number, a string or a boolean.
function relax.report(name, value, unit, description)
  if type(value) == "number" then
    if type(unit) ~= "string" then
      error(("report '%s': a number needs a unit (\"1\" for none)"):format(name), 2)
    end
    core.result(name, value, unit, description or "")
  else
    core.result(name, value, "", description or unit or "")
  end
end

--- Reports a table (RUNDIR/tables/NAME.csv): column names carry their units.
--   relax.table("tau", {"temperature_K", "tau_1_s"}, {{315, 21.7}, {320, 12.1}})
function relax.table(name, columns, rows)
  core.table(name, columns, rows)
end

--- Asks the report for a plot (drawn after the run; see docs/lua-api.md for
-- the kinds), e.g.
--   relax.plot { kind = "arrhenius", table = "tau", x = "temperature_K",
--                y = "tau_1_s", title = "tau_1 of the beta relaxation" }
local plot_kinds = { relaxation = true, overlay = true, derivative = true, arrhenius = true,
                     xy = true }
function relax.plot(spec)
  if type(spec) ~= "table" or type(spec.kind) ~= "string" then
    error("plot: expects a table with a kind", 2)
  end
  if not plot_kinds[spec.kind] then
    error(("plot: unknown kind '%s' (relaxation, overlay, derivative, arrhenius, xy)")
          :format(spec.kind), 2)
  end
  core.plot(spec)
end

--- What a pause does.  With a policy set, the first Ctrl-C (or
-- `relaxrun pause RUNDIR`) pauses at the next safe point instead of aborting;
-- a second Ctrl-C aborts to the safe state.
--   policy: "hold" (keep temperature and strain) or "unload" (strain 0,
--           oscillation off, temperature held)
--   resume: "continue" (a hold goes on for its remaining time) or "restart"
--           (the step starts again).  A recording interrupted by an unload
--           always restarts.
-- The user's --pause on the command line wins over the protocol's policy.
function relax.on_pause(opts)
  opts = check_options(opts, {policy = true, resume = true}, "on_pause")
  core.pause_policy(opts.policy or "hold", opts.resume or "continue")
end

--- The specimen: relax.specimen{ id = "LA-07", fresh = true }.  id names it
-- (the command line's --specimen ID wins); fresh = true says the protocol
-- assumes a fresh sample, and relaxrun warns when the specimen's history
-- (kept across runs, `relaxrun sample ID`) shows anneals or loadings.
-- Returns true when the specimen has no recorded history.
function relax.specimen(opts)
  opts = check_options(opts, {id = true, fresh = true}, "specimen")
  return core.specimen(opts.id, opts.fresh)
end

--- A note in the event log.
function relax.note(text) core.log(tostring(text)) end

--- Instrument time now, in s.
relax.now = core.now

--- Current readings: temperature_K, strain, stress_MPa.
function relax.read()
  local T, e, s = core.read()
  return {temperature_K = T, strain = e, stress_MPa = s}
end

--- The limits the run works under (device limits, narrowed by the lab's).
relax.limits = core.limits

--- The instrument's identification string.
relax.identity = core.identity

--- True when the instrument is the simulator.
relax.is_simulated = core.is_simulated

--- Simulator only: overrides material parameters, e.g.
-- relax.material { A_beta = 0.06, chi = 0.5 }.  Ignored on hardware.
function relax.material(params)
  -- In a fixed (sorted) order: the same protocol makes the same calls.
  local keys = {}
  for key in pairs(params) do keys[#keys + 1] = key end
  table.sort(keys)
  for _, key in ipairs(keys) do
    core.sim_set("material." .. key, check_number(params[key], "material." .. key))
  end
end

--- Simulator only: any simulator setting (noise, faults), e.g.
-- relax.simulator { noise = 0 }.  Ignored on hardware.
function relax.simulator(settings)
  local keys = {}
  for key in pairs(settings) do keys[#keys + 1] = key end
  table.sort(keys)
  for _, key in ipairs(keys) do
    core.sim_set(key, check_number(settings[key], key))
  end
end

--- Dynamic mode: oscillate at freq_Hz with strain amplitude about the
-- present strain; relax.oscillate(false) stops.
function relax.oscillate(freq_Hz, amplitude)
  if freq_Hz == false then return core.oscillate(false) end
  core.oscillate(check_number(freq_Hz, "oscillate: the frequency"),
                 check_number(amplitude, "oscillate: the amplitude"))
end

--- Waits for and returns a dynamic measurement:
-- { frequency_Hz, storage_MPa, loss_MPa, tan_delta }.
function relax.measure_dynamic(opts)
  opts = check_options(opts, {timeout_s = true}, "measure_dynamic")
  return core.measure_dynamic(opts.timeout_s)
end

--- Normalised stress sigma/sigma0 of a series (sigma0: first recorded sample),
-- as a Lua array.
function relax.normalised(series)
  local stress = series:stress()
  local s0 = stress[1]
  if not s0 or s0 == 0 then error("normalised: the series has no first stress", 2) end
  local out = {}
  for i = 1, #stress do out[i] = stress[i] / s0 end
  return out
end

--- Largest and RMS difference between two normalised curves recorded on
-- the same time grid (common length).
function relax.compare(a, b)
  local na, nb = relax.normalised(a), relax.normalised(b)
  local n = math.min(#na, #nb)
  if n == 0 then error("compare: empty series", 2) end
  local max, sum = 0, 0
  for i = 1, n do
    local d = math.abs(na[i] - nb[i])
    if d > max then max = d end
    sum = sum + d * d
  end
  return max, math.sqrt(sum / n)
end

return relax
