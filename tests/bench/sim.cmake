# Simulator benchmarks (label bench): they print figures, assert correctness.
rr_add_c_test(bench_sim_sweep SOURCES ${CMAKE_CURRENT_LIST_DIR}/sim_sweep.c LABELS bench LIBS rr_sim)
rr_add_c_test(bench_sim_relax SOURCES ${CMAKE_CURRENT_LIST_DIR}/sim_relax.c LABELS bench LIBS rr_sim)
