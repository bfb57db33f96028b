-- test_runner.lua - the test host (lua_runner.c) itself.  Run by a bare
-- name from this folder (no slash in the script's path), require must still
-- find testlib.lua next to it, and the arguments reach both `arg` and `...`.
local args = table.pack(...)
local T = require "testlib"

T.test("a script named without a directory", function()
  T.check(package.path == "./?.lua", "package.path = " .. tostring(package.path))
  T.check(arg[0] == "test_runner.lua", "arg[0] = " .. tostring(arg[0]))
  T.check(arg[1] == "one" and arg[2] == "two" and arg[3] == nil, "arg")
  T.check(args.n == 2 and args[1] == "one" and args[2] == "two", "...")
end)

T.summary()
