-- testlib.lua - a tiny harness for the analysis Lua tests (prints the
-- same "N passed, M failed" line as tests/harness.h).
local M = { passed = 0, failed = 0 }
local cur_fail

function M.check(cond, msg)
  if not cond then
    local info = debug and debug.getinfo and debug.getinfo(2, "Sl")
    io.stderr:write(string.format("%s: CHECK failed: %s\n",
      info and (info.short_src .. ":" .. info.currentline) or "?", msg or ""))
    cur_fail = true
  end
  return cond
end

function M.rel(got, want, tol, msg)
  local ok = type(got) == "number" and math.abs(got - want) <= tol * math.abs(want)
  return M.check(ok, string.format("%s = %s, want %.12g (rel %g)", msg or "value",
    tostring(got), want, tol))
end

function M.abs(got, want, tol, msg)
  local ok = type(got) == "number" and math.abs(got - want) <= tol
  return M.check(ok, string.format("%s = %s, want %.12g +- %g", msg or "value",
    tostring(got), want, tol))
end

-- Expects f(...) to raise an error whose message contains `pattern` (plain).
function M.raises(pattern, f, ...)
  local ok, err = pcall(f, ...)
  return M.check(not ok and tostring(err):find(pattern, 1, true) ~= nil,
    string.format("expected an error containing %q, got %s", pattern,
      ok and "no error" or tostring(err)))
end

function M.test(name, f)
  cur_fail = false
  local ok, err = xpcall(f, debug and debug.traceback or tostring)
  if not ok then
    io.stderr:write(name .. ": " .. tostring(err) .. "\n")
    cur_fail = true
  end
  if cur_fail then
    M.failed = M.failed + 1
    print("FAIL " .. name)
  else
    M.passed = M.passed + 1
    print("ok   " .. name)
  end
end

function M.summary()
  print(string.format("%d passed, %d failed", M.passed, M.failed))
  if M.failed > 0 then error(M.failed .. " test(s) failed", 0) end
end

return M
