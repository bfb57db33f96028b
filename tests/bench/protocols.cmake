# Every protocol of protocols/ with its defaults, one after another: wall
# and CPU time per protocol and in all (prints; asserts only completion).
add_test(NAME bench_protocols COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/protocols_bench.sh)
set_tests_properties(bench_protocols PROPERTIES LABELS "bench"
  ENVIRONMENT "RELAXRUN=$<TARGET_FILE:relaxrun>;RELAXRUN_SRC=${CMAKE_SOURCE_DIR}"
  TIMEOUT 600)
