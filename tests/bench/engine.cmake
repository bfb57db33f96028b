# The engine end to end: relaxrun --dry-run of the Fig. 1 sweep.
add_test(NAME bench_engine_sweep COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/engine_sweep.sh)
set_tests_properties(bench_engine_sweep PROPERTIES LABELS "bench"
  ENVIRONMENT "RELAXRUN=$<TARGET_FILE:relaxrun>;RELAXRUN_SRC=${CMAKE_SOURCE_DIR}")
