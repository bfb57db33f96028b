--- relax.summary: reporting rows of results as tables, results and plots.
--
--   local summary = require "relax.summary"
--   summary.table("relaxation_times", rows, {
--     {"temperature_K", "temperature_K"},
--     {"tau_1_s", "tau_1_s"},
--     {"two_step", function(row) return row.two_step and 1 or 0 end},
--   })
--   summary.arrhenius("tau_1", fit, "tau_1 of the beta relaxation")
--
-- A row is a Lua table of named values (e.g. relax.decay.analyse's
-- result); a column is {name with unit, key or function(row) -> number}.
-- Missing values are written as NaN (the plots skip them).

local relax = require "relax"

local summary = {}

local NAN = -(0 / 0) -- (0/0 prints as -nan)

local function value_of(row, getter)
  local v
  if type(getter) == "function" then v = getter(row) else v = row[getter] end
  if v == true then return 1 elseif v == false then return 0 end
  if type(v) ~= "number" then return NAN end
  return v
end

--- Writes rows as table `name` (RUNDIR/tables/NAME.csv).
function summary.table(name, rows, columns)
  local names, data = {}, {}
  for j, col in ipairs(columns) do names[j] = col[1] end
  for i, row in ipairs(rows) do
    local r = {}
    for j, col in ipairs(columns) do r[j] = value_of(row, col[2]) end
    data[i] = r
  end
  relax.table(name, names, data)
end

--- A temperature as part of a result name: 315 -> "315K", 357.5 -> "357p5K".
function summary.kelvin(T_K)
  return (("%g"):format(T_K):gsub("%.", "p"):gsub("-", "m")) .. "K"
end

--- Reports the Arrhenius fit `a` (relax.decay.arrhenius) of quantity `what`
-- as results activation_energy_WHAT_kJ_per_mol (+ se) and WHAT_tau0_s.
function summary.arrhenius(what, a, description)
  relax.report(("activation_energy_%s_kJ_per_mol"):format(what), a.E_kJ_per_mol,
               "kJ/mol", ("Arrhenius activation energy of %s"):format(description or what))
  relax.report(("activation_energy_%s_se_kJ_per_mol"):format(what), a.se_E_kJ_per_mol,
               "kJ/mol", "Its standard error")
  relax.report(("%s_tau0_s"):format(what), a.tau0_s, "s",
               ("Arrhenius prefactor of %s"):format(description or what))
  relax.report(("%s_arrhenius_points"):format(what), #a.points.T_K, "1",
               "Temperatures in the Arrhenius fit")
end

--- Reports the temperatures of `rows` where test(row) holds (and where it
-- does not) as two text results: "315 320 325 K".
function summary.temperatures(name, rows, test, description)
  local yes, no = {}, {}
  for _, row in ipairs(rows) do
    local list = test(row) and yes or no
    list[#list + 1] = ("%g"):format(row.temperature_K)
  end
  relax.report(name .. "_at_K", #yes > 0 and table.concat(yes, " ") or "none",
               description)
  relax.report(name .. "_not_at_K", #no > 0 and table.concat(no, " ") or "none",
               "Temperatures where it does not hold")
  return yes, no
end

--- Logs one line per row (shown with -v and kept in events.log).
function summary.note_row(row)
  relax.note(("%s: tau_1 = %s s, beta decay %s, %s"):format(row.label or "?",
    row.tau_1_s and ("%.4g"):format(row.tau_1_s) or "-",
    row.beta_decay and ("%.4f"):format(row.beta_decay) or "-",
    row.verdict or ""))
end

return summary
