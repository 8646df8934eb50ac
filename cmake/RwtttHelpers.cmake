# Target helpers in the style of Abseil's absl_cc_library: one call per library, test or program,
# with warnings and floating-point flags set per target, never globally.
include_guard(GLOBAL)

# Flags every rwttt C++ target compiles with. -ffp-contract=off keeps a*b+c two roundings on every
# compiler, which the bit-identical backends rely on (DESIGN §4). -fno-trapping-math changes no
# value (nothing here reads floating-point exception flags); it lets the compiler turn the math's
# selects (ExpF's special cases, bf16's NaN) into vector blends instead of branches.
function(rwttt_set_cxx_flags target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -ffp-contract=off -fno-fast-math
                              -fno-trapping-math>)
  # GCC 12 reports -Wrestrict inside libstdc++ for ordinary string concatenation at -O3
  # (GCC bug 105329), a false positive that -Werror would turn into a build failure.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wno-restrict>)
  endif()
  if(RWTTT_WERROR)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
  endif()
  # The sanitizer lane (RWTTT_SANITIZE=address,undefined): host C++ only, never nvcc's code. The
  # link flag is PUBLIC so executables linking an instrumented library get the runtime, and
  # build-interface only so the installed package does not impose it on users.
  if(RWTTT_SANITIZE)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:
      -fsanitize=${RWTTT_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined>)
    target_link_options(${target} PUBLIC $<BUILD_INTERFACE:-fsanitize=${RWTTT_SANITIZE}>)
  endif()
endfunction()

# rwttt_add_library(NAME core SRCS a.cc b.cc HDRS a.h PRIVATE_HDRS p.h DEPS rwttt::x
#                   PRIVATE_DEPS y [NO_INSTALL])
# makes rwttt_core, aliased rwttt::core, with includes rooted at the repository root, installed
# with its HDRS into the rwttt CMake package (find_package(rwttt)) unless NO_INSTALL. PRIVATE_HDRS
# are headers other rwttt libraries use but installed users do not (they show third-party types):
# compiled alone by tests/headers like the others, never installed.
function(rwttt_add_library)
  cmake_parse_arguments(ARG "NO_INSTALL" "NAME" "SRCS;HDRS;PRIVATE_HDRS;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target rwttt_${ARG_NAME})
  add_library(${target} STATIC ${ARG_SRCS} ${ARG_HDRS} ${ARG_PRIVATE_HDRS})
  add_library(rwttt::${ARG_NAME} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${ARG_NAME} POSITION_INDEPENDENT_CODE ON)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}> $<INSTALL_INTERFACE:include>)
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  target_compile_features(${target} PUBLIC cxx_std_20)
  rwttt_set_cxx_flags(${target})
  if(NOT ARG_NO_INSTALL)
    install(TARGETS ${target} EXPORT rwtttTargets ARCHIVE DESTINATION lib)
    # Each header keeps its folder under include/<library>/, so that "sim/faults/x.h" resolves
    # for installed users exactly as it does in the source tree.
    foreach(hdr IN LISTS ARG_HDRS)
      get_filename_component(hdr_dir ${hdr} DIRECTORY)
      install(FILES ${hdr} DESTINATION include/${ARG_NAME}/${hdr_dir})
    endforeach()
  endif()
  # tests/headers compiles every listed header alone (STYLE.md: headers include what they use).
  foreach(hdr IN LISTS ARG_HDRS ARG_PRIVATE_HDRS)
    file(RELATIVE_PATH hdr_path ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/${hdr})
    set_property(GLOBAL APPEND PROPERTY RWTTT_LIBRARY_HEADERS "${hdr_path}|${target}")
  endforeach()
endfunction()

# rwttt_add_test(NAME program_test SRCS program_test.cc DEPS rwttt::core LABELS unit)
# builds one GoogleTest binary and registers its tests with ctest under the given labels (FILTER:
# only the tests a gtest filter selects, so that a binary's other tests can carry other labels).
function(rwttt_add_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT;FILTER" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} rwttt_test_support GTest::gtest_main)
  rwttt_set_cxx_flags(${ARG_NAME})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  if(NOT ARG_FILTER)
    set(ARG_FILTER "*")
  endif()
  gtest_discover_tests(${ARG_NAME} TEST_FILTER "${ARG_FILTER}"
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    DISCOVERY_TIMEOUT 60)
endfunction()
