-- No separated beta relaxation in Zr50Cu40Al10: Hao et al., Phys. Rev. B
-- 108, 024101 (2023), Fig. 2(e, f).
--
-- Methods.  A Zr50Cu40Al10 bar (30 x 2 x 1 mm, Tg = 692 K) in single
-- cantilever is heated in 20 K steps from 450 to 550 K.  At each
-- temperature it is stabilised for 30 min, loaded to 0.6 % strain and the
-- stress recorded at 10 points/s for 2000 s, then unloaded.  Each curve is
-- analysed exactly as in temperature_sweep.lua (relax.decay): this glass
-- has only an excess wing, no separated beta relaxation, so no temperature
-- should show a two-step decay.
--
-- Instrument: run it with -I sim:Zr50Cu40Al10 (or on a Zr50Cu40Al10
-- sample).  Started on another simulated preset, the protocol loads the
-- Zr50Cu40Al10 material constants itself (below, copied from
-- drivers/sim/presets/Zr50Cu40Al10.yaml), so that it also runs as
-- `relaxrun protocols/zr_comparison.lua`.
--
-- Run:   relaxrun -I sim:Zr50Cu40Al10 protocols/zr_comparison.lua [T_step=20 ...]

local relax = require "relax"
local sweep = require "relax.sweep"
local summary = require "relax.summary"

relax.describe [[
Isothermal stress relaxation of Zr50Cu40Al10 from 450 to 550 K (Hao et al. 2023,
Fig. 2(e, f)): an excess wing, no separated beta relaxation, no two-step decay.]]

local p = relax.parameters {
  { "T_start",       450,   "K",  "First temperature" },
  { "T_end",         550,   "K",  "Last temperature" },
  { "T_step",        20,    "K",  "Temperature step" },
  { "stabilisation", 1800,  "s",  "Hold after the temperature is stable" },
  { "strain",        0.006, "1",  "Strain step at the clamp (0.006 = 0.6 %)" },
  { "duration",      2000,  "s",  "Length of each relaxation record" },
  { "rate",          10,    "Hz", "Sampling rate" },
}

if relax.is_simulated() and not relax.identity():find("Zr50Cu40Al10", 1, true) then
  relax.note("simulator preset is not Zr50Cu40Al10: loading its material constants")
  relax.material { E_MPa = 88000, A_beta = 0.01, A_alpha = 1.5, chi = 0.5,
                   E_beta_kJ_per_mol = 124.9, Tg_K = 692, tau_alpha_Tg_s = 25,
                   tau_beta_Tg_s = 2.5 }
end
relax.sample { clamp = "single_cantilever", length_mm = 30, width_mm = 2, thickness_mm = 1 }

local rows = sweep.isothermal {
  temperatures = sweep.range(p.T_start, p.T_end, p.T_step),
  stabilise_s = p.stabilisation, strain = p.strain, duration_s = p.duration,
  rate_Hz = p.rate, on_row = summary.note_row,
}

summary.table("relaxation_times", rows, {
  {"temperature_K", "temperature_K"}, {"tau_1_s", "tau_1_s"}, {"tau_2_s", "tau_2_s"},
  {"beta_decay", "beta_decay"}, {"total_decay", "total_decay"}, {"two_step", "two_step"},
  {"noise", "noise"},
})
local yes = summary.temperatures("two_step", rows, function(r) return r.two_step end,
                                 "Temperatures with a two-step decay")
relax.report("two_step_count", #yes, "1", "Number of temperatures with a two-step decay")
relax.plot { kind = "derivative", segment = rows[#rows].label,
             title = "-d(sigma/sigma0)/d ln t at the highest temperature (Fig. 2(f))" }
