local M = {}
M.scale = 2
local cfg = nil
M.offset = cfg.offset
return M
