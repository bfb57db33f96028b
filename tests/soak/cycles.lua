-- cycles.lua - the virtual-time soak protocol (tests/soak/test_virtual.sh):
-- load/unload cycles at three temperatures and three sampling rates for
-- `hours` of instrument time on the simulator.  Each segment's Series is
-- closed as soon as it is used, as a long campaign should, so memory must
-- stay flat however long the run.  Labels end in the duration and the
-- sampling rate, which the test reads to count the samples each segment
-- must hold.
local relax = require "relax"
local p = relax.parameters {
  { "hours", 24, "h", "Instrument time to run" },
  { "load_s", 1800, "s", "Recorded loading per cycle" },
  { "unload_s", 600, "s", "Recorded unloading per cycle" },
}
local temps = { 315, 330, 345, 330 }
local rates = { 10, 5, 2, 1 }
local t_end = p.hours * 3600
local cycle, lua_kB = 0, {}
-- A cycle: heat (up to ~20 min to stabilise), load, unload.
while relax.now() + 1200 + p.load_s + p.unload_s <= t_end do
  cycle = cycle + 1
  local rate = rates[(cycle - 1) % #rates + 1]
  relax.heat_to(temps[(cycle - 1) % #temps + 1])
  do
    local s <close> = relax.load(0.005, { duration_s = p.load_s, rate_Hz = rate,
                                          label = ("c%03d load %ds %dHz"):format(cycle, p.load_s, rate) })
    local n <close> = s:normalized()
    assert(#n == #s)
  end
  do
    local u <close> = relax.unload { duration_s = p.unload_s, rate_Hz = 1,
                                     label = ("c%03d unload %ds 1Hz"):format(cycle, p.unload_s) }
  end
  collectgarbage()
  lua_kB[#lua_kB + 1] = collectgarbage("count")
end
if t_end > relax.now() then relax.hold(t_end - relax.now(), "idle to the end") end
relax.report("cycles", cycle, "1")
relax.report("lua_memory_first_kB", lua_kB[1] or 0, "kB", "Lua heap after the first cycle")
relax.report("lua_memory_last_kB", lua_kB[#lua_kB] or 0, "kB", "Lua heap after the last cycle")
