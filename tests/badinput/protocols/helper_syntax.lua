local M = {}
function M.go(x)
  return x +
end
return M
