-- analyze.lua - the paper's numbers from recorded CSV files:
--
--   relaxrun analyze [t_min_s=0.5] [t_max_s=2000] FILE.csv ...
--
-- For each file (a segment the recorder wrote, or any CSV with time and
-- stress columns) the two-step fit (tau_1, tau_2, amplitudes with standard
-- errors, the two-step verdict) and the peaks of -d(sigma/sigma0)/d ln t;
-- with three or more two-step files at different temperatures, the
-- Arrhenius fit of tau_1.  The results go to the run directory (results.csv,
-- tables/twostep.csv) as well as to the terminal; called from Lua, it
-- returns { files = { {file, T_K, fit, deriv}, ... }, arrhenius = ... }.
local relax = require "relax"
local an = relax.analysis

local opts, files = {}, {}
for _, a in ipairs { ... } do
  local k, v = a:match("^([%w_]+)=(.*)$")
  if k then
    opts[k] = tonumber(v) or error("option " .. k .. ": '" .. v .. "' is not a number", 0)
  else
    files[#files + 1] = a
  end
end
if #files == 0 then error("usage: relaxrun analyze [t_min_s=S] [t_max_s=S] FILE.csv ...", 0) end

local rows, Ts, taus, results = {}, {}, {}, { files = {} }
print(string.format("%-28s %8s %10s %9s %10s %7s %7s  %s", "file", "T_K", "tau_1_s",
  "se_tau_1", "tau_2_s", "a1", "a2", "verdict"))
for i, path in ipairs(files) do
  local s, msg = an.read_csv(path)
  if not s then error(msg, 0) end
  local temps, T_K, n = s:temperature(), 0, 0
  for _, v in ipairs(temps) do if v == v then T_K = T_K + v; n = n + 1 end end
  T_K = n > 0 and T_K / n or 0 / 0
  local r, err = s:twostep { t_min_s = opts.t_min_s, t_max_s = opts.t_max_s }
  if not r then error(path .. ": " .. err, 0) end
  local d = s:logderiv { t_min_s = opts.t_min_s, t_max_s = opts.t_max_s }
  print(string.format("%-28s %8.2f %10.4g %9.2g %10.4g %7.4f %7.4f  %s", path:match("[^/]*$"),
    T_K, r.tau_1_s, r.se_tau_1_s, r.tau_2_s, r.a1, r.a2, r.verdict))
  for k, p in ipairs(d.peaks) do
    print(string.format("%28s peak %d of -dsigma/dln t at %.4g s, height %.4g%s", "", k,
      p.t_s, p.height, p.near_edge and " (within a decade of an end: biased)" or ""))
  end
  relax.report("tau_1_file" .. i, r.tau_1_s, "s", "tau_1 of the two-step fit of " .. path)
  relax.report("verdict_file" .. i, r.verdict, "two-step or single-step: " .. path)
  rows[#rows + 1] = { T_K, r.tau_1_s, r.se_tau_1_s, r.tau_2_s, r.a1, r.a2, r.two_step and 1 or 0 }
  results.files[i] = { file = path, T_K = T_K, fit = r, deriv = d }
  if r.two_step and T_K == T_K then
    Ts[#Ts + 1], taus[#taus + 1] = T_K, r.tau_1_s
  end
end
relax.table("twostep", { "temperature_K", "tau_1_s", "se_tau_1_s", "tau_2_s", "a1", "a2",
  "two_step" }, rows)
if #Ts >= 3 then
  local arr = an.arrhenius { T_K = Ts, tau_s = taus }
  results.arrhenius = arr
  print(string.format("Arrhenius of tau_1 over %d two-step files: E = %.2f +- %.2f kJ/mol, "
    .. "ln(tau0/s) = %.2f +- %.2f (correlation %.4f)", #Ts, arr.E_kJ_per_mol,
    arr.se_E_kJ_per_mol, arr.ln_tau0, arr.se_ln_tau0, arr.corr))
  relax.report("E_tau_1", arr.E_kJ_per_mol, "kJ/mol", "Arrhenius activation energy of tau_1")
  relax.report("se_E_tau_1", arr.se_E_kJ_per_mol, "kJ/mol", "its standard error")
  relax.plot { kind = "arrhenius", table = "twostep", x = "temperature_K", y = "tau_1_s",
               title = "tau_1 against 1000/T" }
end
return results
