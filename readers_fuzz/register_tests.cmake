# Included by the main project: decides whether rwttt's libFuzzer targets can be built here
# (RWTTT_FUZZERS: AUTO, ON or OFF) and, when they can, registers the `slow` test that builds them
# with clang (scripts/fuzz.sh, a separate tree) and runs each for a fixed number of executions.
include_guard(GLOBAL)

set(RWTTT_FUZZERS AUTO CACHE STRING
  "Build and test the libFuzzer targets (scripts/fuzz.sh): AUTO (when clang has libFuzzer), ON, OFF")
set_property(CACHE RWTTT_FUZZERS PROPERTY STRINGS AUTO ON OFF)
set(RWTTT_FUZZ_RUNS 5000 CACHE STRING "Executions per fuzz target in the fuzz_readers test")

set(RWTTT_HAVE_FUZZERS OFF)
if(NOT RWTTT_FUZZERS STREQUAL "OFF")
  find_program(RWTTT_CLANGXX NAMES clang++ clang++-14)
  if(RWTTT_CLANGXX)
    # Does this clang link a libFuzzer binary (libclang-rt-14-dev holds the runtime)?
    set(probe_dir ${CMAKE_BINARY_DIR}/CMakeFiles/rwttt_fuzzer_probe)
    file(WRITE ${probe_dir}/probe.cc
      "#include <cstddef>\n#include <cstdint>\n"
      "extern \"C\" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }\n")
    execute_process(
      COMMAND ${RWTTT_CLANGXX} -fsanitize=fuzzer,address,undefined probe.cc -o probe
      WORKING_DIRECTORY ${probe_dir} RESULT_VARIABLE probe_rc OUTPUT_QUIET ERROR_QUIET)
    if(probe_rc EQUAL 0)
      set(RWTTT_HAVE_FUZZERS ON)
    endif()
  endif()
  if(NOT RWTTT_HAVE_FUZZERS)
    set(why "no clang++ with -fsanitize=fuzzer (Debian: clang-14 libclang-rt-14-dev)")
    if(RWTTT_FUZZERS STREQUAL "ON")
      message(FATAL_ERROR "RWTTT_FUZZERS=ON but ${why}")
    endif()
    message(STATUS "rwttt: fuzz targets not built: ${why}")
  endif()
endif()

if(RWTTT_HAVE_FUZZERS)
  message(STATUS "rwttt: fuzz targets with ${RWTTT_CLANGXX} (scripts/fuzz.sh; ctest -L slow)")
  add_test(NAME fuzz_readers
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/fuzz.sh --runs ${RWTTT_FUZZ_RUNS}
      --rwttt $<TARGET_FILE:rwttt> --build-dir ${CMAKE_BINARY_DIR}/fuzz)
  set_tests_properties(fuzz_readers PROPERTIES LABELS slow TIMEOUT 3600)
endif()
