-- Dynamic mechanical spectra of the beta relaxation: Hao et al.,
-- Phys. Rev. B 108, 024101 (2023), Fig. 2(b, c).
--
-- Methods.  A La60Ni15Al25 ribbon in tension.  (1) Isothermal frequency
-- scans: at 325, 335, 345, 355 and 365 K (stabilised 10 min), the loss modulus
-- E'' is measured from 0.01 to 10 Hz, 4 frequencies a decade, with a
-- strain amplitude of 0.05 %; right after each scan a 0.6 % stress
-- relaxation is recorded for 600 s and fitted for tau_1.  (2) An
-- isochronal ramp: from 300 to 440 K at 3 K/min, cycling through 0.1, 1
-- and 10 Hz.  tau_beta = 1/(2 pi f_peak) at each isothermal loss peak and
-- 1/(2 pi f) at each isochronal peak temperature; its activation energy
-- comes from an Arrhenius fit of all the peaks, leaving out isochronal
-- peaks that ride on the alpha background (E'' falls after the peak by
-- less than 20 %: the background shifts them to higher temperature).  (For a beta strength f,
-- E'' peaks at omega tau_b = 1/(1 - f), so these are (1 - f) tau_b ~
-- 0.95 tau_b, as is tau_1.)
--
-- Run:   relaxrun protocols/dma_spectra.lua [T_scan_start=325 ...]

local relax = require "relax"
local dma = require "relax.dma"
local decay = require "relax.decay"
local sweep = require "relax.sweep"
local summary = require "relax.summary"

relax.describe [[
DMA spectra of the beta relaxation (Hao et al. 2023, Fig. 2(b, c)): isothermal
frequency scans and an isochronal multi-frequency ramp; tau_beta from the loss
peaks, its activation energy, and tau_1 from stress relaxation alongside.]]

local p = relax.parameters {
  { "T_scan_start",     325,    "K",     "First temperature of the isothermal scans" },
  { "T_scan_end",       365,    "K",     "Last temperature of the isothermal scans" },
  { "T_scan_step",      10,     "K",     "Step between isothermal scans" },
  { "stabilisation",    600,    "s",     "Hold before each isothermal scan" },
  { "f_min",            0.01,   "Hz",    "Lowest frequency of the scans" },
  { "f_max",            10,     "Hz",    "Highest frequency of the scans" },
  { "per_decade",       4,      "1",     "Scan frequencies per decade" },
  { "amplitude",        0.0005, "1",     "Strain amplitude (0.0005 = 0.05 %)" },
  { "relaxation",       600,    "s",     "Stress relaxation after each scan (0: none)" },
  { "strain",           0.006,  "1",     "Strain step of that relaxation" },
  { "ramp_start",       300,    "K",     "Isochronal ramp: first temperature" },
  { "ramp_end",         440,    "K",     "Isochronal ramp: last temperature" },
  { "ramp_rate",        3,      "K/min", "Isochronal ramp: heating rate" },
  { "ramp_f_min",       0.1,    "Hz",    "Isochronal ramp: lowest frequency" },
  { "ramp_f_max",       10,     "Hz",    "Isochronal ramp: highest frequency" },
  { "max_dip_ratio",    0.8,    "1",     "Isochronal peaks used only if E'' falls after them below this fraction of the peak" },
}

relax.sample { clamp = "tension", length_mm = 15, width_mm = 1, thickness_mm = 0.03 }

