# Analysis benchmarks (label "bench"): two-step fit of 20,000 points and the
# smoothed log-time derivative of 10^6 points.  They print figures only.
if(TARGET rr_analysis)
  rr_add_c_test(analysis_bench SOURCES ${CMAKE_CURRENT_LIST_DIR}/analysis_bench.c
    LABELS bench analysis LIBS rr_analysis)
  target_include_directories(analysis_bench PRIVATE ${CMAKE_SOURCE_DIR}/tests/analysis)
endif()
