local M = {}
function M.analyse(series)
  local first = series:stress()[1]
  return first .. {}
end
return M