-- (1) Isothermal frequency scans, each followed by a stress relaxation.
local peaks = {}
local spectra, spectra_cols = {}, {"frequency_Hz"} -- one loss column per temperature
for _, T in ipairs(sweep.range(p.T_scan_start, p.T_scan_end, p.T_scan_step)) do
  sweep.settle(T, p.stabilisation)
  local scan = dma.frequency_scan { amplitude = p.amplitude,
                                    frequencies = dma.log_range(p.f_min, p.f_max, p.per_decade) }
  spectra_cols[#spectra_cols + 1] = "loss_" .. summary.kelvin(T) .. "_MPa"
  for k, m in ipairs(scan) do
    spectra[k] = spectra[k] or {m.frequency_Hz}
    spectra[k][#spectra[k] + 1] = m.loss_MPa
  end
  local pk = dma.peak_in_frequency(scan) or {}
  local row = {temperature_K = T, tau_beta_s = not pk.edge and pk.tau_s or nil, used = not pk.edge,
               f_peak_Hz = pk.f_peak_Hz, loss_peak_MPa = pk.loss_peak, kind = "isothermal"}
  if p.relaxation > 0 then
    local r = decay.analyse(relax.load(p.strain, {duration_s = p.relaxation,
                                                 label = sweep.label(T)}))
    relax.set_strain(0)
    row.tau_1_s, row.two_step = r.tau_1_s, r.two_step
    if r.two_step and row.tau_beta_s then row.ratio = r.tau_1_s / row.tau_beta_s end
  end
  peaks[#peaks + 1] = row
end
relax.table("isothermal_spectra", spectra_cols, spectra)

-- (2) The isochronal ramp.
sweep.settle(p.ramp_start, 0)
local ramp_f = dma.log_range(p.ramp_f_min, p.ramp_f_max, 1)
local ramps = dma.isochronal { to_K = p.ramp_end, rate_K_per_min = p.ramp_rate,
                               frequencies = ramp_f, amplitude = p.amplitude }
-- One table, one row per cycle through the frequencies (temperature: the
-- mean of the cycle's; the peaks below use each measurement's own).
local iso_cols, iso_rows, loss_cols = {"temperature_K"}, {}, {}
for _, f in ipairs(ramp_f) do
  local col = ("loss_%gHz_MPa"):format(f):gsub("%.", "p")
  iso_cols[#iso_cols + 1], loss_cols[#loss_cols + 1] = col, col
end
for i = 1, #ramps[ramp_f[#ramp_f]] do
  local T, row = 0, {0}
  for _, f in ipairs(ramp_f) do
    T = T + ramps[f][i].temperature_K / #ramp_f
    row[#row + 1] = ramps[f][i].loss_MPa
  end
  row[1] = T
  iso_rows[#iso_rows + 1] = row
end
relax.table("isochronal", iso_cols, iso_rows)
relax.plot { kind = "xy", table = "isochronal", x = "temperature_K", y = loss_cols, logy = true,
             title = ("Isochronal E'' at %g K/min (Fig. 2(c))"):format(p.ramp_rate),
             xlabel = "T (K)", ylabel = "E'' (MPa)" }
for _, f in ipairs(ramp_f) do
  local rows = ramps[f]
  local pk = dma.peak_in_temperature(rows, f)
  if pk and not pk.edge then
    peaks[#peaks + 1] = {temperature_K = pk.T_peak_K, tau_beta_s = pk.tau_s, f_peak_Hz = f,
                         loss_peak_MPa = pk.loss_peak, kind = "isochronal",
                         dip_ratio = pk.dip_ratio, used = pk.dip_ratio <= p.max_dip_ratio}
  else
    relax.note(("no isochronal loss peak at %g Hz inside the ramp"):format(f))
  end
end

-- tau_beta, its activation energy, and tau_1 alongside.
summary.table("loss_peaks", peaks, {
  {"temperature_K", "temperature_K"}, {"tau_beta_s", "tau_beta_s"},
  {"f_peak_Hz", "f_peak_Hz"}, {"loss_peak_MPa", "loss_peak_MPa"},
  {"isothermal", function(r) return r.kind == "isothermal" end},
  {"tau_1_s", "tau_1_s"}, {"tau_1_over_tau_beta", "ratio"},
  {"dip_ratio", "dip_ratio"}, {"in_arrhenius_fit", function(r) return r.used ~= false end},
})
local fit, why = decay.arrhenius(peaks, "temperature_K", "tau_beta_s",
                                 function(r) return r.used ~= false end)
if fit then
  summary.arrhenius("tau_beta", fit, "tau_beta from the loss peaks")
  local pts = {}
  for i, T in ipairs(fit.points.T_K) do pts[i] = {T, fit.points.tau_s[i]} end
  relax.table("tau_beta_arrhenius", {"temperature_K", "tau_beta_s"}, pts)
  relax.plot { kind = "arrhenius", table = "tau_beta_arrhenius", x = "temperature_K", y = "tau_beta_s",
               title = "tau_beta from the loss peaks (Fig. 2(d))" }
else
  relax.note("no Arrhenius fit of tau_beta: " .. why)
end
local worst = 1
for _, r in ipairs(peaks) do
  if r.ratio then worst = math.max(worst, r.ratio, 1 / r.ratio) end
end
relax.report("tau_1_tau_beta_worst_factor", worst, "1",
             "Largest factor between tau_1 and tau_beta where both are measured")
local loss_T = {table.unpack(spectra_cols, 2)}
relax.plot { kind = "xy", table = "isothermal_spectra", x = "frequency_Hz", y = loss_T,
             logx = true, title = "Isothermal loss spectra (Fig. 2(b))",
             xlabel = "f (Hz)", ylabel = "E'' (MPa)" }
