-- test_cli.lua - scripts/analyze.lua (relaxrun analyze) on recorded CSV files of simulated
-- La60Ni15Al25 relaxations (315 .. 345 K, noise 2e-4 sigma0), written in
-- the recorder's format: the Arrhenius fit of tau_1 gives 83 +- 2 kJ/mol.
local T = require "testlib"
local an = require "relax.analysis"
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local script = here .. "/../../scripts/analyze.lua"
-- The script reports through relax; here a stand-in keeps the analysis real.
package.preload["relax"] = function()
  local none = function() end
  return { analysis = an, report = none, table = none, plot = none }
end
local R = 8.314462618

local function write_csv(path, T_K, seed)
  local tb = 3.942e-13 * math.exp(83000 / (R * T_K))
  local p = { E_el = 1, A_beta = 0.05263, tau_beta_s = tb, A = 1.5, chi = 0.44,
              tau_alpha_s = an.eq1_tau_alpha(tb, 3.503e-7, 0.44) }
  local t = {}
  for i = 1, 19996 do t[i] = 0.5 + 0.1 * (i - 1) end
  local E = an.eq2_relaxation(p, t)
  math.randomseed(seed)
  local f = assert(io.open(path, "w"))
  f:write("time_s,step_time_s,temperature_K,strain_m_per_m,stress_MPa\n")
  local lines = {}
  for i = 1, #t do
    local g = math.sqrt(-2 * math.log(1 - math.random())) * math.cos(2 * math.pi * math.random())
    local stress = 240 * (E[i] + 2e-4 * E[1] * g)
    lines[#lines + 1] = string.format("%.3f,%.3f,%.3f,%.6f,%.6f", 5000 + t[i], t[i],
      T_K + 0.01 * g, 0.006, stress)
  end
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
end

T.test("analyze.lua on seven recorded files", function()
  local files = {}
  for k = 0, 6 do
    files[#files + 1] = string.format("relax_%d_K.csv", 315 + 5 * k)
    write_csv(files[#files], 315 + 5 * k, 11 + k)
  end
  local main = assert(loadfile(script, "t"))
  local out = main("t_min_s=0.5", table.unpack(files))
  T.check(#out.files == 7, "seven files")
  for _, r in ipairs(out.files) do T.check(r.fit.two_step, r.file .. ": " .. r.fit.verdict) end
  T.abs(out.arrhenius.E_kJ_per_mol, 83, 2, "E from the command line")
end)

T.test("a malformed file stops the script with its name and line", function()
  local f = assert(io.open("broken.csv", "w"))
  f:write("time_s,step_time_s,temperature_K,strain_m_per_m,stress_MPa\n1,0.5,315,0.006,240\n2,0.6,315\n")
  f:close()
  local main = assert(loadfile(script, "t"))
  T.raises("broken.csv:3: 3 fields, the header has 5", main, "broken.csv")
  T.raises("option t_min_s: 'x' is not a number", main, "t_min_s=x", "broken.csv")
end)

T.summary()
