# Line-protocol driver benchmarks: round-trip time over TCP and a pty, and
# 100 Hz acquisition through the pty (600 device s, sped up; full 10 minutes
# with RELAXRUN_BENCH_SPEED=1), with CPU use at a true 100 Hz.  The pty goes
# through libserialport, which needs the test-only ptyshim (tests/linedma).
add_executable(linedma_bench ${CMAKE_CURRENT_LIST_DIR}/linedma_bench.c)
target_link_libraries(linedma_bench PRIVATE rr_linedma rr_warnings)
add_test(NAME linedma_bench COMMAND linedma_bench)
set_tests_properties(linedma_bench PROPERTIES LABELS "bench" TIMEOUT 1200
  ENVIRONMENT "LD_PRELOAD=$<TARGET_FILE:rr_ptyshim>;ASAN_OPTIONS=verify_asan_link_order=0")
add_dependencies(linedma_bench rr_ptyshim)
