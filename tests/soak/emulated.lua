-- emulated.lua - the protocol of the emulator soak (tests/soak/test_emulator.sh):
-- load/unload cycles recorded through the line-protocol driver against
-- `relaxrun emulate`.  Recording starts at once (the furnace is set, not
-- waited for), so that faults injected at a device time land in a
-- recording.  Labels end in the duration and the sampling rate, which the
-- test reads.
local relax = require "relax"
local p = relax.parameters {
  { "cycles", 1, "1", "Load/unload cycles" },
  { "load_s", 300, "s", "Recorded loading per cycle" },
  { "unload_s", 100, "s", "Recorded unloading per cycle" },
  { "rate", 10, "Hz", "Sampling rate" },
}
relax.set_temperature(320)
for c = 1, p.cycles do
  do
    local s <close> = relax.load(0.005, { duration_s = p.load_s, rate_Hz = p.rate,
                                          label = ("c%03d load %ds %dHz"):format(c, p.load_s, p.rate) })
  end
  do
    local u <close> = relax.unload { duration_s = p.unload_s, rate_Hz = p.rate,
                                     label = ("c%03d unload %ds %dHz"):format(c, p.unload_s, p.rate) }
  end
  collectgarbage()
end
relax.report("lua_memory_kB", collectgarbage("count"), "kB", "Lua heap at the end")
